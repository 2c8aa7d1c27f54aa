# Paper Table 5d, "With" alignment (the default): each Spatial Confidence map is interpolated from its instance's
# patches and cut to the refined pseudo-mask's border. The full CutS3D (DiffNCuts) training without self-training.
_base_ = ['./table7_sc_loss.py']

pseudo_mask_generator = dict(align_confidence=True)
