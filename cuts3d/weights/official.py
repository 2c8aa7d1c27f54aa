"""The official release of every backbone the method configs use, by short name.

URLs are the ones the releases' own code downloads (DINO's and DINOv2's ``hubconf.py``, MAE's README); the README's
weights table lists them with their sizes. DiffNCuts has no direct URL (its checkpoint is a Google Drive page), so
it is a local path; :data:`MANUAL_DOWNLOADS` says where to get it.
"""
from __future__ import annotations

_DINO = 'https://dl.fbaipublicfiles.com/dino'
_DINOV2 = 'https://dl.fbaipublicfiles.com/dinov2'
_MAE = 'https://dl.fbaipublicfiles.com/mae/pretrain'

OFFICIAL_WEIGHTS: dict[str, str] = {
    'dino_vits16': f'{_DINO}/dino_deitsmall16_pretrain/dino_deitsmall16_pretrain.pth',
    'dino_vits8': f'{_DINO}/dino_deitsmall8_pretrain/dino_deitsmall8_pretrain.pth',
    'dino_vitb16': f'{_DINO}/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth',
    'dino_vitb8': f'{_DINO}/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth',
    'dino_resnet50': f'{_DINO}/dino_resnet50_pretrain/dino_resnet50_pretrain.pth',
    **{f'dinov2_vit{size}14{reg}': f'{_DINOV2}/dinov2_vit{size}14/dinov2_vit{size}14{reg}_pretrain.pth'
       for size in 'sblg' for reg in ('', '_reg4')},
    'mae_vitb16': f'{_MAE}/mae_pretrain_vit_base.pth',
    'mae_vitl16': f'{_MAE}/mae_pretrain_vit_large.pth',
}

#: Weights without a direct URL: where a person downloads them, and the local path the configs expect.
MANUAL_DOWNLOADS: dict[str, tuple[str, str]] = {
    'diffncuts_vits8': ('https://drive.google.com/file/d/1hAPR0gxBHgIOSATtJNSStaf5aBDnNzYd/view '
                        '(linked from github.com/csyanbin/DiffNCuts)', 'checkpoints/diffncuts_vits8.pth'),
}


def official_url(name: str) -> str:
    """The URL of a release by short name (``'dino_vitb8'``); KeyError listing the names otherwise."""
    if name not in OFFICIAL_WEIGHTS:
        raise KeyError(f'no official weights named {name!r}; known: {", ".join(sorted(OFFICIAL_WEIGHTS))}')
    return OFFICIAL_WEIGHTS[name]
