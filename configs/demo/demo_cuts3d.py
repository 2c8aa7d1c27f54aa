# The demo's CutS3D variant (make demo): the same features and loop as demo_cutler.py, plus Spatial Importance,
# LocalCut on the depth files given with `--depth`, Spatial Confidence and the stop on "the rest". Without `--depth`
# the tools stop at once and say so (a constant depth map would quietly give MaskCut's masks).
_base_ = ['./extract_cuts3d_tiny.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='EfficientNetLite0Features', stride=8, input_size=(192, 192)),
    depth_source=None)
