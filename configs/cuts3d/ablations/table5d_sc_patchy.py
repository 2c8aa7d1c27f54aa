# Paper Table 5d, "Without" alignment: the Spatial Confidence map stays patchy (the patch-grid map upsampled by
# nearest neighbour, not cut to the refined mask); otherwise table5d_sc_aligned.py.
_base_ = ['./table5d_sc_aligned.py']

pseudo_mask_generator = dict(align_confidence=False)
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table5d_sc_patchy_train.json')))
