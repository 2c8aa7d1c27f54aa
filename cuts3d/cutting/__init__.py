"""Graph cutters (GRAPH_CUTTERS), affinity modifiers (AFFINITY_MODIFIERS), partitioners (PARTITIONERS), confidence
estimators (CONFIDENCE_ESTIMATORS) and mask refiners (MASK_REFINERS). Importing this package registers all of them;
open3d (LocalCut's k-NN search) loads when a cut first needs it."""
from .connected_component import ConnectedComponent2D
from .constant_confidence import ConstantConfidence
from .dense_crf import DenseCRF
from .local_cut import LocalCut
from .ncut import NCutCutter
from .no_refiner import NoRefiner
from .point_cloud import depth_to_grid, fill_missing_depth, unproject_orthographic
from .spatial_confidence import SpatialConfidence
from .spatial_importance import SpatialImportance

__all__ = ['ConnectedComponent2D', 'ConstantConfidence', 'DenseCRF', 'LocalCut', 'NCutCutter', 'NoRefiner',
           'SpatialConfidence', 'SpatialImportance', 'depth_to_grid', 'fill_missing_depth', 'unproject_orthographic']
