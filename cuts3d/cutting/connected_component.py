"""MaskCut's partitioner: the connected component of the NCut bipartition that holds the seed patch (CutLER)."""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..registry import PARTITIONERS
from ..structures import Cut, CutContext

# scipy.ndimage structuring elements: 4-connectivity (MaskCut's, ndimage.label's default) and 8-connectivity.
STRUCTURES = {4: ndimage.generate_binary_structure(2, 1), 8: ndimage.generate_binary_structure(2, 2)}


@PARTITIONERS.register_module()
class ConnectedComponent2D:
    """Keep the connected component of ``cut.bipartition`` that contains ``cut.seed`` (MaskCut's ``detect_box``).

    Args:
        connectivity: 4 (MaskCut: ``scipy.ndimage.label`` with its default structure) or 8.
    """

    def __init__(self, connectivity: int = 4) -> None:
        if connectivity not in STRUCTURES:
            raise ValueError(f'connectivity must be 4 or 8, got {connectivity}')
        self.connectivity = connectivity

    def __call__(self, cut: Cut, context: CutContext) -> np.ndarray:
        bipartition = np.asarray(cut.bipartition, dtype=bool)
        if bipartition.ndim != 2:
            raise ValueError(f'Cut.bipartition must be h x w, got shape {bipartition.shape}')
        if not 0 <= cut.seed < bipartition.size:
            raise ValueError(f'Cut.seed {cut.seed} is outside the {bipartition.shape} grid')
        seed = np.unravel_index(cut.seed, bipartition.shape)
        if not bipartition[seed]:
            raise ValueError(f'Cut.seed {cut.seed} is not in the bipartition, so it has no component')
        labels, _ = ndimage.label(bipartition, structure=STRUCTURES[self.connectivity])
        return labels == labels[seed]
