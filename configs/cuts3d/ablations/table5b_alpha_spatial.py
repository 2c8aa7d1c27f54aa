# Paper Table 5b, "Spatial": alpha blending of pasted objects by their Spatial Confidence map, eq. (5); without the
# SC loss, to isolate the effect (as the paper trains Table 5b), on CutS3D (DiffNCuts) pseudo-masks, no
# self-training. The same training as table7_alpha_blend.py.
_base_ = ['./table7_alpha_blend.py']
