# Your own photos, offline: CutLER's MaskCut (NCut on patch features, 2D connected component, dense CRF, 3 cuts) on
# the one set of pretrained weights that installs without network access, EfficientNet-Lite0. Those weights are
# SUPERVISED (ImageNet labels), a stand-in for self-supervised DINO: expect the largest regions of a photo (a person,
# a cat, a motorcycle, often the floor or the sky as well), rarely small objects; README "Your own photos" compares
# the settings. Chosen by measurement (docs/own_photos.md): the 112-channel stride-16 stage on a 640 x 640 resize
# (a 40 x 40 patch grid) with the CRF; stride 8 (shallower features) or no CRF (blocky masks) were worse on photos.
#   cuts3d demo PHOTO.jpg                                     one photo: overlay PNG + json in work_dirs/demo_image
#   cuts3d extract configs/demo/own_photos.py --images DIR --out masks.json
_base_ = ['../_base_/pseudo_masks/maskcut.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='EfficientNetLite0Features', stride=16, input_size=(640, 640)),
    refiner=dict(_delete_=True, type='DenseCRF'))
