# Paper Table 7, row "confident copy-paste": paste the most confident masks, binary (no alpha blending).
_base_ = ['./table7_alpha_blend.py']

train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='ConfidentCopyPaste', select='confident', alpha_blend=False, scale_range=(0.3, 1.0)),
        dict(type='PackPseudoMaskInputs'),
    ]))
