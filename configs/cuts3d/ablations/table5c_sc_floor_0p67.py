# Paper Table 5c, SC^min = 0.67 (4/6, a level of T = 6 cuts, so the stored maps keep it exactly): the lowest
# Spatial Confidence inside a mask; pseudo-masks extracted with this floor, otherwise table5c_sc_floor_0p50.py.
_base_ = ['./table5c_sc_floor_0p50.py']

pseudo_mask_generator = dict(confidence=dict(floor=2 / 3))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table5c_sc_floor_0p67_train.json')))
