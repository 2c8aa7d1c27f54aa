# CutLER's MaskCut (docs/reference.md, "MaskCut"): keys of DINO ViT-B/8's last block on a 480 x 480 LANCZOS resize,
# binarised cosine affinity (tau 0.15, eps 1e-5), NCut, 2D connected component of the seed, N = 3 cuts with the
# IoU > 0.5 / area <= 1% filter, dense CRF at 480 x 480. The DINO ViT-B/8 weights are the official release, downloaded
# once into $CUTS3D_CACHE (README "Weights"; an offline machine: a local path, or the file placed in the cache).
pseudo_mask_generator = dict(
    type='MaskCutGenerator',
    feature_extractor=dict(
        type='DINOFeatures', arch='vit_base', patch_size=8, input_size=(480, 480),
        checkpoint='https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth'),
    depth_source=None,
    # solver='dense' is CutLER's scipy.linalg.eigh call; 'fast' (ARPACK) gives the same bipartition ~50x faster.
    cutter=dict(type='NCutCutter', tau=0.15, eps=1e-5, solver='fast'),
    partitioner=dict(type='ConnectedComponent2D', connectivity=4),
    confidence=dict(type='ConstantConfidence', value=1.0),
    refiner=dict(type='DenseCRF'),
    num_cuts=3,
    max_iou=0.5,
    min_area_frac=0.01,
    stop_on_rest=False)

# Runner options (cuts3d.pseudo.ExtractionRunner): Spatial Confidence level sets per mask in the json, images
# with a side below min_side fail, longer than max_side are processed downscaled, warn (never abort) after this many
# failures in a row, barrier timeout for multi-process runs (ranks finish their shards at different times).
# pipeline: loader processes, batched forward passes on the device and cut worker processes overlap (False: one
# image after another, the reference; same json; 'auto': pipelined when the features run on a GPU, serial on a CPU,
# where the pipeline measured slower, docs/performance.md); 'auto' batch_size and workers are sized for the
# extractor's device and the CPUs (cuts3d/pseudo/pipeline.py: GPU 8 images per pass, CPU 1); max_in_flight bounds the
# images between the device and their record (memory; 'auto': two per cut worker plus a batch).
extraction = dict(sc_levels=6, min_side=8, max_side=4096, warn_after_failures=20, dist_timeout_s=86400,
                  pipeline='auto', batch_size='auto', loader_workers='auto', cut_workers='auto', max_in_flight='auto')
