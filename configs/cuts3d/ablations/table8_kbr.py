# Paper Table 8, row "Kick, Back & Relax" (self-supervised on SlowTV videos).
# The full CutS3D (DiffNCuts) pipeline with this depth source, trained without self-training. Kick, Back & Relax is
# published only as its own repository (jspenmar/slowtv_monodepth), not in transformers or diffusers: precompute the
# depth maps with that release and let FileDepth read them: <root>/<image path without suffix>.npy (float, larger =
# farther) or 16-bit .png; maps holding disparity need depth_source.inverse=True.
_base_ = ['../diffncuts_in1k.py']

pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='FileDepth', root='data/imagenet/depth_kbr/train'))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table8_kbr_train.json')))
