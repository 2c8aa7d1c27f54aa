# Paper Table 7, first row (no Spatial Confidence component in training): CutLER's random copy-paste and plain mask
# BCE, on the same CutS3D (DiffNCuts) pseudo-masks.
_base_ = ['./table7_alpha_blend.py']

train_dataloader = dict(
    dataset=dict(pipeline=[dict(type='CutLERCopyPaste', scale_range=(0.3, 1.0)), dict(type='PackPseudoMaskInputs')]))
