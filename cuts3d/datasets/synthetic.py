"""Deterministic synthetic scenes with RGB, depth and instance ground truth, for demos and end-to-end tests.

No package ships real images with multi-instance masks *and* depth, so the demo and the tests render their own.
A scene is a few shaded objects (ellipsoids, spheres, rounded boxes) floating in front of a textured ground plane
that recedes in depth (bottom of the image near, top far). Everything is z-buffered once, so the RGB image, the
depth map and the instance masks agree pixel for pixel: an occluded part of an object is missing from its mask,
and every mask border is a depth discontinuity.

Scene kinds (:data:`SCENE_KINDS`):

``same_appearance_overlap``
    The case CutS3D targets. Two or three objects of ONE appearance (same shape family, colour and texture) form
    a chain in which consecutive objects overlap in 2D, each one a depth step (:data:`MIN_DEPTH_GAP` or more)
    behind the previous. Semantic features cannot tell them apart and a 2D connected-component rule (MaskCut)
    merges them, but the depth step separates them in 3D.
``distinct_separated``
    The easy case: two to four objects of pairwise distinct colours and textures, well apart in 2D.
``mixed``
    One overlapping same-appearance pair plus one or two separated objects of other appearances.

Colours: objects are saturated and bright (HSV saturation 0.7-0.95, value 0.8-1), the plane is dark and greyish
(saturation 0.05-0.25, value 0.3-0.5), and shading is mild (ambient 0.65), so even weight-free colour features
(``PatchColorFeatures``) tell objects from the plane, while objects of one appearance stay indistinguishable.

Depth is float32 in [0, 1], larger = farther: objects lie in [0.12, 0.66] and the plane in [0.72, 1.0], so an
object border always jumps by at least 0.06 (object / plane) or :data:`MIN_DEPTH_GAP` (object / object), while
depth inside an object changes by at most a few hundredths per pixel.

Everything is drawn from ``numpy.random.default_rng([seed, index])``: a scene depends only on ``(seed, index,
size, kinds)``, and files written twice with the same arguments are byte-identical.
"""
from __future__ import annotations

import colorsys
import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..pseudo.rle import encode_mask

SCENE_KINDS = ('same_appearance_overlap', 'distinct_separated', 'mixed')
SHAPES = ('ellipse', 'sphere', 'rounded_box')
TEXTURES = ('stripes', 'dots', 'checker')
CATEGORY = {'id': 1, 'name': 'object'}
# Depth layout (see module docstring): objects in front of the plane, with clear steps between touching surfaces.
MIN_DEPTH_GAP = 0.12
PLANE_NEAR = (0.72, 0.78)
PLANE_FAR = 1.0
MIN_VISIBLE_FRACTION = 0.35
LIGHT = np.array([-0.45, -0.55, 0.70]) / np.linalg.norm([-0.45, -0.55, 0.70])  # from top-left, towards camera
_MAX_TRIES = 500


@dataclass(frozen=True)
class Appearance:
    """What an object looks like: base colour (RGB in [0, 1]) and a texture in the object's own coordinates."""

    color: tuple[float, float, float]
    texture: str
    frequency: float
    angle: float


@dataclass(frozen=True)
class SceneObject:
    """One object: footprint ``shape`` centred at ``center`` (row, col) with ``radii`` (rows, cols) in pixels,
    rotated by ``angle`` radians; its silhouette lies at ``depth`` and its middle bulges ``thickness`` nearer."""

    shape: str
    center: tuple[float, float]
    radii: tuple[float, float]
    angle: float
    depth: float
    thickness: float
    appearance: Appearance
    appearance_id: int


