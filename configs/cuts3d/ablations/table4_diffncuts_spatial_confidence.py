# Paper Table 4, DiffNCuts ViT-S/8, row "+ Spatial Confidence (3, 4, 5)": the full CutS3D method. Extract,
# train, then one round of self-training (cuts3d self-train --rounds 1), as every Table 4 row.
_base_ = ['../diffncuts_in1k.py']
