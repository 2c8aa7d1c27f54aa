"""Regenerate the sample data embedded in the repository (``data/samples/``), deterministically.

    python tools/make_sample_data.py [--out data/samples]

``synthetic/``: rendered scenes with depth and COCO instance ground truth (:mod:`cuts3d.utils.synthetic_images`).
``real/``: real stereo photographs with ground-truth depth, downscaled:

* ``motorcycle``: Middlebury 2014 "Motorcycle", as shipped by scikit-image (``skimage.data.stereo_motorcycle``).
  Depth ``Z = f * B / (d + doffs)`` with the calibration of its docstring (f = 994.978 px, B = 193.001 mm,
  doffs = 31.086 px, valid for the 741 x 500 images).
* ``aloe``: Middlebury 2006 "Aloe" from Debian's ``opencv-doc`` package (``aloeL.jpg``, ``aloeR.jpg``,
  ``aloeGT.png``), when that package is installed; skipped otherwise. Its ground truth stores ``d - dmin`` with 0
  for unknown; depth ``Z = f * B / (value + dmin)`` with the 2005/2006 Middlebury camera (f = 3740 px, B = 160 mm)
  and dmin = 270 (*unverified*: dmin.txt is not shipped; it only bends the [0, 1] normalisation slightly).

Each real sample is ``images/<stem>.png`` (left view), ``right/<stem>.png`` (right view, for a stereo depth source)
and ``depth/<stem>.npy`` (float32, min-max normalised to [0, 1] over the valid pixels, larger = farther, NaN where
the ground truth is unknown); ``calibration.json`` holds each sample's calibration at the stored size, with the keys
of ``StereoDepth(calibration=...)`` (``focal_length`` and ``doffs`` in pixels, ``baseline`` in mm), and the metric
depth range (``depth_mm = depth_min_mm + depth * (depth_max_mm - depth_min_mm)``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from skimage import data as skdata

from cuts3d.utils.synthetic_images import write_synthetic_dataset

OPENCV_DATA = Path('/usr/share/doc/opencv-doc/examples/data')
# Keys as StereoDepth's ``calibration`` (pixels, mm, pixels).
MOTORCYCLE = dict(focal_length=994.978, baseline=193.001, doffs=31.086)
ALOE = dict(focal_length=3740.0, baseline=160.0, doffs=270.0)


def disparity_to_depth(disparity: np.ndarray, focal_length: float, baseline: float, doffs: float) -> np.ndarray:
    """Metric depth (unit of ``baseline``) of a Middlebury disparity map, ``Z = f * B / (d + doffs)``; NaN where
    ``d`` is not finite."""
    disparity = np.asarray(disparity, dtype=np.float64)
    depth = np.full(disparity.shape, np.nan)
    valid = np.isfinite(disparity) & (disparity + doffs > 0)
    depth[valid] = focal_length * baseline / (disparity[valid] + doffs)
    return depth


def downscale_depth(depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """NaN-aware area downscale to ``size`` (W, H): the mean of the valid pixels of each output cell; NaN where
    fewer than half of them are valid."""
    valid = np.isfinite(depth)
    total = cv2.resize(np.where(valid, depth, 0.0), size, interpolation=cv2.INTER_AREA)
    weight = cv2.resize(valid.astype(np.float64), size, interpolation=cv2.INTER_AREA)
    out = np.full(weight.shape, np.nan)
    keep = weight >= 0.5
    out[keep] = total[keep] / weight[keep]
    return out


def normalise_depth(depth: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Min-max normalise metric depth to float32 [0, 1] over its valid pixels; returns (depth, min, max)."""
    lo, hi = float(np.nanmin(depth)), float(np.nanmax(depth))
    return ((depth - lo) / (hi - lo)).astype(np.float32), lo, hi


def write_stereo_sample(out_dir: Path, stem: str, left: np.ndarray, right: np.ndarray, disparity: np.ndarray,
                        calibration: dict, long_side: int) -> dict:
    """Downscale one rectified pair with disparity so its long side is ``long_side``; write image, right view and
    normalised depth; return the calibration at the stored size."""
    height, width = left.shape[:2]
    scale = long_side / max(height, width)
    size = (round(width * scale), round(height * scale))
    depth_mm = downscale_depth(disparity_to_depth(disparity, **calibration), size)
    depth, lo, hi = normalise_depth(depth_mm)
    for folder, view in (('images', left), ('right', right)):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        small = cv2.resize(view, size, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(out_dir / folder / f'{stem}.png'), cv2.cvtColor(small, cv2.COLOR_RGB2BGR))
    (out_dir / 'depth').mkdir(parents=True, exist_ok=True)
    np.save(out_dir / 'depth' / f'{stem}.npy', depth)
    # Disparities scale with the image: f and doffs (pixels) scale, the baseline (mm) does not.
    return {'width': size[0], 'height': size[1], 'focal_length': round(calibration['focal_length'] * scale, 4),
            'doffs': round(calibration['doffs'] * scale, 4), 'baseline': calibration['baseline'],
            'depth_min_mm': round(lo, 3), 'depth_max_mm': round(hi, 3),
            'valid_fraction': round(float(np.isfinite(depth).mean()), 4)}


def _read_rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f'cannot read image {path}')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def write_real_samples(out_dir: Path, long_side: int, opencv_data: Path) -> list[str]:
    """Write the Middlebury samples that are available here; return their stems."""
    left, right, disparity = skdata.stereo_motorcycle()
    calibration = {'motorcycle': dict(source='skimage.data.stereo_motorcycle (Middlebury 2014 Motorcycle)',
                                      **write_stereo_sample(out_dir, 'motorcycle', left, right, disparity,
                                                            MOTORCYCLE, long_side))}
    if (opencv_data / 'aloeGT.png').is_file():
        stored = cv2.imread(str(opencv_data / 'aloeGT.png'), cv2.IMREAD_GRAYSCALE).astype(np.float64)
        stored[stored == 0] = np.nan  # 0 = unknown in Middlebury 2006 ground truth
        calibration['aloe'] = dict(
            source='Debian opencv-doc (Middlebury 2006 Aloe); doffs = dmin 270 is unverified',
            **write_stereo_sample(out_dir, 'aloe', _read_rgb(opencv_data / 'aloeL.jpg'),
                                  _read_rgb(opencv_data / 'aloeR.jpg'), stored, ALOE, long_side))
    else:
        print(f'make_sample_data: {opencv_data}/aloeGT.png not found (Debian package opencv-doc); '
              'skipping the aloe sample', file=sys.stderr)
    (out_dir / 'calibration.json').write_text(json.dumps(calibration, indent=1, sort_keys=True) + '\n')
    return sorted(calibration)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/samples', help='output folder (default: data/samples)')
    parser.add_argument('--num-synthetic', type=int, default=8)
    parser.add_argument('--synthetic-size', type=int, default=192)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--real-long-side', type=int, default=320, help='long side of the real images, pixels')
    parser.add_argument('--opencv-data', type=Path, default=OPENCV_DATA,
                        help='folder holding aloeL.jpg / aloeR.jpg / aloeGT.png (Debian opencv-doc)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    write_synthetic_dataset(out / 'synthetic', args.num_synthetic, seed=args.seed, size=args.synthetic_size)
    stems = write_real_samples(out / 'real', args.real_long_side, args.opencv_data)
    print(f'wrote {args.num_synthetic} synthetic scenes and real samples {stems} to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
