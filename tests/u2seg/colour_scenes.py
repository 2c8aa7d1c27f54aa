"""Tiny coloured scenes for the U2Seg tests: flat-coloured rectangles on a grey background, and their pseudo-mask json.

Weight-free ``PatchColorFeatures`` give same-coloured objects near-identical embeddings, so "same colour" plays
the part of "same semantic class".
"""
from pathlib import Path

import numpy as np
from PIL import Image

from cuts3d.structures import encode_mask, encode_spatial_confidence

GREY = (90, 90, 90)
RED = (230, 30, 30)
BLUE = (30, 60, 230)


def rectangle(shape, top, left, bottom, right):
    mask = np.zeros(shape, bool)
    mask[top:bottom, left:right] = True
    return mask


def write_scenes(root: Path, scenes, size=(64, 96)):
    """``scenes``: per image, a list of ``(colour, (top, left, bottom, right))``. Writes ``root/images/*.png`` and
    returns the class-agnostic pseudo-mask json (dict) with score and spatial_confidence per annotation."""
    (root / 'images').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for image_id, objects in enumerate(scenes, start=1):
        pixels = np.empty(size + (3,), np.uint8)
        pixels[:] = GREY
        for colour, box in objects:
            mask = rectangle(size, *box)
            pixels[mask] = colour
            confidence = mask * np.float32(0.5 + 0.5 * (image_id % 2))
            rle = encode_mask(mask)
            annotations.append({'id': len(annotations) + 1, 'image_id': image_id, 'category_id': 1,
                                'segmentation': rle, 'area': int(mask.sum()),
                                'bbox': [box[1], box[0], box[3] - box[1], box[2] - box[0]], 'iscrowd': 0,
                                'score': float(confidence[mask].mean()),
                                'spatial_confidence': encode_spatial_confidence(confidence, 2)})
        name = f'scene_{image_id}.png'
        Image.fromarray(pixels).save(root / 'images' / name)
        images.append({'id': image_id, 'file_name': name, 'width': size[1], 'height': size[0]})
    return {'info': {}, 'images': images, 'annotations': annotations,
            'categories': [{'id': 1, 'name': 'fg', 'supercategory': 'fg'}]}
