# CutS3D's extraction (paper sec. 3): MaskCut's NCut sharpened by Spatial Importance, LocalCut in 3D on the
# orthographic point cloud of monocular depth, Spatial Confidence from T = 6 LocalCuts, stop when a cut returns the
# rest of the image; the components are those of _base_/cuts3d_components.py, where each departure from the
# paper's literal rule says why (measured in docs/extraction_quality.md; configs/cuts3d/ablations/paper_literal.py
# is the literal variant). Depth: the paper's model, ZoeDepth, run on the fly; for a large collection predict it
# once (cuts3d predict-depth CONFIG --images DIR --out DEPTH_DIR) and pass `--depth DEPTH_DIR` to cuts3d extract,
# which reads the maps instead.
_base_ = ['./maskcut.py', '../cuts3d_components.py']

pseudo_mask_generator = dict(
    depth_source=dict(_delete_=True, **_base_.zoedepth),
    cutter=dict(affinity_modifiers=[_base_.spatial_importance], **_base_.node_removal),
    partitioner=dict(_delete_=True, **_base_.local_cut),
    confidence=dict(_delete_=True, **_base_.spatial_confidence),
    refiner=_base_.depth_crf,
    **_base_.local_cut_loop)
extraction = _base_.spatial_confidence_storage
