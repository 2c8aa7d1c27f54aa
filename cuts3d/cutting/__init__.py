"""Graph cutters, affinity modifiers, partitioners, confidence estimators and mask refiners."""
from .connected_component import ConnectedComponent2D
from .constant_confidence import ConstantConfidence
from .dense_crf import DenseCRF
from .identity_refiner import Identity
from .local_cut import LocalCut
from .ncut import NCutCutter
from .point_cloud import depth_to_grid, fill_missing_depth, unproject_orthographic
from .spatial_confidence import SpatialConfidence
from .spatial_importance import SpatialImportance
