"""ZoeDepth (Bhat et al., 2023), the CutS3D paper's depth model (sec. 4), from ``transformers``: metric depth."""
from __future__ import annotations

from ..registry import DEPTH_SOURCES
from .normalize import DepthNormalizer
from .transformers_depth import TransformersDepth


@DEPTH_SOURCES.register_module()
class ZoeDepth(TransformersDepth):
    """ZoeDepth (``Intel/zoedepth-nyu-kitti``: the NK model, one head for indoor and one for outdoor scenes;
    ``Intel/zoedepth-nyu``, ``Intel/zoedepth-kitti``).

    Output: *metric* depth in metres (larger = farther). Normalised as it is (percentiles of metres). The image
    processor pads the input (reflect), and the library's ``post_process_depth_estimation`` removes the padding and
    resizes to the image, as ZoeDepth's own ``infer`` does; with ``flip_augmentation`` the prediction of the
    mirrored image is averaged in (ZoeDepth's ``infer(with_flip_aug=True)`` default), which doubles the cost.

    Args:
        model: hub id or local directory.
        flip_augmentation: average with the horizontally flipped image's prediction.
        device, dtype, batch_size, normalizer: see :class:`~cuts3d.depth.model_depth.ModelDepth`.
    """

    model_class = 'ZoeDepthForDepthEstimation'
    inverse = False

    def __init__(self, model: str = 'Intel/zoedepth-nyu-kitti', flip_augmentation: bool = True, device: str = 'cpu',
                 dtype: str = 'auto', batch_size: int = 4, normalizer: DepthNormalizer | dict | None = None) -> None:
        super().__init__(model, device, dtype, batch_size, normalizer)
        self.flip_augmentation = flip_augmentation

    def infer(self, pixel_values, sizes: list[tuple[int, int]]) -> list:
        """Prediction (averaged with the flipped one), padding removed, at each image's size."""
        outputs = self.model(pixel_values=pixel_values)
        flipped = self.model(pixel_values=pixel_values.flip(-1)) if self.flip_augmentation else None
        results = self.processor.post_process_depth_estimation(outputs, source_sizes=sizes, outputs_flipped=flipped)
        return [result['predicted_depth'] for result in results]
