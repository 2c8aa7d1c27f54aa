# Paper Table 5b, "Scalar": alpha blending by the mean Spatial Confidence of each pasted mask ("the average
# confidence as alpha") instead of its SC map; otherwise table5b_alpha_spatial.py.
_base_ = ['./table5b_alpha_spatial.py']

train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='ConfidentCopyPaste', select='confident', alpha_blend=True, alpha_source='mean',
             scale_range=(0.3, 1.0)),
        dict(type='PackPseudoMaskInputs'),
    ]))
