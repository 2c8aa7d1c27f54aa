"""One pseudo-mask at its image's size: what a pseudo-mask generator returns (``docs/design.md``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Instance:
    """One pseudo-mask at the original image size.

    ``mask`` bool ``H x W``; ``confidence`` float32 ``H x W`` in [0, 1] (the Spatial Confidence map, 1 inside the
    mask for methods without one, 0 outside); ``score`` the mean confidence inside the mask; ``provenance`` says
    which cut of the image produced it and with which settings.
    """

    mask: np.ndarray
    confidence: np.ndarray
    score: float
    provenance: dict[str, Any] = field(default_factory=dict)
