# Paper Table 7, row "+ alpha blend": pasted pseudo-masks blended into the target by their Spatial Confidence maps,
# eq. (5).
_base_ = ['./table7_confident_copy_paste.py']

train_pipeline = [dict(_base_.confident_copy_paste, alpha_blend=True), dict(type='PackPseudoMaskInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
