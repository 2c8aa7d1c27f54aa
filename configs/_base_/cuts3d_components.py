# CutS3D's additions to CutLER, one variable each (paper sec. 3): the method configs put all of them together
# (_base_/pseudo_masks/cuts3d.py, cuts3d/dino_in1k.py), the ablations add them one at a time
# (cuts3d/ablations/table4_*.py, table7_*.py). Constants the paper does not state are marked *unverified* in
# docs/reference.md.

# Pseudo-mask extraction.
# CutS3D's best features (Tables 1 and 4): DINO ViT-S/8 fine-tuned with a differentiable NCut (DiffNCuts). The DINO
# ViT-B/8 of _base_/pseudo_masks/maskcut.py is the other backbone. DiffNCuts publishes its checkpoint only as a Google
# Drive page (README "Weights"): download it by hand to this path.
diffncuts_features = dict(type='DiffNCutsFeatures', checkpoint='checkpoints/diffncuts_vits8.pth', input_size=(480, 480))
# The paper's depth model, ZoeDepth (NYU+KITTI), from the Hugging Face hub (or a local directory: model='DIR').
zoedepth = dict(type='ZoeDepth', model='Intel/zoedepth-nyu-kitti')
# Depth precomputed for every image (cuts3d predict-depth, or `--depth DIR`): <root>/<rel path>.npy|.png.
file_depth = dict(type='FileDepth', root='data/imagenet/depth/train')
# (1) LocalCut (sec. 3.2): the NCut bipartition cut again on the depth's orthographic point cloud; the loop pools
# depth per patch and stops when a cut returns "the rest" of the image (sec. 3.1).
local_cut = dict(type='LocalCut', k=10, tau_knn=0.115)
local_cut_loop = dict(stop_on_rest=True, rest_iou=0.95, depth_reduce='median')
# (2) Spatial Importance sharpening of the NCut affinity (sec. 3.3).
spatial_importance = dict(type='SpatialImportance', sigma=3.0, beta=0.45)
# Spatial Confidence maps (sec. 3.4) from T = 6 LocalCuts, stored with each pseudo-mask.
spatial_confidence = dict(type='SpatialConfidence', num_cuts=6, tau_min_ratio=0.5, floor=0.5)

# Detector training with Spatial Confidence (sec. 3.4).
# (3) confident copy-paste (with alpha_blend=True: (4) alpha blending by the SC maps, eq. 5).
confident_copy_paste = dict(type='ConfidentCopyPaste', select='confident', alpha_blend=False, scale_range=(0.3, 1.0))
# (5) the Spatial Confidence Soft Target loss of the mask heads, eq. 6.
sc_mask_head = dict(
    type='SpatialConfidenceMaskHead', loss_mask=dict(_delete_=True, type='SpatialConfidenceMaskLoss', loss_weight=1.0))
