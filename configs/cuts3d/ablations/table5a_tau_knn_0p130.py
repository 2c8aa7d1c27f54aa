# Paper Table 5a, tau_knn = 0.13: LocalCut's k-NN graph threshold, with pseudo-masks and training without
# Spatial Confidence (to isolate the threshold; DiffNCuts features), and no self-training.
_base_ = ['./table4_diffncuts_spatial_importance.py']

pseudo_mask_generator = dict(partitioner=dict(tau_knn=0.13))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table5a_tau_knn_0p130_train.json')))
