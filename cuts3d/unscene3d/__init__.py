"""UnScene3D (Rozenberszki et al.) over the project's components: 3D segments, masked NCut, 3D instance AP.

Over-segmentation (:class:`FelzenszwalbSegmenter`, OVER_SEGMENTERS), segment features (SEGMENT_FEATURES), the
masked NCut of the paper's Algorithm 1, the :class:`SegmentNCutGenerator` (PSEUDO_MASK_GENERATORS), a ScanNet-style
class-agnostic AP evaluator and deterministic synthetic scenes for tests and demos.
"""
from .felzenszwalb import FelzenszwalbSegmenter, edge_weights, felzenszwalb_segments
from .instance_ap import AP_IOUS, evaluate_instance_ap, scannet_average_precision
from .masked_ncut import SegmentCut, fused_affinity, masked_segment_ncut, normalized_similarity, seed_component
from .neighbour_graph import neighbour_edges, segment_adjacency, undirected_pairs
from .point_scene import PointScene, as_point_scene, mesh_edges
from ..registry import OVER_SEGMENTERS, SEGMENT_FEATURES
from .segment_features import SegmentMeanColor, SegmentMeanNormal, segment_means
from .segment_ncut_generator import PointInstance, SegmentNCutGenerator
from .synthetic_scenes import SyntheticPointScene, generate_point_scene

__all__ = [
    'AP_IOUS', 'OVER_SEGMENTERS', 'SEGMENT_FEATURES', 'FelzenszwalbSegmenter', 'PointInstance', 'PointScene',
    'SegmentCut', 'SegmentMeanColor', 'SegmentMeanNormal', 'SegmentNCutGenerator', 'SyntheticPointScene',
    'as_point_scene', 'edge_weights', 'evaluate_instance_ap', 'felzenszwalb_segments', 'fused_affinity',
    'generate_point_scene', 'masked_segment_ncut', 'mesh_edges', 'neighbour_edges', 'normalized_similarity',
    'scannet_average_precision', 'seed_component', 'segment_adjacency', 'segment_means', 'undirected_pairs'
]
