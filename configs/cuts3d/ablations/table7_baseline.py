# Paper Table 7, first row: the CutS3D (DiffNCuts) pseudo-masks, with their Spatial Confidence maps, trained with
# CutLER's recipe (random copy-paste, plain mask BCE): the pseudo-masks of configs/cuts3d/diffncuts_in1k.py and the
# detector of the Table 4 row before Spatial Confidence. Each row below adds one Spatial Confidence component to the
# row above it. Table 7 trains without self-training (cuts3d train only).
_base_ = ['./table4_diffncuts_spatial_importance.py']

pseudo_mask_generator = dict(confidence=dict(_delete_=True, **_base_.spatial_confidence))
extraction = _base_.spatial_confidence_storage
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/cuts3d_diffncuts_in1k_train.json')))
