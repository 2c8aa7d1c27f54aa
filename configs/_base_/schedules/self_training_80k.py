# CutLER's self-training rounds (docs/reference.md, "Self-training"; CutLER's cascade_mask_rcnn_R_50_FPN_self_train.yaml
# and tools/get_self_training_ann.py), read by cuts3d self-train:
#   predict `max_dets` detections per training image, keep score >= score_thrs[round - 1] (the last entry for
#   later rounds), add previous annotations whose mask IoU with every kept prediction is < merge_iou_thr, then
#   retrain from the previous checkpoint at constant lr (after warm-up) for max_iters, DropLoss off, copy-paste
#   scale U(copy_paste_scale).
self_training = dict(
    max_dets=30,
    score_thrs=(0.7, 0.65),
    merge_iou_thr=0.5,
    lr=0.005,
    max_iters=80000,
    warmup_iters=1000,
    use_drop_loss=False,
    copy_paste_scale=(0.5, 1.0))
