# Your own rectified stereo pairs: CutS3D (configs/demo/own_photos_depth.py) with depth from stereo matching (OpenCV
# SGBM), no learned depth model. Left views are the --images; the right view of IMAGES/<path> is RIGHT/<path> (or
# RIGHT/<name> when names are unique). Each pair's calibration comes from a json beside the pairs: RIGHT/<path
# without suffix>.json, else the nearest calibration.json from the right view's folder up to RIGHT's parent, holding
# one calibration or one per image name (the layout of data/samples/real/; cuts3d/depth/stereo_calibration.py).
# Without calibration set depth_source.calibration=None (depth = 1 / disparity).
#   cuts3d extract configs/demo/own_photos_stereo.py --images data/samples/real/images --out masks.json
#   cuts3d extract configs/demo/own_photos_stereo.py --images LEFT --out masks.json \
#       --cfg-options pseudo_mask_generator.depth_source.right_root=RIGHT
#   cuts3d demo LEFT.png --right RIGHT.png
_base_ = ['./own_photos_depth.py']

pseudo_mask_generator = dict(
    depth_source=dict(_delete_=True, type='StereoDepth', right_root='data/samples/real/right', calibration='per_image'))
