# The demo's CutLER variant (make demo): MaskCut on real pretrained features that install offline. EfficientNet-
# Lite0 is SUPERVISED (ImageNet labels), a stand-in for self-supervised DINO, whose weights cannot be downloaded
# here; stride 8 on a 192 x 192 resize gives a 24 x 24 patch grid, about a second per image on a CPU. No CRF.
_base_ = ['./extract_cutler_tiny.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='EfficientNetLite0Features', stride=8, input_size=(192, 192)))
