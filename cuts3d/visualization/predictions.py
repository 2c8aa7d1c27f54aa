"""Picture of a detector's predictions: boxes, masks and scores."""
from __future__ import annotations

import cv2
import numpy as np

from .canvas import blend, check_image, distinct_colors, draw_contours, put_label


def draw_predictions(image: np.ndarray, boxes: np.ndarray, scores: np.ndarray, masks: np.ndarray | None = None,
                     score_thr: float = 0.5, max_detections: int = 30, alpha: float = 0.4) -> np.ndarray:
    """Detections with ``score >= score_thr`` (at most ``max_detections``, best first): box (``x1, y1, x2, y2``
    in pixels), mask (bool ``N x H x W`` at the image size, optional) and score. Best is drawn last (on top).
    Returns uint8 RGB."""
    picture = check_image(image)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if len(scores) != len(boxes):
        raise ValueError(f'got {len(boxes)} boxes but {len(scores)} scores')
    if masks is not None:
        masks = np.asarray(masks).astype(bool)
        if masks.shape != (len(boxes), *picture.shape[:2]):
            raise ValueError(f'masks must be N x H x W = {(len(boxes), *picture.shape[:2])}, got {masks.shape}')
    order = [i for i in np.argsort(-scores, kind='stable') if scores[i] >= score_thr][:max_detections]
    colors = distinct_colors(len(order))
    for rank in reversed(range(len(order))):
        index = order[rank]
        color = tuple(int(c) for c in colors[rank])
        if masks is not None and masks[index].any():
            picture = blend(picture, np.broadcast_to(np.array(color, np.uint8), picture.shape), alpha,
                            where=masks[index])
            draw_contours(picture, masks[index], color, 1)
        x1, y1, x2, y2 = (int(round(c)) for c in boxes[index])
        cv2.rectangle(picture, (x1, y1), (x2, y2), color, 2, lineType=cv2.LINE_AA)
        put_label(picture, f'{scores[index]:.2f}', (x1, y1), color)
    return picture
