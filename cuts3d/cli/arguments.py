"""Command-line pieces every subcommand shares, importable without loading any framework.

:class:`HelpFormatter` shows each option's default in ``--help``; :func:`add_cfg_options` adds the
``--cfg-options`` argument whose parser (:class:`cuts3d.utils.config_options.ConfigOptionsAction`, which needs
mmengine) is imported only when the option is used.
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# Choices of the extraction runner's --launcher (cuts3d.pseudo.distributed.LAUNCHERS; a test keeps them equal).
LAUNCHERS = ('none', 'pytorch')
# Job launchers of the MMEngine Runner (train, test, self-train, infer).
RUNNER_LAUNCHERS = ('none', 'pytorch', 'slurm')


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


def add_cfg_options(parser: argparse.ArgumentParser, example: str = "key={'type':'X'}") -> Any:
    """Add ``--cfg-options KEY=VALUE ...`` (mmengine style, dict literals merged; see the README)."""
    return parser.add_argument('--cfg-options', nargs='+', action=_ConfigOptions,
                               help=f'override config keys: key=value, key=[a,b], key=(96,96), {example}')
