# CutS3D's extraction (paper sec. 3; REFERENCE.md section 2): MaskCut's NCut sharpened by Spatial Importance,
# LocalCut in 3D on the orthographic point cloud of monocular depth, Spatial Confidence from T = 6 LocalCuts,
# stop when a cut returns the rest of the image. Constants the paper leaves open are defaults of the components
# (their docstrings say which are unverified).
_base_ = ['./maskcut.py']

pseudo_mask_generator = dict(
    # The paper's depth model, ZoeDepth (NYU+KITTI), run on the fly from the Hugging Face hub (or a local directory:
    # model='DIR'). For a large collection predict the depth once (cuts3d predict-depth CONFIG --images DIR --out
    # DEPTH_DIR) and pass `--depth DEPTH_DIR` to cuts3d extract, which reads the maps instead.
    depth_source=dict(_delete_=True, type='ZoeDepth', model='Intel/zoedepth-nyu-kitti'),
    cutter=dict(affinity_modifiers=[dict(type='SpatialImportance', sigma=3.0, beta=0.45)]),
    partitioner=dict(_delete_=True, type='LocalCut', k=10, tau_knn=0.115),
    confidence=dict(_delete_=True, type='SpatialConfidence', num_cuts=6, tau_min_ratio=0.5, floor=0.5),
    stop_on_rest=True,
    rest_iou=0.95,
    depth_reduce='median')
