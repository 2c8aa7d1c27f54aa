# CutS3D's extraction on CPU in well under a second per image, for the demo and the tests: weight-free colour
# features on a 96 x 96 resize (12 x 12 patch grid), constant depth unless `--depth DIR` gives depth files, no CRF.
_base_ = ['../_base_/pseudo_masks/cuts3d.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='PatchColorFeatures', patch_size=8, input_size=(96, 96)),
    depth_source=dict(_delete_=True, type='ConstantDepth', value=0.5),
    refiner=dict(_delete_=True, type='NoRefiner'))

extraction = dict(max_side=1024, warn_after_failures=5)
