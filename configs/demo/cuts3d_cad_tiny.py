# configs/demo/cad_tiny.py with CutS3D's three Spatial Confidence components (paper sec. 3.4): confident
# copy-paste, SC alpha blending, and the SC soft-target mask loss. The pseudo-mask json should carry
# `spatial_confidence` (CutLER files without it train with SC = 1, i.e. as cad_tiny plus confident selection).
_base_ = ['./cad_tiny.py']

model = dict(
    roi_head=dict(
        mask_head=dict(
            type='SpatialConfidenceMaskHead',
            loss_mask=dict(_delete_=True, type='SpatialConfidenceMaskLoss', loss_weight=1.0))))
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='ConfidentCopyPaste', select='confident', alpha_blend=True, scale_range=(0.3, 1.0)),
        dict(type='PackPseudoMaskInputs'),
    ]))
