# Paper Table 5c, SC^min = 0.5 (the default): the lowest Spatial Confidence inside a mask. The full CutS3D
# (DiffNCuts) training without self-training, i.e. table7_sc_loss.py.
_base_ = ['./table7_sc_loss.py']

pseudo_mask_generator = dict(confidence=dict(floor=0.5))
