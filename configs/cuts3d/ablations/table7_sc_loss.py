# Paper Table 7, row "+ Spatial Confidence loss": the mask heads' BCE weighted per pixel by the Spatial Confidence,
# eq. (6). This is the full CutS3D training, configs/cuts3d/diffncuts_in1k.py (tests/configs/test_paper_tables.py).
_base_ = ['./table7_alpha_blend.py']

model = dict(roi_head=dict(mask_head=_base_.sc_mask_head))
