# Paper Table 4, DINO ViT-B/8, row "+ LocalCut (1)": the CutLER row with depth, and each NCut bipartition
# cut again in 3D on the depth's point cloud (LocalCut) instead of taking its 2D connected component; the loop removes claimed nodes from
# the graph and stops when a cut returns the rest of the image; the CRF compares depth as well as colour.
_base_ = ['./table4_dino_cutler.py', '../../_base_/cuts3d_components.py']

pseudo_mask_generator = dict(
    depth_source=dict(_delete_=True, **_base_.zoedepth),
    partitioner=dict(_delete_=True, **_base_.local_cut),
    cutter=_base_.node_removal,
    refiner=_base_.depth_crf,
    **_base_.local_cut_loop)
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table4_dino_localcut_train.json')))
