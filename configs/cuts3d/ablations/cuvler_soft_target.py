# CuVLER's soft targets (Arica et al., CVPR 2024) in place of CutS3D's Spatial Confidence Soft Target loss, on the
# same CutS3D (DiffNCuts) pseudo-masks. It inherits configs/cuts3d/diffncuts_in1k.py rather than the CutLER detector
# config because the question it answers is the paper's sec. 3.4 argument: CuVLER "re-weights the loss for an entire
# mask by a scalar", CutS3D re-weights each region by its Spatial Confidence. Everything else stays CutS3D's
# (pseudo-masks, confident copy-paste with SC alpha blending, DropLoss, schedule); the scalar is each pseudo-mask's
# score (its json `score`, the mean SC), and, as in CuVLER, it also softens classification and weights box regression:
# - classification: target [score, 1 - score] for a RoI matched to a pseudo-mask, background for the others
#   (SoftTargetCascadeRoIHead + SoftTargetLoss, DropLoss kept);
# - box regression and mask BCE of a matched RoI times its score (SoftTargetMaskHead replaces the SC mask head).
# Not a paper row: CutS3D reports CuVLER only as a separate method (Tables 1-3).
_base_ = ['../diffncuts_in1k.py']

model = dict(
    roi_head=dict(
        type='SoftTargetCascadeRoIHead',
        bbox_head=[
            dict(head, loss_cls=dict(type='SoftTargetLoss', loss_weight=1.0))
            for head in _base_.model.roi_head.bbox_head
        ],
        mask_head=dict(
            type='SoftTargetMaskHead',
            loss_mask=dict(_delete_=True, type='SpatialConfidenceMaskLoss', loss_weight=1.0))))
