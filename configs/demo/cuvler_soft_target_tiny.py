# configs/demo/cad_tiny.py with CuVLER's soft targets (see configs/cuts3d/ablations/cuvler_soft_target.py): the
# classification target of a RoI matched to a pseudo-mask is [score, 1 - score], and its box and mask losses are
# weighted by the score (the pseudo-mask json's `score`, packed per instance by PackPseudoMaskInputs). DropLoss stays
# on. For demos and tests only (CPU, random initialisation).
_base_ = ['./cad_tiny.py']

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
