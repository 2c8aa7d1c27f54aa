# CutS3D's detector (paper sec. 3.4): the class-agnostic CutLER Cascade Mask R-CNN whose mask heads are trained with
# the Spatial Confidence Soft Target loss, eq. (6): each pixel's BCE weighted by the pseudo-mask's SC, 1 outside
# the confidence map.
_base_ = ['./cascade_mask_rcnn_r50_fpn_cad.py']

model = dict(
    roi_head=dict(
        mask_head=dict(
            type='SpatialConfidenceMaskHead',
            loss_mask=dict(_delete_=True, type='SpatialConfidenceMaskLoss', loss_weight=1.0))))
