# Paper Table 4, DiffNCuts ViT-S/8, row "CutLER": CutLER's MaskCut pseudo-masks and detector, as configs/cutler/
# defines them, on DiffNCuts features (tests/configs/test_paper_tables.py checks it). Every Table 4 row is extracted,
# trained, then self-trained once (cuts3d self-train --rounds 1); each row below adds one CutS3D component.
_base_ = ['../../cutler/maskcut_dino_vitb8_in1k.py', '../../_base_/cuts3d_components.py']

pseudo_mask_generator = dict(feature_extractor=dict(_delete_=True, **_base_.diffncuts_features))
train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file='annotations/ablations/table4_diffncuts_cutler_train.json')))
