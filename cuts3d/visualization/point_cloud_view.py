"""Offscreen picture of a point cloud, e.g. the patch point cloud coloured by the LocalCut result.

Open3D's offscreen renderer needs an EGL / Vulkan GL stack that headless CPU machines (CI included) lack, so the
points are rendered here in numpy: a rotation to a 3/4 view, an orthographic projection, and z-buffered splatting
of each point as a small shaded sphere impostor (nearer fragments win, a darker rim outlines each point, farther
points are dimmed). It is deterministic and needs no display.

Input points use the project's orthographic unprojection convention (``cuts3d.cutting.point_cloud``):
``(x, y, D)`` with x to the right, y down the image and D the depth (larger = farther).
"""
from __future__ import annotations

import numpy as np

from .canvas import check_map, put_label

# LocalCut point labels: patches outside the bipartition, the part of it cut away in 3D, the instance.
OUTSIDE, CUT_AWAY, INSTANCE = 0, 1, 2
LOCAL_CUT_PALETTE = {OUTSIDE: (175, 175, 175), CUT_AWAY: (255, 140, 0), INSTANCE: (40, 200, 80)}
LOCAL_CUT_LEGEND = {OUTSIDE: 'outside bipartition', CUT_AWAY: 'bipartition, cut away in 3D',
                    INSTANCE: 'LocalCut instance'}


def view_rotation(elevation: float, azimuth: float) -> np.ndarray:
    """3 x 3 rotation of view coordinates (X right, Y up, Z towards the viewer): ``azimuth`` degrees about the
    vertical axis (positive: the camera moves left), then ``elevation`` degrees about X (positive: from above)."""
    a, e = np.deg2rad(azimuth), np.deg2rad(elevation)
    about_y = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    about_x = np.array([[1, 0, 0], [0, np.cos(e), -np.sin(e)], [0, np.sin(e), np.cos(e)]])
    return about_x @ about_y


