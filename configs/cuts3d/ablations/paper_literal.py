# The whole extraction as the CutS3D paper writes it, beside the defaults that depart from it (measured in
# docs/extraction_quality.md): paper-literal LocalCut (paper_literal_localcut.py), Spatial Importance eqs. (1)-(3)
# with beta = 0.45 and a pair taking the larger importance of its two patches, MaskCut's colour-only CRF, and
# MaskCut's rule that a dropped cut claims nothing. The claimed nodes are removed from the graph (the paper's
# sec. 3.1) as in the defaults.
_base_ = ['./paper_literal_localcut.py']

pseudo_mask_generator = dict(
    cutter=dict(affinity_modifiers=[dict(type='SpatialImportance', sigma=3.0, beta=0.45, pair_reduce='max')]),
    refiner=dict(depth_std=None),
    claim_dropped=False)
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/paper_literal_train.json')))
