# LocalCut exactly as CutS3D sec. 3.2 states it, for comparison with the robust defaults (tools/benchmark.py quality,
# docs/extraction_quality.md): depth resized bilinearly to the patch grid, source = argmax |v| and sink = argmin |v|
# of the NCut eigenvector, the source side of every min cut (no trivial-cut rule), and no final 2D connected
# component. Everything else is the full CutS3D (DINO) method.
_base_ = ['../dino_in1k.py']

pseudo_mask_generator = dict(
    partitioner=dict(source='max_abs', sink='min_abs', trivial_cut_ratio=None, final_component=False),
    depth_reduce='bilinear')
train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file='annotations/ablations/paper_literal_localcut_train.json')))