def _splat_offsets(radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel offsets of a disc, their sphere-impostor height (1 in the middle, 0 on the rim) and a rim flag."""
    dy, dx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    dist = np.hypot(dy, dx)
    inside = dist <= radius + 0.25
    bulge = np.sqrt(np.clip(1.0 - (dist / (radius + 0.5)) ** 2, 0.0, 1.0))
    return np.stack([dy[inside], dx[inside]], axis=1), bulge[inside], (dist[inside] > radius - 1)


def render_points(points: np.ndarray, colors: np.ndarray, size: tuple[int, int] = (320, 320),
                  elevation: float = 20.0, azimuth: float = -45.0, point_radius: int | None = None,
                  background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Render ``points`` (``N x 3``, ``(x, y, D)``) with per-point ``colors`` (``N x 3`` uint8) to uint8 RGB.

    The cloud is centred, rotated by :func:`view_rotation`, projected orthographically and scaled uniformly to
    fill ``size = (H, W)`` with a margin (the depth axis keeps its scale relative to x and y). ``point_radius``
    in pixels defaults to about half the expected point spacing.
    """
    points = np.asarray(points, dtype=np.float64)
    colors = np.asarray(colors)
    if points.ndim != 2 or points.shape[1] != 3 or len(points) == 0:
        raise ValueError(f'points must be a non-empty N x 3 array, got shape {points.shape}')
    if colors.shape != points.shape or colors.dtype != np.uint8:
        raise ValueError(f'colors must be uint8 N x 3 = {points.shape}, got {colors.dtype} {colors.shape}')
    if not np.isfinite(points).all():
        raise ValueError('points contain NaN or inf; fill or drop them first')
    height, width = size
    view = (points - (points.min(0) + points.max(0)) / 2) * np.array([1.0, -1.0, -1.0])  # y up, D towards viewer
    view = view @ view_rotation(elevation, azimuth).T
    extent = max(np.ptp(view[:, 0]), np.ptp(view[:, 1]), 1e-6)
    scale = 0.84 * min(height, width) / extent
    cols = width / 2 + scale * (view[:, 0] - (view[:, 0].min() + view[:, 0].max()) / 2)
    rows = height / 2 - scale * (view[:, 1] - (view[:, 1].min() + view[:, 1].max()) / 2)
    if point_radius is None:
        point_radius = max(1, int(round(0.55 * 0.84 * min(height, width) / np.sqrt(len(points)))))
    offsets, bulge, rim = _splat_offsets(int(point_radius))
    # Fragments: every point times every disc offset; the impostor bulge makes overlapping discs meet sensibly.
    frag_rows = np.rint(rows)[:, None].astype(np.int64) + offsets[None, :, 0]
    frag_cols = np.rint(cols)[:, None].astype(np.int64) + offsets[None, :, 1]
    frag_z = view[:, 2][:, None] + bulge[None, :] * point_radius / scale
    near = (view[:, 2] - view[:, 2].min()) / max(np.ptp(view[:, 2]), 1e-9)
    shade = (0.6 + 0.4 * near)[:, None] * np.where(rim, 0.55, 0.8 + 0.2 * bulge)[None, :]
    frag_point = np.broadcast_to(np.arange(len(points))[:, None], frag_rows.shape)
    keep = (frag_rows >= 0) & (frag_rows < height) & (frag_cols >= 0) & (frag_cols < width)
    pixel = (frag_rows * width + frag_cols)[keep]
    order = np.lexsort((-frag_z[keep], pixel))  # per pixel, nearest fragment first
    pixel, first = np.unique(pixel[order], return_index=True)
    winner = order[first]
    canvas = np.empty((height * width, 3), dtype=np.uint8)
    canvas[:] = background
    rgb = colors[frag_point[keep][winner]].astype(np.float64) * shade[keep][winner][:, None]
    canvas[pixel] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return canvas.reshape(height, width, 3)


def local_cut_point_labels(bipartition: np.ndarray, instance: np.ndarray) -> np.ndarray:
    """Per-patch labels, flattened row-major like the orthographic point cloud: :data:`INSTANCE` for the
    LocalCut instance, :data:`CUT_AWAY` for the rest of the bipartition, :data:`OUTSIDE` otherwise."""
    bipartition = check_map(bipartition, 'bipartition').astype(bool)
    instance = check_map(instance, 'instance').astype(bool)
    if instance.shape != bipartition.shape:
        raise ValueError(f'instance {instance.shape} and bipartition {bipartition.shape} must share the grid')
    labels = np.full(bipartition.shape, OUTSIDE, dtype=np.int64)
    labels[bipartition] = CUT_AWAY
    labels[instance] = INSTANCE
    return labels.ravel()


def draw_point_cloud(points: np.ndarray, labels: np.ndarray, size: tuple[int, int] = (320, 320),
                     palette: dict[int, tuple[int, int, int]] | None = None,
                     legend: dict[int, str] | None = None, elevation: float = 20.0, azimuth: float = -45.0,
                     point_radius: int | None = None) -> np.ndarray:
    """Render a labelled point cloud (e.g. ``labels`` from :func:`local_cut_point_labels`) in a 3/4 view, with
    one colour per label (default :data:`LOCAL_CUT_PALETTE`) and a legend of the labels present."""
    palette = LOCAL_CUT_PALETTE if palette is None else palette
    legend = LOCAL_CUT_LEGEND if legend is None and palette is LOCAL_CUT_PALETTE else legend
    labels = np.asarray(labels).ravel()
    if len(labels) != len(points):
        raise ValueError(f'got {len(points)} points but {len(labels)} labels')
    unknown = sorted(set(np.unique(labels).tolist()) - set(palette))
    if unknown:
        raise ValueError(f'labels {unknown} have no colour in the palette {sorted(palette)}')
    colors = np.zeros((len(labels), 3), dtype=np.uint8)
    for label, color in palette.items():
        colors[labels == label] = color
    picture = render_points(points, colors, size, elevation, azimuth, point_radius)
    present = [label for label in sorted(palette) if (labels == label).any() and legend and label in legend]
    for line, label in enumerate(present):
        put_label(picture, legend[label], (4, 4 + 16 * line), palette[label])
    return picture