@dataclass
class SyntheticScene:
    """A rendered scene: ``image`` uint8 H x W x 3, ``depth`` float32 H x W, ``labels`` int32 H x W
    (0 = plane, k = ``objects[k - 1]``), and the scene ``kind``."""

    image: np.ndarray
    depth: np.ndarray
    labels: np.ndarray
    objects: list[SceneObject]
    kind: str
    masks: list[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.masks = [self.labels == k for k in range(1, len(self.objects) + 1)]


# ----------------------------------------------------------------------------------------------- geometry


def _local_coords(obj: SceneObject, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel grid in the object's normalised, rotated frame: the footprint edge is at radius 1."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    dy, dx = ys - obj.center[0], xs - obj.center[1]
    cos, sin = np.cos(obj.angle), np.sin(obj.angle)
    u = (dx * cos + dy * sin) / obj.radii[1]
    v = (-dx * sin + dy * cos) / obj.radii[0]
    return u, v


def _footprint_radius(obj: SceneObject, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Superellipse radius: exponent 2 (ellipse, sphere) or 5 (rounded box); inside where < 1."""
    power = 5.0 if obj.shape == 'rounded_box' else 2.0
    return (np.abs(u) ** power + np.abs(v) ** power) ** (1.0 / power)


def object_surface(obj: SceneObject, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Footprint (bool), depth surface and height profile of one object on a ``size x size`` grid.

    The height ``h = sqrt(1 - rho^2)`` is 1 in the middle and 0 on the silhouette; depth is
    ``depth - thickness * h``, so the object bulges towards the camera.
    """
    u, v = _local_coords(obj, size)
    rho = _footprint_radius(obj, u, v)
    inside = rho < 1.0
    height = np.sqrt(np.clip(1.0 - rho ** 2, 0.0, 1.0))
    return inside, obj.depth - obj.thickness * height, height


def plane_depth(size: int, near: float, tilt: float) -> np.ndarray:
    """Depth of the ground plane: ``near`` at the bottom row, :data:`PLANE_FAR` at the top, a slight left-right
    ``tilt``; rows follow a mild power law so the far half is compressed, as on a real receding floor."""
    rows = np.linspace(1.0, 0.0, size)[:, None] ** 0.8  # 1 at the top row, 0 at the bottom
    cols = np.linspace(-0.5, 0.5, size)[None, :]
    depth = near + (PLANE_FAR - near) * rows + tilt * cols * (1.0 - rows)
    return np.clip(depth, 0.0, 1.0)


# ------------------------------------------------------------------------------------------------ texture


def _value_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Smooth noise in [-1, 1]: a ``cells x cells`` random grid, bicubically upsampled."""
    grid = rng.uniform(-1.0, 1.0, (cells, cells)).astype(np.float32)
    return np.clip(cv2.resize(grid, (size, size), interpolation=cv2.INTER_CUBIC), -1.0, 1.0)


def _pattern(texture: str, u: np.ndarray, v: np.ndarray, frequency: float, angle: float) -> np.ndarray:
    """Texture in [0, 1] in object coordinates, so one appearance looks the same on every object."""
    cos, sin = np.cos(angle), np.sin(angle)
    a, b = u * cos + v * sin, -u * sin + v * cos
    if texture == 'stripes':
        return 0.5 + 0.5 * np.sin(2 * np.pi * frequency * a)
    if texture == 'dots':
        return np.clip(np.cos(np.pi * frequency * a) * np.cos(np.pi * frequency * b), 0.0, 1.0) ** 0.5
    return 0.5 + 0.5 * np.tanh(4.0 * np.sin(np.pi * frequency * a) * np.sin(np.pi * frequency * b))


def _shade(height: np.ndarray, radius: float) -> np.ndarray:
    """Lambertian shading of the height profile (ambient 0.55), normals from its pixel gradient."""
    gy, gx = np.gradient(height * radius * 0.6)
    normal = np.stack([-gx, -gy, np.ones_like(height)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    return 0.65 + 0.35 * np.clip(normal @ LIGHT, 0.0, 1.0)


def _object_colors(obj: SceneObject, size: int, height: np.ndarray) -> np.ndarray:
    """RGB in [0, 1] of one object over the whole grid (used only where the object is visible)."""
    app = obj.appearance
    u, v = _local_coords(obj, size)
    texture = _pattern(app.texture, u, v, app.frequency, app.angle)
    albedo = np.asarray(app.color)[None, None, :] * (0.75 + 0.25 * texture)[..., None]
    return albedo * _shade(height, float(np.mean(obj.radii)))[..., None]


def _plane_colors(rng: np.random.Generator, depth: np.ndarray, color: np.ndarray) -> np.ndarray:
    """Ground plane: perspective tiles in plane coordinates, two octaves of smooth noise, and the base colour."""
    size = depth.shape[0]
    xs = (np.arange(size)[None, :] + 0.5) / size - 0.5
    plane_x = xs / (1.05 - depth)  # lateral plane coordinate widens towards the horizon
    plane_z = 1.0 / (1.05 - depth)
    tiles = np.tanh(3.0 * np.sin(6.0 * plane_x) * np.sin(4.0 * plane_z))
    noise = 0.6 * _value_noise(rng, size, 6) + 0.4 * _value_noise(rng, size, 24)
    brightness = 0.8 + 0.1 * tiles + 0.15 * noise
    return color[None, None, :] * brightness[..., None]


# ------------------------------------------------------------------------------------------------ sampling


def _hsv(hue: float, saturation: float, value: float) -> tuple[float, float, float]:
    return colorsys.hsv_to_rgb(hue % 1.0, saturation, value)


def _appearances(rng: np.random.Generator, count: int) -> list[Appearance]:
    """``count`` appearances with hues at least 1/6 turn apart; texture, frequency and angle drawn at random."""
    slots = rng.permutation(6)[:count]
    textures = rng.permutation(len(TEXTURES) * 2)[:count] % len(TEXTURES)
    return [Appearance(color=_hsv(slot / 6 + rng.uniform(-0.03, 0.03), rng.uniform(0.70, 0.95),
                                  rng.uniform(0.80, 1.00)),
                       texture=TEXTURES[t], frequency=float(rng.uniform(2.0, 4.5)),
                       angle=float(rng.uniform(0, np.pi)))
            for slot, t in zip(slots, textures)]


def _radius(rng: np.random.Generator, size: int, depth: float) -> float:
    """Apparent radius in pixels: a random physical size with a soft perspective (nearer = larger)."""
    return size * rng.uniform(0.11, 0.16) * np.sqrt(0.3 / depth)


def _make_object(rng: np.random.Generator, size: int, shape: str, center: tuple[float, float], depth: float,
                 appearance: Appearance, appearance_id: int, radius: float | None = None) -> SceneObject:
    radius = _radius(rng, size, depth) if radius is None else radius
    aspect = 1.0 if shape == 'sphere' else rng.uniform(0.65, 1.0)
    radii = (radius * aspect, radius) if rng.random() < 0.5 else (radius, radius * aspect)
    angle = 0.0 if shape == 'sphere' else float(rng.uniform(-0.6, 0.6))
    thickness = float(rng.uniform(0.02, 0.04))
    return SceneObject(shape=shape, center=(float(center[0]), float(center[1])), radii=(float(radii[0]),
                       float(radii[1])), angle=angle, depth=float(depth + thickness), thickness=thickness,
                       appearance=appearance, appearance_id=appearance_id)


def _fits(obj: SceneObject, size: int, margin: float = 2.0) -> bool:
    reach = max(obj.radii)
    return all(margin + reach <= c <= size - margin - reach for c in obj.center)


def _overlapping_chain(rng: np.random.Generator, size: int, count: int, appearance: Appearance,
                       appearance_id: int) -> list[SceneObject]:
    """``count`` objects of one appearance, each overlapping the previous one in 2D and a depth step behind it."""
    shape = SHAPES[rng.integers(len(SHAPES))]
    front = float(rng.uniform(0.12, 0.20))
    first = _make_object(rng, size, shape, rng.uniform(0.3 * size, 0.7 * size, 2), front, appearance,
                         appearance_id)
    chain = [first]
    for _ in range(count - 1):
        prev = chain[-1]
        depth = prev.depth + float(rng.uniform(MIN_DEPTH_GAP, MIN_DEPTH_GAP + 0.05))
        radius = _radius(rng, size, depth)
        direction = rng.uniform(0, 2 * np.pi)
        distance = (max(prev.radii) + radius) * rng.uniform(0.6, 0.85)
        center = (prev.center[0] + distance * np.sin(direction), prev.center[1] + distance * np.cos(direction))
        chain.append(_make_object(rng, size, shape, center, depth, appearance, appearance_id, radius))
    return chain


def _separated_objects(rng: np.random.Generator, size: int, appearances: list[Appearance], first_id: int,
                       existing: list[SceneObject], gap: int) -> list[SceneObject] | None:
    """One object per appearance, each at least ``gap`` pixels away from every other footprint; None if no room."""
    taken = np.zeros((size, size), dtype=bool)
    for obj in existing:
        taken |= object_surface(obj, size)[0]
    kernel = np.ones((2 * gap + 1, 2 * gap + 1), np.uint8)
    placed: list[SceneObject] = []
    for offset, appearance in enumerate(appearances):
        for _ in range(50):
            obj = _make_object(rng, size, SHAPES[rng.integers(len(SHAPES))], rng.uniform(0, size, 2),
                               float(rng.uniform(0.15, 0.50)), appearance, first_id + offset)
            footprint = object_surface(obj, size)[0]
            if _fits(obj, size) and not (cv2.dilate(footprint.astype(np.uint8), kernel).astype(bool) & taken).any():
                placed.append(obj)
                taken |= footprint
                break
        else:
            return None
    return placed


def sample_objects(kind: str, size: int, rng: np.random.Generator) -> list[SceneObject]:
    """The objects of one scene of ``kind`` (see :data:`SCENE_KINDS`), before visibility checks."""
    if kind == 'same_appearance_overlap':
        appearance = _appearances(rng, 1)[0]
        return _overlapping_chain(rng, size, int(rng.integers(2, 4)), appearance, 1)
    if kind == 'distinct_separated':
        return _separated_objects(rng, size, _appearances(rng, int(rng.integers(2, 5))), 1, [], gap=size // 20) or []
    if kind == 'mixed':
        appearances = _appearances(rng, int(rng.integers(2, 4)))
        pair = _overlapping_chain(rng, size, 2, appearances[0], 1)
        others = _separated_objects(rng, size, appearances[1:], 2, pair, gap=size // 20)
        return [] if others is None else pair + others
    raise ValueError(f'unknown scene kind {kind!r}; choose from {SCENE_KINDS}')


# ------------------------------------------------------------------------------------------------ rendering


def render_scene(objects: list[SceneObject], size: int, rng: np.random.Generator, kind: str) -> SyntheticScene:
    """Z-buffer ``objects`` over a textured receding plane; RGB, depth and labels come from the same buffer."""
    plane_near = float(rng.uniform(*PLANE_NEAR))
    depth = plane_depth(size, plane_near, tilt=float(rng.uniform(-0.04, 0.04)))
    plane_rgb = _hsv(rng.uniform(0, 1), rng.uniform(0.05, 0.25), rng.uniform(0.30, 0.50))
    image = _plane_colors(rng, depth, np.asarray(plane_rgb))
    labels = np.zeros((size, size), dtype=np.int32)
    for k, obj in enumerate(objects, start=1):
        inside, surface, height = object_surface(obj, size)
        front = inside & (surface < depth)
        depth = np.where(front, surface, depth)
        labels[front] = k
        image[front] = _object_colors(obj, size, height)[front]
    image = image * 255.0 + rng.normal(0.0, 2.0, image.shape)
    return SyntheticScene(image=np.clip(np.rint(image), 0, 255).astype(np.uint8),
                          depth=depth.astype(np.float32), labels=labels, objects=objects, kind=kind)


def _visible_enough(scene: SyntheticScene, size: int) -> bool:
    """Every object keeps at least :data:`MIN_VISIBLE_FRACTION` of its footprint and forms one 4-connected piece."""
    for obj, mask in zip(scene.objects, scene.masks):
        footprint = object_surface(obj, size)[0]
        if not _fits(obj, size) or mask.sum() < MIN_VISIBLE_FRACTION * footprint.sum():
            return False
        if cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)[0] != 2:
            return False
    return True


def generate_scene(index: int, seed: int = 0, size: int = 256, kinds: tuple[str, ...] = SCENE_KINDS
                   ) -> SyntheticScene:
    """Scene ``index`` of the sequence for ``seed``: kind ``kinds[index % len(kinds)]``, drawn from
    ``default_rng([seed, index])`` and re-drawn (from the same stream) until every object is visible enough."""
    if size < 64:
        raise ValueError(f'size must be at least 64 pixels, got {size}')
    if not kinds:
        raise ValueError('kinds must name at least one scene kind')
    kind = kinds[index % len(kinds)]
    if kind not in SCENE_KINDS:
        raise ValueError(f'unknown scene kind {kind!r}; choose from {SCENE_KINDS}')
    rng = np.random.default_rng([seed, index])
    for _ in range(_MAX_TRIES):
        objects = sample_objects(kind, size, rng)
        if not objects or not all(_fits(obj, size) for obj in objects):
            continue
        scene = render_scene(objects, size, rng, kind)
        if _visible_enough(scene, size):
            return scene
    raise RuntimeError(f'could not place a {kind} scene (seed {seed}, index {index}) in {_MAX_TRIES} tries')


# ------------------------------------------------------------------------------------------------ files


def _bbox(mask: np.ndarray) -> list[float]:
    """COCO ``[x, y, w, h]`` box of a non-empty bool mask (pixel-edge convention, as pycocotools' ``toBbox``)."""
    rows, cols = np.nonzero(mask)
    return [float(cols.min()), float(rows.min()), float(cols.max() - cols.min() + 1),
            float(rows.max() - rows.min() + 1)]


def scene_annotations(scene: SyntheticScene, image_id: int, first_ann_id: int) -> list[dict]:
    """COCO instance annotations (category ``object``, compressed RLE) of the visible objects of a scene.

    Extra keys that COCO readers ignore: ``appearance`` (objects with equal ids look the same) and ``depth``
    (median depth of the visible pixels).
    """
    annotations = []
    for offset, (obj, mask) in enumerate(zip(scene.objects, scene.masks)):
        annotations.append({
            'id': first_ann_id + offset, 'image_id': image_id, 'category_id': CATEGORY['id'],
            'segmentation': encode_mask(mask), 'area': int(mask.sum()), 'bbox': _bbox(mask),
            'iscrowd': 0, 'appearance': obj.appearance_id,
            'depth': round(float(np.median(scene.depth[mask])), 4)})
    return annotations


def write_synthetic_dataset(out_dir: str | Path, num: int, seed: int = 0, size: int = 256,
                            kinds: tuple[str, ...] = SCENE_KINDS) -> Path:
    """Write ``num`` scenes under ``out_dir``: ``images/scene_XXXX.png`` (RGB), ``depth/scene_XXXX.npy``
    (float32, [0, 1], larger = farther) and ``annotations.json`` (COCO instances). Returns the json path."""
    if num < 1:
        raise ValueError(f'num must be >= 1, got {num}')
    out_dir = Path(out_dir)
    (out_dir / 'images').mkdir(parents=True, exist_ok=True)
    (out_dir / 'depth').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for index in range(num):
        scene = generate_scene(index, seed=seed, size=size, kinds=kinds)
        stem = f'scene_{index:04d}'
        cv2.imwrite(str(out_dir / 'images' / f'{stem}.png'), cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        np.save(out_dir / 'depth' / f'{stem}.npy', scene.depth)
        images.append({'id': index + 1, 'file_name': f'{stem}.png', 'width': size, 'height': size,
                       'scene_kind': scene.kind})
        annotations += scene_annotations(scene, index + 1, len(annotations) + 1)
    coco = {'info': {'description': 'cuts3d synthetic scenes', 'seed': seed, 'size': size, 'kinds': list(kinds)},
            'images': images, 'annotations': annotations, 'categories': [CATEGORY]}
    path = out_dir / 'annotations.json'
    path.write_text(json.dumps(coco, indent=1, sort_keys=True) + '\n')
    return path
