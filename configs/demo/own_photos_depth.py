# Your own photos with depth maps you have (`--depth DIR`: DIR/<image name>.npy, float, larger = farther, or a 16-bit
# .png from `cuts3d predict-depth`): CutS3D's extraction (Spatial Importance, LocalCut in 3D, Spatial Confidence, stop
# on the rest) on the features of configs/demo/own_photos.py. Without `--depth` the tools stop and say so.
#   cuts3d extract configs/demo/own_photos_depth.py --images DIR --depth DIR_DEPTH --out masks.json
#   cuts3d demo PHOTO.jpg --depth PHOTO_DEPTH.npy
_base_ = ['../_base_/pseudo_masks/cuts3d.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='EfficientNetLite0Features', stride=16, input_size=(640, 640)),
    depth_source=None,
    refiner=dict(_delete_=True, type='DenseCRF'))
