# Paper Table 8, row "ZoeDepth" (sensor depth: MiDaS fine-tuned on metric data), the paper's default depth model.
# The full CutS3D (DiffNCuts) pipeline with this depth source, trained without self-training. ZoeDepth (NYU+KITTI)
# runs on the fly from the Hugging Face hub; for ImageNet predict it once and reuse it:
#   cuts3d predict-depth configs/cuts3d/ablations/table8_zoedepth.py --images DIR \
#       --out data/imagenet/depth_zoedepth/train
#   cuts3d extract configs/cuts3d/ablations/table8_zoedepth.py --images DIR --out OUT.json \
#       --depth data/imagenet/depth_zoedepth/train
_base_ = ['../diffncuts_in1k.py']

pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='ZoeDepth', model='Intel/zoedepth-nyu-kitti'))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table8_zoedepth_train.json')))
