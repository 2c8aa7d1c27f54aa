# configs/demo/cad_tiny.py with CutS3D's three Spatial Confidence components (paper sec. 3.4,
# _base_/cuts3d_components.py): confident copy-paste, SC alpha blending, and the SC soft-target mask loss. The
# pseudo-mask json should carry `spatial_confidence` (CutLER files without it train with SC = 1, i.e. as cad_tiny
# plus confident selection).
_base_ = ['./cad_tiny.py', '../_base_/cuts3d_components.py']

model = dict(roi_head=dict(mask_head=_base_.sc_mask_head))
train_pipeline = [dict(_base_.confident_copy_paste, alpha_blend=True), dict(type='PackPseudoMaskInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
