# Paper Table 7, row "confident copy-paste": the baseline pasting the source image's most confident pseudo-masks
# (ranked by mean Spatial Confidence) instead of random ones, binary (no alpha blending).
_base_ = ['./table7_baseline.py']

train_pipeline = [_base_.confident_copy_paste, dict(type='PackPseudoMaskInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
