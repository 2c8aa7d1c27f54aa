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
# A cut dropped as the previous object found again claims its patches, so the next cut looks elsewhere.
local_cut = dict(type='LocalCut', k=10, tau_knn=0.115)
local_cut_loop = dict(stop_on_rest=True, rest_iou=0.95, depth_reduce='median', claim_dropped=True)
# The paper removes the claimed nodes from the NCut graph after each cut (MaskCut zeroes their features).
node_removal = dict(claimed='remove')
# With depth at hand the CRF compares depth as well as colour, so it does not spread a mask over a touching object of
# the same colour at another depth (which then failed the CRF's IoU check and was discarded).
depth_crf = dict(depth_std=0.03)
# (2) Spatial Importance sharpening of the NCut affinity (sec. 3.3). beta = 0: eq. (3) binarised at MaskCut's tau
# then only sharpens above the importance floor; the paper's beta = 0.45 raises every similarity to a power <= 0.55,
# i.e. lowers tau to 0.032 everywhere and floods the graph; 'mean' pairs a boundary patch with an interior one at
# half strength (measured in docs/extraction_quality.md; the paper's form is configs/cuts3d/ablations/paper_literal.py).
spatial_importance = dict(type='SpatialImportance', sigma=3.0, beta=0.0, pair_reduce='mean')
# Spatial Confidence maps (sec. 3.4) from T = 6 LocalCuts, stored with each pseudo-mask as 2 T = 12 level sets (a
# multiple of T, which the writer requires) so the interpolated border of each map survives within 1 / (2 L).
spatial_confidence = dict(type='SpatialConfidence', num_cuts=6, tau_min_ratio=0.5, floor=0.5)
spatial_confidence_storage = dict(sc_levels=12)

# Detector training with Spatial Confidence (sec. 3.4).
# (3) confident copy-paste (with alpha_blend=True: (4) alpha blending by the SC maps, eq. 5).
confident_copy_paste = dict(type='ConfidentCopyPaste', select='confident', alpha_blend=False, scale_range=(0.3, 1.0))
# (5) the Spatial Confidence Soft Target loss of the mask heads, eq. 6.
sc_mask_head = dict(
    type='SpatialConfidenceMaskHead', loss_mask=dict(_delete_=True, type='SpatialConfidenceMaskLoss', loss_weight=1.0))
