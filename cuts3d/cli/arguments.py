"""Command-line pieces every subcommand shares, importable without loading any framework.

:class:`HelpFormatter` shows each option's default in ``--help``; :func:`add_cfg_options` adds the
``--cfg-options`` argument whose parser (:class:`cuts3d.utils.config_options.ConfigOptionsAction`, which needs
mmengine) is imported only when the option is used; :func:`add_image_run_arguments` and :func:`check_output_paths`
are the arguments and output checks of the sharded image runs; the exit codes are the README's table.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# Choices of the extraction runner's --launcher (cuts3d.pseudo.distributed.LAUNCHERS; a test keeps them equal).
LAUNCHERS = ('none', 'pytorch')
# Job launchers of the MMEngine Runner (train, test, self-train, infer).
RUNNER_LAUNCHERS = ('none', 'pytorch', 'slurm')
# Exit status of the image tools (README "Exit status"): done; the run did not finish (no image processed, a write
# failed); nothing was done (bad arguments, config or paths); written, but some images failed (failures file).
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_SOME_FAILED = 0, 1, 2, 3
# Distributed timeout of a sharded extraction or depth run (``extraction.dist_timeout_s`` overrides it): ranks wait
# for each other only at the start and at the merge, which may be a day apart on ImageNet.
DEFAULT_DIST_TIMEOUT_S = 24 * 3600


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions as written; ``(default: X)`` after every option that has a default other than None/False."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or isinstance(action.default, dict):
            return action.help
        return super()._get_help_string(action)


def parser_for(prog: str, description: str) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` named ``prog`` (``cuts3d <sub>``) with :class:`HelpFormatter`."""
    return argparse.ArgumentParser(prog=prog, description=description, formatter_class=HelpFormatter)


class _ConfigOptions(argparse.Action):
    """``--cfg-options KEY=VALUE ...``, parsed by :class:`cuts3d.utils.config_options.ConfigOptionsAction`."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[str] | None, option_string: str | None = None) -> None:
        from cuts3d.utils.config_options import ConfigOptionsAction

        action = ConfigOptionsAction(self.option_strings, self.dest, nargs=self.nargs)
        action(parser, namespace, values, option_string)


def add_image_run_arguments(parser: argparse.ArgumentParser, work_dir_help: str) -> None:
    """The arguments of a sharded, resumable run over images (``cuts3d extract``, ``cuts3d predict-depth``):
    ``--images``, ``--work-dir``, ``--resume``, ``--launcher`` and ``--no-progress``."""
    parser.add_argument('--images', required=True,
                        help='image folder (searched recursively), one image, or a list file (one path per line)')
    parser.add_argument('--work-dir', help=work_dir_help)
    parser.add_argument('--resume', action='store_true', help='continue the run recorded in --work-dir')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='pytorch: started by torchrun')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')


def check_output_paths(args: argparse.Namespace, root: str, items: Sequence[Any]) -> None:
    """Refuse an ``--out``, failures file or ``--work-dir`` of an :func:`add_image_run_arguments` run that is an
    input or lies inside the image (or ``--depth``) folders; ``items`` are the listed images (``.path``).

    The image folders are the ``--images`` folder, or for a list file (or one image) each folder holding a listed
    image.
    """
    from cuts3d.pseudo.runner import failures_path, output_work_dir
    from cuts3d.utils.output_paths import refuse_run_outputs

    outputs = (('--out', args.out), ('the failures file', failures_path(args.out)),
               ('--work-dir', args.work_dir or output_work_dir(args.out)))
    refuse_run_outputs(outputs, args.config, args.images, root, [item.path for item in items],
                       getattr(args, 'depth', None))


def add_cfg_options(parser: argparse.ArgumentParser, example: str = "key={'type':'X'}") -> Any:
    """Add ``--cfg-options KEY=VALUE ...`` (mmengine style, dict literals merged; see the README)."""
    return parser.add_argument('--cfg-options', nargs='+', action=_ConfigOptions,
                               help=f'override config keys: key=value, key=[a,b], key=(96,96), {example}')
