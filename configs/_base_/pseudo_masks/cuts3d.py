# CutS3D's extraction (paper sec. 3; REFERENCE.md section 2): MaskCut's NCut sharpened by Spatial Importance,
# LocalCut in 3D on the orthographic point cloud of monocular depth, Spatial Confidence from T = 6 LocalCuts,
# stop when a cut returns the rest of the image. Constants marked *unverified* in REFERENCE.md are defaults of
# the components; method configs set the backbone checkpoint.
_base_ = ['./maskcut.py']

pseudo_mask_generator = dict(
    # Depth precomputed for every image (the paper runs ZoeDepth once over ImageNet): <root>/<rel path>.npy|.png.
    # Override the folder with `--depth DIR`, or predict on the fly with dict(type='MonocularDepth', ...).
    depth_source=dict(_delete_=True, type='FileDepth', root='data/imagenet/depth/train'),
    cutter=dict(affinity_modifiers=[dict(type='SpatialImportance', sigma=3.0, beta=0.45)]),
    partitioner=dict(_delete_=True, type='LocalCut', k=10, tau_knn=0.115),
    confidence=dict(_delete_=True, type='SpatialConfidence', num_cuts=6, tau_min_ratio=0.5, floor=0.5),
    stop_on_rest=True,
    rest_iou=0.95,
    depth_reduce='median')
