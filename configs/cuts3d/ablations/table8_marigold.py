# Paper Table 8, row "Marigold" (synthetic depth: a repurposed diffusion model).
# The full CutS3D (DiffNCuts) pipeline with this depth source, trained without self-training. Marigold v1-1 runs on
# the fly from the Hugging Face hub through diffusers (fp16 weights: half the download, upcast on CPU); for ImageNet
# predict it once and reuse it:
#   cuts3d predict-depth configs/cuts3d/ablations/table8_marigold.py --images DIR \
#       --out data/imagenet/depth_marigold/train
#   cuts3d extract configs/cuts3d/ablations/table8_marigold.py --images DIR --out OUT.json \
#       --depth data/imagenet/depth_marigold/train
_base_ = ['../diffncuts_in1k.py']

pseudo_mask_generator = dict(
    depth_source=dict(_delete_=True, type='MarigoldDepth', model='prs-eth/marigold-depth-v1-1', variant='fp16'))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table8_marigold_train.json')))
