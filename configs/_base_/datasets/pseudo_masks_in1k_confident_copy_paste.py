# CutS3D's copy-paste (paper sec. 3.4): paste the most confident pseudo-masks of the source image (ranked by mean
# Spatial Confidence) and alpha-blend them into the target by their SC maps, eq. (5). Otherwise CutLER's copy-paste
# (scale U(0.3, 1.0), 1..n-1 objects, drop a paste covering >= 50% of a target mask).
_base_ = ['./pseudo_masks_in1k.py']

train_pipeline = [
    dict(type='ConfidentCopyPaste', select='confident', alpha_blend=True, scale_range=(0.3, 1.0)),
    dict(type='PackPseudoMaskInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
