"""Synthetic hip radiographs for the demo study.

The demo study needs images that a reader accepts as post-operative radiographs of a proximal
femur after an intertrochanteric fracture fixed with a sliding hip screw, at any stage of healing,
without shipping patient data. This module renders them procedurally, fast enough to make a whole
demo study on the fly.

How an image is made
--------------------
Every structure is described analytically in a *reference frame* of 1024 x 1280 units (0.27 mm
per unit, a field of about 28 x 35 cm). For a requested shape the frame is scaled uniformly to fit
and centred, so every shape shows the same anatomy at a proportional size.

The renderer builds a map of projected attenuation, as an X-ray does:

* soft tissue: chord lengths through the thigh and the trunk, with a subcutaneous fat layer a
  little less attenuating than muscle so the muscle outline shows;
* bone: each part of the femur and pelvis is a smooth signed-distance shape. The path length
  through a cylindrical cortical shell and its core is computed from the depth inside the
  outline, which gives the bright cortical walls and the darker medullary canal of a long bone;
* trabecular bone: band-passed noise plus the compressive and tensile trabecular groups of the
  proximal femur, drawn as noisy line patterns, sparse in Ward's triangle;
* the fracture: an oblique line from the greater towards the lesser trochanter, a dark gap with a
  cortical step at first; with healing the gap fills and blurs, and a periosteal callus grows on
  the outside of the cortex, then matures into a smaller, smoother, denser bridge;
* the implant: a sliding hip screw (lag screw, barrel, side plate, cortical screws), radiopaque,
  so it saturates, and the radiographer's lead "R" marker.

The hip is a right hip. On the AP view the greater trochanter (lateral) is on the image left and
the pelvis (medial) on the right; the lateral view is a cross-table-style projection with anterior
on the image right, the neck foreshortened, the head over the neck and the greater trochanter
superimposed on the neck base. Each cortex (AP lateral and medial, lateral-view anterior and
posterior) heals at a slightly different pace per patient, as RUSH scores them separately.

The map is then edge-enhanced as clinical image processing does, given a heel-effect exposure
gradient and signal-dependent quantum noise, blurred slightly (focal spot and detector), and
quantised to ``bits_stored`` bits in the MONOCHROME2 convention (bone bright, air dark). Smooth
fields are computed on coarse grids and detailed ones only in their bounding boxes, so a
1280 x 1024 image takes about 0.2 s.

Everything random comes from ``numpy.random.default_rng`` seeded from ``seed``, so the same seed
and arguments give bit-identical pixels. The patient (femur size and angles, soft tissue,
exposure) depends on the seed alone: a patient's AP and lateral views and all of their time points
show the same anatomy, and the fracture heals in place.

``hip_geometry`` and ``fracture_line_segment`` say where the renderer put things, in pixel
coordinates of the requested shape, so tests and callers can locate the fracture and sample
regions without image analysis.

This module belongs to the core: it must not import Qt (numpy, scipy.ndimage and the standard
library only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

__all__ = [
    "DEFAULT_SHAPE",
    "VIEWS",
    "HipGeometry",
    "fracture_line_segment",
    "hip_geometry",
    "render_hip_radiograph",
]

VIEWS: tuple[str, ...] = ("AP", "LAT")
DEFAULT_SHAPE: tuple[int, int] = (1280, 1024)

# The reference frame every structure is described in (1 unit = 1 pixel of the default shape).
_REF_W = 1024.0
_REF_H = 1280.0
_MM_PER_REF_UNIT = 0.27

# Attenuation per reference unit of path, in display units (0 = air, about 1 = brightest bone).
_MU_CORTEX = 0.0050
_MU_TRABECULAR = 0.0019
_MU_PELVIS = 0.0040
# Far above the shoulder of the tone curve, so the metal saturates whatever the exposure.
_IMPLANT_DENSITY = 4.0

Point = tuple[float, float]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HipGeometry:
    """Where the renderer placed the anatomy, in pixel coordinates of the requested shape.

    Points are ``(row, col)`` floats, the centre of pixel ``[r, c]`` being ``(r, c)``; lengths are
    in pixels. The geometry depends on ``view``, ``shape`` and ``seed`` only, not on healing.
    """

    view: str
    shape: tuple[int, int]
    pixel_spacing_mm: float
    head_center: Point
    head_radius: float
    # (neck-shaft junction, a point further down the shaft axis, level with bone_point)
    shaft_axis: tuple[Point, Point]
    shaft_radius: float
    shaft_cortex: float  # diaphyseal cortical thickness
    fracture_line: tuple[Point, Point]  # (greater-trochanter end, lesser-trochanter end)
    bone_point: Point  # in the diaphyseal cortex, clear of the implant
    soft_tissue_point: Point  # in the thigh's soft tissue, clear of bone and implant
    air_point: Point  # outside the skin


def render_hip_radiograph(
    view: str,
    healing: float,
    *,
    seed: int,
    shape: tuple[int, int] = DEFAULT_SHAPE,
    bits_stored: int = 12,
) -> np.ndarray:
    """Render a synthetic radiograph of a fixed intertrochanteric fracture of the right hip.

    ``view`` is ``"AP"`` or ``"LAT"`` (lateral). ``healing`` runs from 0 (fresh fracture,
    post-operative day 1) to 1 (united and remodelled). Returns a uint16 array of ``shape``
    (rows, cols) with values in ``0 .. 2**bits_stored - 1``, MONOCHROME2 (bone bright, air dark).
    """
    view = _check_view(view)
    healing = _check_healing(healing)
    shape = _check_shape(shape)
    if isinstance(bits_stored, bool) or not isinstance(bits_stored, (int, np.integer)):
        raise ValueError(f"bits_stored must be an integer from 8 to 16, got {bits_stored!r}")
    if not 8 <= int(bits_stored) <= 16:
        raise ValueError(f"bits_stored must be an integer from 8 to 16, got {bits_stored!r}")
    return _Scene(view, shape, _check_seed(seed)).render(healing, int(bits_stored))


def hip_geometry(view: str, shape: tuple[int, int], seed: int) -> HipGeometry:
    """Landmarks of every image ``render_hip_radiograph(view, h, seed=seed, shape=shape)``."""
    return _Scene(_check_view(view), _check_shape(shape), _check_seed(seed)).geometry()


def fracture_line_segment(view: str, shape: tuple[int, int], seed: int) -> tuple[Point, Point]:
    """End points ``((row, col), (row, col))`` of the fracture line, in pixels.

    The segment spans the bone: it starts where the fracture leaves the lateral cortex below the
    greater trochanter (the anterior cortex on the lateral view) and ends where it leaves the
    medial cortex above the lesser trochanter (the posterior cortex on the lateral view). The
    drawn line undulates by up to about 1.5 mm about this segment, so a profile taken across it
    finds the gap within a few pixels of the segment.
    """
    return hip_geometry(view, shape, seed).fracture_line


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _check_view(view: object) -> str:
    key = getattr(view, "value", view)  # accept str-valued enums such as domain.views.View
    if not isinstance(key, str) or key not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    return key


def _check_healing(healing: object) -> float:
    try:
        value = float(healing)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"healing must be a number from 0 to 1, got {healing!r}") from None
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"healing must be from 0 (fresh) to 1 (united), got {healing!r}")
    return value


def _check_shape(shape: object) -> tuple[int, int]:
    try:
        rows, cols = (int(v) for v in shape)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"shape must be (rows, cols), got {shape!r}") from None
    if rows < 32 or cols < 32:
        raise ValueError(f"shape must be at least 32 x 32 pixels, got {shape!r}")
    return rows, cols


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


# --------------------------------------------------------------------------------------------
# Vectorised helpers (all work on float32 arrays that broadcast)
# --------------------------------------------------------------------------------------------


def _smoothstep(e0: float, e1: float, x):
    t = np.clip((x - e0) * (1.0 / (e1 - e0)), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _window(x, a0: float, a1: float, b0: float, b1: float):
    """1 between ``a1`` and ``b0``, easing to 0 at ``a0`` and ``b1``."""
    return _smoothstep(a0, a1, x) * (1.0 - _smoothstep(b0, b1, x))


def _ridge(dist, width: float):
    """A soft line: 1 where ``dist`` is 0, falling off over ``width``."""
    return np.exp(-((dist * (1.0 / width)) ** 2))


def _smin(a, b, k: float):
    """Polynomial smooth minimum: the rounded union of two signed-distance shapes."""
    h = np.clip(0.5 + (0.5 / k) * (b - a), 0.0, 1.0)
    return b + (a - b) * h - k * h * (1.0 - h)


def _length(dx, dy):
    return np.sqrt(dx * dx + dy * dy)


def _sd_circle(x, y, c: Point, r: float):
    return _length(x - c[0], y - c[1]) - r


def _sd_ellipse(x, y, c: Point, a: float, b: float, axis: Point):
    """Approximate signed distance to an ellipse with semi-axis ``a`` along unit ``axis``."""
    dx = x - c[0]
    dy = y - c[1]
    p = dx * axis[0] + dy * axis[1]
    q = dy * axis[0] - dx * axis[1]
    k0 = np.sqrt((p * (1.0 / a)) ** 2 + (q * (1.0 / b)) ** 2)
    k1 = np.sqrt((p * (1.0 / (a * a))) ** 2 + (q * (1.0 / (b * b))) ** 2)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-6)


def _sd_cone(x, y, a: Point, b: Point, ra: float, rb: float):
    """Signed distance to a tapered capsule from ``a`` (radius ``ra``) to ``b`` (radius ``rb``)."""
    vx, vy = b[0] - a[0], b[1] - a[1]
    inv = 1.0 / (vx * vx + vy * vy)
    t = np.clip(((x - a[0]) * vx + (y - a[1]) * vy) * inv, 0.0, 1.0)
    return _length(x - a[0] - t * vx, y - a[1] - t * vy) - (ra + t * (rb - ra))


def _sd_box(x, y, c: Point, axis: Point, half_len: float, half_width):
    """Signed distance (exact inside, approximate at outer corners) to an oriented rectangle."""
    dx = x - c[0]
    dy = y - c[1]
    p = dx * axis[0] + dy * axis[1]
    q = dy * axis[0] - dx * axis[1]
    return np.maximum(np.abs(p) - half_len, np.abs(q) - half_width)


def _chord(depth, radius):
    """Path length through a cylinder of ``radius`` at ``depth`` inside its outline."""
    e = np.clip(depth, 0.0, radius)
    return 2.0 * np.sqrt(e * (2.0 * radius - e))


def _shell(depth, radius, thickness):
    """Path lengths through a cylindrical shell (the cortex) and through its core."""
    outer = _chord(depth, radius)
    core = _chord(depth - thickness, radius - thickness)
    return outer - core, core


def _add(p: Point, v: Point, k: float = 1.0) -> Point:
    return (p[0] + k * v[0], p[1] + k * v[1])


def _rot(v: Point, deg: float) -> Point:
    """Rotate a vector; positive angles turn clockwise on screen (y points down)."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return (c * v[0] - s * v[1], s * v[0] + c * v[1])


def _unit(v: Point) -> Point:
    n = math.hypot(v[0], v[1])
    return (v[0] / n, v[1] / n)


def _resize(small: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize (pixel-centre aligned); much faster than ndimage.zoom for this use."""
    if small.shape == shape:
        return small

    def taps(n: int, big: int):
        c = (np.arange(big, dtype=np.float32) + 0.5) * (n / big) - 0.5
        c = np.clip(c, 0.0, n - 1.0)
        i0 = np.minimum(c.astype(np.intp), max(n - 2, 0))
        i1 = np.minimum(i0 + 1, n - 1)
        return i0, i1, (c - i0).astype(np.float32)

    r0, r1, fr = taps(small.shape[0], shape[0])
    c0, c1, fc = taps(small.shape[1], shape[1])
    rows = small[r0] * (1.0 - fr)[:, None] + small[r1] * fr[:, None]
    return rows[:, c0] * (1.0 - fc) + rows[:, c1] * fc


def _noise(rng: np.random.Generator, shape: tuple[int, int], size_px: float) -> np.ndarray:
    """Zero-mean, unit-variance band-passed noise with features about ``size_px`` across.

    Coarse noise is made on a subsampled grid and resized: the result is the same kind of field
    at a fraction of the cost of filtering at full resolution.
    """
    f = max(1, int(size_px / 2.0))
    small_shape = (max(4, -(-shape[0] // f)), max(4, -(-shape[1] // f)))
    white = rng.standard_normal(small_shape, dtype=np.float32)
    fine = max(size_px / f * 0.5, 0.5)
    band = ndimage.gaussian_filter(white, fine, truncate=3.0)
    band -= ndimage.gaussian_filter(white, 3.0 * fine, truncate=3.0)
    band *= 1.0 / max(float(band.std()), 1e-6)
    return _resize(band, shape)


# --------------------------------------------------------------------------------------------
# Patient and layout
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Patient:
    """Everything about a patient and their imaging that depends on the seed alone."""

    size: float
    neck_shaft_deg: float
    anteversion_deg: float
    ap_tilt_deg: float
    lat_tilt_deg: float
    ap_offset: Point
    lat_offset: Point
    soft: float
    fat: float
    joint_space: float
    gain: float
    contrast: float
    air: float
    noise: float
    heel: float
    heel_angle_deg: float
    blur: float
    sharpen: float
    fracture_tilt_deg: float
    fracture_step: float
    fracture_wave: tuple[float, float, float, float]
    plate_holes: int
    callus: float
    cortex_lag: tuple[float, float, float, float]  # AP lateral, AP medial, LAT anterior, posterior


def _draw_patient(seed: int) -> _Patient:
    # A fixed draw order: new parameters go at the end so existing patients stay the same.
    rng = np.random.default_rng(seed)
    u = rng.uniform
    return _Patient(
        size=u(0.92, 1.08),
        neck_shaft_deg=u(125.0, 135.0),
        anteversion_deg=u(14.0, 24.0),
        ap_tilt_deg=u(3.0, 8.0),
        lat_tilt_deg=u(-12.0, -6.0),
        ap_offset=(u(-0.03, 0.03) * _REF_W, u(-0.03, 0.03) * _REF_H),
        lat_offset=(u(-0.03, 0.03) * _REF_W, u(-0.03, 0.03) * _REF_H),
        soft=u(0.8, 1.2),
        fat=u(0.6, 1.4),
        joint_space=u(12.0, 17.0),
        gain=u(0.92, 1.08),
        contrast=u(-0.12, 0.12),
        air=u(0.03, 0.07),
        noise=u(0.8, 1.3),
        heel=u(0.03, 0.07) * (1.0 if rng.random() < 0.5 else -1.0),
        heel_angle_deg=u(-15.0, 15.0),
        blur=u(0.6, 1.0),
        sharpen=u(0.5, 0.9),
        fracture_tilt_deg=u(-6.0, 6.0),
        fracture_step=u(6.0, 11.0),
        fracture_wave=(u(0.0, 6.3), u(0.0, 6.3), u(2.0, 3.5), u(1.0, 2.0)),
        plate_holes=int(rng.integers(2, 5)),
        callus=u(0.85, 1.2),
        cortex_lag=tuple(float(v) for v in u(-0.15, 0.15, 4)),
    )


@dataclass(frozen=True)
class _Layout:
    """Reference-frame geometry of one view of one patient (lengths in reference units)."""

    view: str
    k: float  # anatomical scale of this patient
    axis: Point  # unit vector along the shaft, pointing distally
    normal: Point  # unit vector across the shaft: medial on AP, anterior on LAT
    neck: Point  # unit vector from the junction towards the head
    junction: Point  # where the neck axis meets the shaft axis
    head: Point
    head_r: float
    neck_r: float
    neck_base_r: float
    shaft_r: float
    shaft_cortex: float
    gt_center: Point
    gt_axes: tuple[float, float]
    gt_dir: Point
    meta_center: Point
    meta_axes: tuple[float, float]
    lt_center: Point
    lt_axes: tuple[float, float]
    lt_dir: Point
    frac_a: Point  # fracture line end points on the bone outline
    frac_b: Point
    frac_step: Point  # displacement of the proximal fragment
    lag_entry: Point  # where the lag screw enters the lateral cortex
    plate_len: float

    def at(self, along: float, across: float) -> Point:
        """Point ``along`` the shaft axis below the junction and ``across`` it (medial/anterior)."""
        return (
            self.junction[0] + along * self.axis[0] + across * self.normal[0],
            self.junction[1] + along * self.axis[1] + across * self.normal[1],
        )

    def along(self, p: Point) -> float:
        return (p[0] - self.junction[0]) * self.axis[0] + (p[1] - self.junction[1]) * self.axis[1]


def _layout(view: str, pt: _Patient) -> _Layout:
    k = pt.size
    if view == "AP":
        tilt, off = pt.ap_tilt_deg, pt.ap_offset
        junction = (445.0 + off[0], 500.0 + off[1])
    else:
        tilt, off = pt.lat_tilt_deg, pt.lat_offset
        junction = (500.0 + off[0], 510.0 + off[1])
    t = math.radians(tilt)
    axis = (math.sin(t), math.cos(t))
    normal = (math.cos(t), -math.sin(t))
    up = (-axis[0], -axis[1])
    if view == "AP":
        # The neck leaves the shaft at the neck-shaft angle, towards the medial side.
        phi = 180.0 - pt.neck_shaft_deg
        neck_len, neck_r, neck_base_r = 205.0 * k, 43.0 * k, 60.0 * k
    else:
        # From the side the neck leans forward by the anteversion and is narrower (its
        # front-to-back diameter is the smaller one); the head overlaps the neck.
        phi = pt.anteversion_deg
        neck_len, neck_r, neck_base_r = 165.0 * k, 41.0 * k, 56.0 * k
    neck = _unit((math.cos(math.radians(phi)) * up[0] + math.sin(math.radians(phi)) * normal[0],
                  math.cos(math.radians(phi)) * up[1] + math.sin(math.radians(phi)) * normal[1]))
    lay = _Layout(
        view=view, k=k, axis=axis, normal=normal, neck=neck, junction=junction,
        head=_add(junction, neck, neck_len), head_r=88.0 * k, neck_r=neck_r,
        neck_base_r=neck_base_r, shaft_r=54.0 * k, shaft_cortex=17.0 * k,
        gt_center=junction, gt_axes=(1.0, 1.0), gt_dir=axis, meta_center=junction,
        meta_axes=(1.0, 1.0), lt_center=junction, lt_axes=(1.0, 1.0), lt_dir=axis,
        frac_a=junction, frac_b=junction, frac_step=(0.0, 0.0), lag_entry=junction,
        plate_len=(150.0 + 56.0 * pt.plate_holes) * k,
    )
    if view == "AP":
        # Greater trochanter lateral and up, its tip leaning medially over the fossa; the lesser
        # trochanter a small medial spur below the neck.
        lay = replace(
            lay,
            gt_center=lay.at(-52.0 * k, -44.0 * k), gt_axes=(84.0 * k, 46.0 * k),
            gt_dir=_rot(axis, -12.0),
            meta_center=lay.at(45.0 * k, 10.0 * k), meta_axes=(130.0 * k, 74.0 * k),
            lt_center=lay.at(122.0 * k, 66.0 * k), lt_axes=(34.0 * k, 19.0 * k),
            lt_dir=_rot(axis, -55.0),
        )
        p1, p2 = lay.at(-55.0 * k, -lay.shaft_r), lay.at(85.0 * k, lay.shaft_r)
    else:
        # Lateral view: the greater trochanter is superimposed behind the neck base and the
        # lesser trochanter projects backwards.
        lay = replace(
            lay,
            gt_center=lay.at(-22.0 * k, -22.0 * k), gt_axes=(74.0 * k, 40.0 * k),
            gt_dir=_rot(axis, 8.0),
            meta_center=lay.at(30.0 * k, -2.0 * k), meta_axes=(110.0 * k, 62.0 * k),
            lt_center=lay.at(108.0 * k, -50.0 * k), lt_axes=(18.0 * k, 9.0 * k),
            lt_dir=_rot(axis, 60.0),
        )
        p1, p2 = lay.at(-10.0 * k, lay.shaft_r), lay.at(60.0 * k, -lay.shaft_r)

    # Fracture: from below the greater trochanter to above the lesser trochanter, tilted per
    # patient, extended from its midpoint to where it leaves the bone outline.
    mid = ((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2)
    d = _unit(_rot((p2[0] - p1[0], p2[1] - p1[1]), pt.fracture_tilt_deg))
    ts = np.arange(0.0, 500.0, 0.25)
    ends = []
    for sign in (-1.0, 1.0):
        sdf = _femur_sdf(mid[0] + sign * ts * d[0], mid[1] + sign * ts * d[1], lay)
        outside = np.nonzero(sdf > 0.0)[0]
        t_end = float(ts[outside[0]]) if outside.size else float(ts[-1])
        ends.append(_add(mid, d, sign * t_end))
    # The proximal fragment slides along the line (medially on AP): a step at both cortices.
    step = (pt.fracture_step * k * d[0], pt.fracture_step * k * d[1])
    if view == "AP":
        # The lag screw follows the neck axis back to the lateral cortex.
        entry = _add(junction, neck, -lay.shaft_r / max(math.sin(math.radians(phi)), 0.3))
    else:
        # Seen from the side the barrel points towards the viewer: it starts over the shaft.
        entry = lay.at(95.0 * k, 0.0)
    return replace(lay, frac_a=ends[0], frac_b=ends[1], frac_step=step, lag_entry=entry)


# --------------------------------------------------------------------------------------------
# Femur shape
# --------------------------------------------------------------------------------------------


def _femur_parts(x, y, lay: _Layout, proximal: bool = True) -> dict:
    """Signed distances of the parts of the femur; only the shaft when ``proximal`` is False."""
    top = lay.at(40.0 * lay.k, 0.0)
    far = lay.at(3000.0, 0.0)
    parts = {"shaft": _sd_cone(x, y, top, far, lay.shaft_r, lay.shaft_r * 0.86)}
    if proximal:
        neck_base = _add(lay.junction, lay.neck, 25.0 * lay.k)
        parts["meta"] = _sd_ellipse(x, y, lay.meta_center, *lay.meta_axes, lay.axis)
        parts["gt"] = _sd_ellipse(x, y, lay.gt_center, *lay.gt_axes, lay.gt_dir)
        parts["lt"] = _sd_ellipse(x, y, lay.lt_center, *lay.lt_axes, lay.lt_dir)
        parts["neck"] = _sd_cone(x, y, neck_base, lay.head, lay.neck_base_r, lay.neck_r)
        parts["head"] = _sd_circle(x, y, lay.head, lay.head_r)
    return parts


def _union(parts: dict):
    d = parts["shaft"]
    if "meta" in parts:
        d = _smin(d, parts["meta"], 60.0)
        d = _smin(d, parts["gt"], 34.0)
        d = _smin(d, parts["lt"], 22.0)
        d = _smin(d, parts["neck"], 40.0)
        d = _smin(d, parts["head"], 20.0)
    return d


def _femur_sdf(x, y, lay: _Layout):
    return _union(_femur_parts(x, y, lay))


# --------------------------------------------------------------------------------------------
# Scene
# --------------------------------------------------------------------------------------------


class _Scene:
    """One view of one patient at one image shape."""

    def __init__(self, view: str, shape: tuple[int, int], seed: int) -> None:
        self.view = view
        self.shape = shape
        self.seed = seed
        self.pt = _draw_patient(seed)
        self.lay = _layout(view, self.pt)
        # A uniform scale that fits the whole reference frame, centred.
        self.scale = min(shape[0] / _REF_H, shape[1] / _REF_W)

    # -- coordinates ------------------------------------------------------------------------

    def to_px(self, p: Point) -> Point:
        """Reference (x, y) to pixel (row, col)."""
        rows, cols = self.shape
        return (
            float((p[1] - _REF_H / 2) * self.scale + rows / 2 - 0.5),
            float((p[0] - _REF_W / 2) * self.scale + cols / 2 - 0.5),
        )

    def grid(self, box, step: int = 1):
        """Reference coordinates of pixel centres in ``box`` (r0, r1, c0, c1), broadcastable.

        With ``step`` > 1 the grid is subsampled: used for smooth fields that are resized.
        """
        r0, r1, c0, c1 = box
        rows, cols = self.shape
        cs = np.arange(c0, c1, step, dtype=np.float32) + 0.5 * step
        rs = np.arange(r0, r1, step, dtype=np.float32) + 0.5 * step
        x = (cs - cols / 2) * (1.0 / self.scale) + _REF_W / 2
        y = (rs - rows / 2) * (1.0 / self.scale) + _REF_H / 2
        return x[None, :], y[:, None]

    def bbox(self, points, margin: float):
        """Pixel box (r0, r1, c0, c1) around reference ``points`` plus ``margin``, clipped."""
        rows, cols = self.shape
        px = [self.to_px(p) for p in points]
        m = margin * self.scale + 2.0
        r0 = int(min(max(0, math.floor(min(p[0] for p in px) - m)), rows - 1))
        r1 = int(max(min(rows, math.ceil(max(p[0] for p in px) + m)), r0 + 1))
        c0 = int(min(max(0, math.floor(min(p[1] for p in px) - m)), cols - 1))
        c1 = int(max(min(cols, math.ceil(max(p[1] for p in px) + m)), c0 + 1))
        return r0, r1, c0, c1

    def smooth_field(self, fn, box, step: int):
        """Evaluate a smooth field on a subsampled grid and resize it to the box."""
        step = max(1, step)
        out_shape = (box[1] - box[0], box[3] - box[2])
        if step == 1 or min(out_shape) < 8 * step:
            return fn(*self.grid(box))
        return _resize(np.ascontiguousarray(fn(*self.grid(box, step)), dtype=np.float32), out_shape)

    # -- geometry report --------------------------------------------------------------------

    def visible(self) -> tuple[float, float, float, float]:
        """The reference-frame rectangle (x0, x1, y0, y1) the image shows."""
        rows, cols = self.shape
        half_w, half_h = cols / 2 / self.scale, rows / 2 / self.scale
        return (_REF_W / 2 - half_w, _REF_W / 2 + half_w, _REF_H / 2 - half_h, _REF_H / 2 + half_h)

    def geometry(self) -> HipGeometry:
        lay, s = self.lay, self.scale
        # Sample level: down the shaft, below the plate, above the bottom of the image.
        plate_end = lay.along(lay.lag_entry) + lay.plate_len
        lowest = (self.visible()[3] - 40.0 - lay.junction[1]) / lay.axis[1]
        along = 0.5 * (plate_end + 60.0 * lay.k + lowest)
        # In the medial cortex on AP (the plate is lateral), the posterior one on LAT.
        side = 1.0 if self.view == "AP" else -1.0
        bone = lay.at(along, side * (lay.shaft_r * 0.9 - 0.6 * lay.shaft_cortex))
        soft, air = self._soft_and_air_points(lay.at(along, 0.0))
        return HipGeometry(
            view=self.view,
            shape=self.shape,
            pixel_spacing_mm=_MM_PER_REF_UNIT / s,
            head_center=self.to_px(lay.head),
            head_radius=lay.head_r * s,
            shaft_axis=(self.to_px(lay.junction), self.to_px(lay.at(along, 0.0))),
            shaft_radius=lay.shaft_r * s,
            shaft_cortex=lay.shaft_cortex * s,
            fracture_line=(self.to_px(lay.frac_a), self.to_px(lay.frac_b)),
            bone_point=self.to_px(bone),
            soft_tissue_point=self.to_px(soft),
            air_point=self.to_px(air),
        )

    def _soft_and_air_points(self, centre: Point):
        """A soft-tissue point beside the shaft and an air point beyond the skin, in the same
        image row as ``centre`` and inside the image; the side with more air is used."""
        lay = self.lay
        x0, x1, _, _ = self.visible()
        clear = lay.shaft_r / max(abs(lay.axis[1]), 0.5)  # half-width of the shaft in this row
        best = None
        for sign in (-1.0, 1.0):
            limit = (centre[0] - x0 if sign < 0 else x1 - centre[0]) - 8.0
            ts = np.arange(clear, max(limit, clear + 1.0), 1.0, dtype=np.float32)
            inside = self._skin_sd(centre[0] + sign * ts, np.float32(centre[1])) < 0.0
            air = np.nonzero(~inside)[0]
            if not air.size or air[0] == 0:
                continue
            skin = float(ts[air[0]])
            run = float(ts[-1] - skin)
            tissue_start = clear + 70.0 * lay.k
            if skin - tissue_start < 20.0 or run < 8.0:
                continue
            soft_t = tissue_start + 0.3 * (skin - tissue_start)
            air_t = skin + min(50.0, 0.5 * run)
            if best is None or run > best[0]:
                best = (run, sign, soft_t, air_t)
        if best is None:  # cannot happen with the parameter ranges drawn above
            raise RuntimeError("the layout leaves no air beside the thigh")
        _, sign, soft_t, air_t = best
        return ((centre[0] + sign * soft_t, centre[1]), (centre[0] + sign * air_t, centre[1]))

    # -- soft tissue ------------------------------------------------------------------------

    def _skin_sd(self, x, y):
        """Signed distance to the skin (negative inside the patient)."""
        lay, pt = self.lay, self.pt
        jx, jy = lay.junction
        dy = y - jy
        if self.view == "AP":
            # The lateral skin bulges over the greater trochanter and the buttock and narrows
            # down the thigh. The medial skin of the thigh starts at the perineum; above it the
            # trunk continues towards the midline (image right).
            lat = jx - lay.shaft_r - pt.soft * (245.0 + 55.0 * np.exp(-((dy + 80.0) / 420.0) ** 2))
            lat = lat + 0.03 * dy
            med = jx + lay.shaft_r + 345.0 * pt.soft + 0.12 * dy
            thigh = np.maximum(lat - x, x - med)
            trunk = np.maximum(lat - x, y - (jy + 380.0))
            # The other thigh, mirrored about the midline; only wide images reach it.
            mid = lay.head[0] + 4.4 * lay.head_r
            other = np.maximum((2.0 * mid - med) - x, x - (2.0 * mid - lat))
            return _smin(_smin(thigh, trunk, 220.0), other, 220.0)
        # Lateral view: the anterior skin on the right; buttock and hamstrings behind (left).
        sx = jx + dy * (lay.axis[0] / lay.axis[1])
        front = sx + lay.shaft_r + 215.0 * pt.soft - 0.04 * dy
        back = sx - lay.shaft_r - pt.soft * (300.0 + 110.0 * np.exp(-((dy + 150.0) / 380.0) ** 2))
        thigh = np.maximum(back - x, x - front)
        # Above the thigh the trunk fills the field, its outline rising to either side.
        trunk = y - (jy - 330.0) + 0.0012 * (x - sx) ** 2
        return _smin(thigh, trunk, 200.0)

    def _soft_tissue(self, x, y):
        """Projected soft-tissue attenuation, in display units."""
        pt = self.pt
        depth = -self._skin_sd(x, y)
        half = 280.0
        # Fat attenuates a little less than muscle, so the muscle outline shows through.
        fat = 40.0 * pt.fat
        path = 0.8 * _chord(depth, half) + 0.2 * _chord(depth - fat, half - fat)
        # The trunk is thicker than the thigh.
        trunk = _smoothstep(0.0, 600.0, depth - 200.0)
        return (0.30 * math.sqrt(pt.soft) / (2.0 * half)) * path + 0.05 * trunk

    # -- pelvis -----------------------------------------------------------------------------

    def _pelvis(self, x, y):
        """Projected attenuation of the acetabulum and the nearby pelvic bones."""
        lay, pt = self.lay, self.pt
        hx, hy = lay.head
        r = lay.head_r
        cup_r = r + pt.joint_space * lay.k
        dxh = x - hx
        dist_h = _length(dxh, y - hy)
        ang = np.arctan2(dxh, hy - y)  # around the head: 0 straight up, positive to image right
        # Cancellous bone of the pelvis is mottled, on a coarser scale than the femur's.
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        rng = np.random.default_rng([self.seed, 3, VIEWS.index(self.view)])
        xs = np.ravel(x)
        spacing = float(xs[1] - xs[0]) if xs.size > 1 else 1.0  # reference units per grid step
        mottle = 1.0 + 0.08 * _noise(rng, shape, 12.0 / spacing)
        mottle += 0.06 * _noise(rng, shape, 4.0 / spacing)
        cup_depth = _chord(cup_r - dist_h, cup_r)  # the socket's walls and floor behind the head
        roof = _ridge(dist_h - cup_r - 5.0, 6.0)  # dense subchondral bone of the socket

        def arc(cx: float, cy: float, radius: float, width: float):
            return _ridge(_length(x - (hx + cx * r), y - (hy + cy * r)) - radius * r, width)

        if self.view == "AP":
            # One continuous hemipelvis: the ilium above the socket, between the iliac outline
            # (lateral, flaring upwards, notched under the anterior inferior iliac spine) and the
            # pelvic brim (medial); the acetabular floor medial to the head; the obturator ring
            # (pubic rami, ischium and its tuberosity) around the foramen below.
            rim = _add(lay.head, _rot((0.0, -1.0), -42.0), cup_r)  # lateral lip of the socket
            above = np.maximum(rim[1] - y, 0.0)
            notch = 14.0 * lay.k * _ridge(above - 1.2 * r, 0.45 * r)
            lat_edge = rim[0] - 1.3 * above + 0.0015 * above * above + notch
            up = np.maximum(hy - y, 0.0)
            brim_x = hx + 1.15 * r + 0.16 * up - 0.03 * up * up / r
            ilium = np.maximum(np.maximum(lat_edge - x, x - brim_x), y - (hy + 0.2 * r))
            floor = _sd_ellipse(x, y, (hx + 0.75 * r, hy + 0.45 * r), 1.1 * r, 0.6 * r, (0.0, 1.0))
            ring = _sd_ellipse(x, y, (hx + 2.05 * r, hy + 1.95 * r), 1.95 * r, 1.2 * r,
                               _unit((1.0, 0.2)))
            tuber = _sd_ellipse(x, y, (hx + 0.8 * r, hy + 3.0 * r), 0.62 * r, 0.45 * r,
                                _unit((1.0, 0.5)))
            foramen = _sd_ellipse(x, y, (hx + 1.95 * r, hy + 2.1 * r), 1.0 * r, 0.64 * r,
                                  _unit((1.0, 0.45)))
            bone_sd = _smin(_smin(_smin(ilium, floor, 0.5 * r), ring, 0.6 * r), tuber, 0.3 * r)
            bone_sd = np.maximum(bone_sd, -foramen)
            # Inner lines: the ilioischial line down the medial side of the socket, the sourcil
            # (dense roof), the teardrop, and the posterior and anterior walls of the socket
            # crossing the head as faint arcs.
            ilio = _ridge(x - (hx + 0.86 * r + 0.06 * (y - hy)), 4.0)
            ilio = ilio * _window(y, hy - 2.2 * r, hy - 1.2 * r, hy + 0.9 * r, hy + 1.5 * r)
            roof = roof * _window(ang, -0.95, -0.6, 0.55, 1.25)
            tear = arc(1.0, 0.45, 0.24, 3.5) * _smoothstep(-0.25 * r, 0.15 * r, y - hy - 0.45 * r)
            walls = arc(0.1, -0.05, 1.04, 3.0) * _window(ang, -2.6, -1.9, -1.0, -0.4)
            walls = walls + arc(0.45, -0.2, 1.0, 3.0) * _window(ang, -2.4, -1.7, -1.1, -0.5)
            lines = 0.05 * ilio + 0.17 * roof + 0.08 * tear + 0.04 * walls
            # The medial wall of the socket lies behind the medial part of the head.
            behind = 0.25 * cup_depth * _smoothstep(-0.3, 0.7, dxh * (1.0 / r))
            outline_w = 0.06
        else:
            # Lateral view: the socket seen from the side with its rims around the head, the
            # ilium running up and back behind it, the ischium down and back to its tuberosity.
            ilium = _sd_cone(x, y, (hx - 0.3 * r, hy - 0.5 * r), (hx - 1.3 * r, hy - 5.0 * r),
                             1.15 * r, 1.7 * r)
            cup = _sd_circle(x, y, (hx - 0.1 * r, hy - 0.05 * r), 1.45 * r)
            isch = _sd_cone(x, y, (hx - 0.9 * r, hy + 0.2 * r), (hx - 2.6 * r, hy + 2.0 * r),
                            0.75 * r, 0.62 * r)
            tuber = _sd_ellipse(x, y, (hx - 3.0 * r, hy + 2.45 * r), 0.95 * r, 0.7 * r,
                                _unit((1.0, 0.9)))
            bone_sd = _smin(_smin(_smin(ilium, cup, 0.5 * r), isch, 0.4 * r), tuber, 0.3 * r)
            roof = roof * _window(ang, -2.3, -1.7, 1.3, 2.0)
            front = arc(-0.3, -0.1, 1.05, 3.5) * _window(ang, 0.2, 0.8, 2.0, 2.6)
            lines = 0.16 * roof + 0.05 * front
            behind = 0.25 * cup_depth
            outline_w = 0.055
        # Dense around the socket, thinner up the iliac wing and along the rami, with a
        # cortical outline.
        dens = 0.075 + 0.07 * np.exp(-np.maximum(dist_h - cup_r, 0.0) * (1.0 / (1.3 * r)))
        body = dens * _chord(-bone_sd, 0.35 * r) * (1.0 / (0.7 * r)) * mottle
        outline = outline_w * _ridge(bone_sd + 4.0, 4.0)
        return body + outline + lines + _MU_PELVIS * behind

    # -- render -----------------------------------------------------------------------------

    def render(self, healing: float, bits: int) -> np.ndarray:
        rows, cols = self.shape
        lay, s = self.lay, self.scale
        vi = VIEWS.index(self.view)
        tex_rng = np.random.default_rng([self.seed, 1, vi])
        noise_rng = np.random.default_rng([self.seed, 2, vi, int(round(healing * 1_000_000))])
        # Fields without fine detail are computed on a coarser grid and resized.
        coarse = int(round(4 * s)) if s >= 0.5 else 1
        medium = int(round(2 * s)) if s >= 0.75 else 1

        whole = (0, rows, 0, cols)
        att = self.smooth_field(self._soft_tissue, whole, coarse)

        r = lay.head_r
        hx, hy = lay.head
        pb = self.bbox([(hx - 4.6 * r, hy - 6.0 * r), (hx + 4.6 * r, hy + 4.2 * r)], 0.0)
        att[pb[0]:pb[1], pb[2]:pb[3]] += self.smooth_field(self._pelvis, pb, medium)

        # The proximal femur (fracture, callus, texture) in one box, the rest of the shaft (a
        # plain tube) in another.
        split = lay.at(380.0 * lay.k, 0.0)
        margin = 60.0 * lay.k
        prox = self.bbox([
            _add(lay.head, (-r, -r)), _add(lay.head, (r, r)),
            lay.at(-150.0 * lay.k, -lay.shaft_r - 70.0 * lay.k), lay.lt_center,
            _add(split, lay.normal, -lay.shaft_r), _add(split, lay.normal, lay.shaft_r),
        ], margin)
        split_row = int(min(max(round(self.to_px(split)[0]), prox[0] + 1), prox[1]))
        prox = (prox[0], split_row, prox[2], prox[3])
        att[prox[0]:prox[1], prox[2]:prox[3]] += self._proximal_femur(prox, healing, tex_rng)
        bottom = lay.at(_REF_H * 2.0, 0.0)
        dist = self.bbox([_add(p, lay.normal, side * lay.shaft_r)
                          for p in (split, bottom) for side in (-1.0, 1.0)], 20.0)
        dist = (max(dist[0], split_row), dist[1], dist[2], dist[3])
        if dist[1] > dist[0]:
            x, y = self.grid(dist)
            shaft, _ = self._tube(x, y, _femur_parts(x, y, lay, proximal=False))
            att[dist[0]:dist[1], dist[2]:dist[3]] += shaft

        ib, implant = self._implant()
        att[ib[0]:ib[1], ib[2]:ib[3]] += implant
        mb, marker = self._side_marker()
        att[mb[0]:mb[1], mb[2]:mb[3]] += marker
        return self._expose(att, noise_rng, bits)

    def _tube(self, x, y, parts: dict, texture=None):
        """Bone attenuation of the femur from its parts: cortex as a shell, trabecular core."""
        lay = self.lay
        k = lay.k
        d = _union(parts)
        # Distance down the shaft: the cortex thickens and the trabecular bone of the metaphysis
        # gives way to the marrow of the canal.
        v = (x - lay.junction[0]) * lay.axis[0] + (y - lay.junction[1]) * lay.axis[1]
        shaft_cortex = 5.0 * k + (lay.shaft_cortex - 5.0 * k) * _smoothstep(90.0 * k, 360.0 * k, v)
        radius = {"shaft": lay.shaft_r, "meta": 72.0 * k, "gt": 58.0 * k, "lt": 26.0 * k,
                  "neck": 0.5 * (lay.neck_r + lay.neck_base_r), "head": lay.head_r}
        cortex = {"shaft": shaft_cortex, "meta": 5.0 * k, "gt": 3.5 * k, "lt": 4.0 * k,
                  "neck": 5.0 * k, "head": 3.5 * k}
        trab = {"shaft": 0.55 * (1.0 - _smoothstep(120.0 * k, 330.0 * k, v)), "meta": 0.55,
                "gt": 0.5, "lt": 0.5, "neck": 0.8, "head": 1.0}
        if len(parts) == 1:
            rad, cor, tra = lay.shaft_r, shaft_cortex, trab["shaft"]
        else:
            # Blend each part's properties by how far inside it the point is.
            wsum = rad = cor = tra = 0.0
            for name, dist in parts.items():
                w = 1.0 / (1.0 + np.exp(np.clip(dist * (1.0 / 6.0), -30.0, 30.0)))
                wsum = wsum + w
                rad = rad + w * radius[name]
                cor = cor + w * cortex[name]
                tra = tra + w * trab[name]
            inv = 1.0 / (wsum + 1e-4)
            rad, cor, tra = rad * inv, cor * inv, tra * inv
            # The calcar (medial on AP, posterior on LAT) is thick.
            u = (x - lay.junction[0]) * lay.normal[0] + (y - lay.junction[1]) * lay.normal[1]
            side = 1.0 if self.view == "AP" else -1.0
            calcar = _smoothstep(0.3, 0.9, side * u * (1.0 / lay.shaft_r))
            cor = cor + 8.0 * k * calcar * _ridge(v - 60.0 * k, 110.0 * k)
            rad = np.maximum(rad, cor + 4.0)
        shell, core = _shell(-d, rad, cor)
        trabecular = core * tra
        if texture is not None:
            trabecular = trabecular * texture
        return _MU_CORTEX * shell + _MU_TRABECULAR * trabecular, d

    def _proximal_femur(self, box, healing: float, rng: np.random.Generator):
        lay, pt, s = self.lay, self.pt, self.scale
        k = lay.k
        h = healing
        shape = (box[1] - box[0], box[3] - box[2])
        x, y = self.grid(box)
        x = np.broadcast_to(x, shape)
        y = np.broadcast_to(y, shape)

        # Fracture coordinates: across the (slightly wavy) line and along it. The proximal
        # fragment (head side) is on the positive side.
        a, b = lay.frac_a, lay.frac_b
        t = _unit((b[0] - a[0], b[1] - a[1]))
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        n = (-t[1], t[0])
        if (lay.head[0] - a[0]) * n[0] + (lay.head[1] - a[1]) * n[1] < 0:
            n = (-n[0], -n[1])
        along = (x - a[0]) * t[0] + (y - a[1]) * t[1]
        w = pt.fracture_wave
        across = (x - a[0]) * n[0] + (y - a[1]) * n[1]
        across += w[2] * np.sin(along * (1.0 / 23.0) + w[0])
        across += w[3] * np.sin(along * (1.0 / 9.0) + w[1])
        proximal = across > 0.0

        # The displaced proximal fragment: the same anatomy looked up at shifted coordinates.
        xw = np.where(proximal, x - lay.frac_step[0], x)
        yw = np.where(proximal, y - lay.frac_step[1], y)

        # Trabecular texture: isotropic band-passed noise plus the compressive group (radiating
        # down from the weight-bearing dome of the head) and the tensile group (arching from
        # the lateral cortex over the neck), broken up by a smooth phase noise.
        fine = max(1.2 * s, 0.6)
        tex = _noise(rng, shape, 2.6 * fine)
        phase = _noise(rng, shape, 12.0 * fine)
        lump = _noise(rng, shape, 10.0 * fine)
        big_lump = _noise(rng, shape, 22.0 * fine)
        hx, hy = lay.head
        hr = lay.head_r
        if self.view == "AP":
            focus = (hx + 0.25 * hr, hy - 1.8 * hr)
            arch = lay.at(110.0 * k, 80.0 * k)
        else:
            focus = _add(lay.head, lay.neck, 1.8 * hr)
            arch = lay.at(120.0 * k, -60.0 * k)
        theta = np.arctan2(xw - focus[0], yw - focus[1])
        comp = np.cos(theta * (2.0 * math.pi * 2.8 * hr / (9.0 * k)) + 1.8 * phase)
        arch_r = _length(xw - arch[0], yw - arch[1])
        tens = np.cos(arch_r * (2.0 * math.pi / (10.0 * k)) + 1.8 * phase)
        to_head = _length(xw - hx, yw - hy) * (1.0 / hr)
        comp_w = (1.0 if self.view == "AP" else 0.5) * np.exp(-((to_head - 0.6) * (1.0 / 1.1)) ** 2)
        tens_w = 0.6 * np.exp(-((to_head - 1.4) * (1.0 / 0.8)) ** 2)
        lines = comp_w * np.maximum(comp, 0.0) ** 2 + tens_w * np.maximum(tens, 0.0) ** 2
        # Ward's triangle: sparse bone between the groups at the base of the neck.
        ward_c = _add(lay.junction, lay.neck, 70.0 * k)
        ward = 0.5 * _ridge(_length(xw - ward_c[0], yw - ward_c[1]), 38.0 * k)
        texture = np.maximum(1.0 + 0.28 * tex + 0.45 * (lines - 0.22) - ward, 0.12)

        parts = _femur_parts(xw, yw, lay)
        bone, d = self._tube(xw, yw, parts, texture)
        if self.view == "LAT":
            # The greater trochanter lies behind the neck base: its outline shows through.
            gt_shell, gt_core = _shell(-parts["gt"], lay.gt_axes[1], 4.0 * k)
            bone = bone + 0.6 * _MU_CORTEX * gt_shell + 0.4 * _MU_TRABECULAR * gt_core * texture

        # The gap: sharp and dark on day 1; with healing it fills, widens a little (resorption
        # at the fragment ends) and blurs until it is gone.
        in_line = _smoothstep(-30.0, 0.0, along) * (1.0 - _smoothstep(length, length + 30.0, along))
        half = (5.5 + 2.5 * h) * k
        soft = 0.7 + 6.0 * h
        gap_depth = 0.9 * (1.0 - h) ** 0.75
        gap = _smoothstep(-half - soft, -half + soft, -np.abs(across)) * in_line
        bone = bone * (1.0 - gap_depth * gap)
        # While the fracture consolidates the line turns into a hazy band of new bone, which
        # remodelling removes again.
        haze = 0.25 * math.sin(math.pi * min(h / 0.95, 1.0)) ** 2 * float(_smoothstep(0.3, 0.8, h))
        if haze > 0.0:
            band = np.exp(-((across * (1.0 / ((9.0 + 14.0 * h) * k))) ** 2)) * in_line
            bone = bone + haze * band * np.clip(-d, 0.0, 60.0) * _MU_TRABECULAR * (1.0 + 0.4 * lump)

        # Periosteal callus: fuzzy, lumpy bulges on the outside of the cortex where the fracture
        # breaks through it; it grows, then matures into a smaller, smoother, denser collar.
        # Each cortex heals at its own pace (a rater scores them separately), but all start
        # fresh at 0 and are united at 1.
        outside = np.maximum(d, 0.0)
        lags = pt.cortex_lag[2 * VIEWS.index(self.view): 2 * VIEWS.index(self.view) + 2]
        for end, lag in zip((a, b), lags):
            he = min(max(h + lag * 4.0 * h * (1.0 - h), 0.0), 1.0)
            grow = float(_smoothstep(0.06, 0.5, he)) * pt.callus
            if grow <= 0.0:
                continue
            mature = float(_smoothstep(0.55, 1.0, he))
            # Only the neighbourhood of this cortex is worked on.
            reach_px = 170.0 * k * s
            er, ec = self.to_px(end)
            r0 = int(max(0, er - box[0] - reach_px))
            r1 = int(min(shape[0], er - box[0] + reach_px + 1))
            c0 = int(max(0, ec - box[2] - reach_px))
            c1 = int(min(shape[1], ec - box[2] + reach_px + 1))
            if r1 <= r0 or c1 <= c0:
                continue
            sl = (slice(r0, r1), slice(c0, c1))
            thick = 25.0 * k * grow * (1.0 - 0.35 * mature)
            lumpy = thick * np.clip(1.0 + (0.35 - 0.2 * mature) * big_lump[sl], 0.4, 1.6)
            fuzz = (2.0 + 6.0 * (1.0 - mature)) * k
            out = outside[sl]
            cover = _smoothstep(lumpy + fuzz, lumpy - fuzz, out)
            # Path through a collar around the bone: longest right against the cortex, short
            # where the beam crosses the collar in front of and behind the bone.
            path = np.sqrt(np.maximum(lumpy + fuzz - out, 0.0) * (2.0 * 60.0 * k)) * cover
            path = path * np.exp(np.minimum(d[sl], 0.0) * (1.0 / (10.0 * k)))
            dist2 = (x[sl] - end[0]) ** 2 + (y[sl] - end[1]) ** 2
            near = np.exp(-dist2 * (1.0 / (80.0 * k) ** 2))
            mottle = 1.0 + (0.25 - 0.12 * mature) * lump[sl] + 0.1 * tex[sl]
            density = (0.6 + 0.4 * mature) * _MU_CORTEX
            bone[sl] += density * path * near * mottle
        return bone

    # -- implant ----------------------------------------------------------------------------

    def _implant(self):
        """Sliding hip screw: lag screw and barrel along the neck, side plate, cortical screws.

        Returns the pixel box it occupies and its attenuation there.
        """
        lay, pt = self.lay, self.pt
        k = lay.k
        u = lay.neck
        entry = lay.lag_entry
        # Lag screw tip about 10 mm short of the subchondral bone, central in the head.
        tip = _add(lay.head, u, lay.head_r - 40.0 * k)
        total = math.hypot(tip[0] - entry[0], tip[1] - entry[1])
        v0 = lay.along(entry)
        plate_c = lay.at(v0 + lay.plate_len / 2 - 12.0 * k, 0.0)
        plate_end = lay.at(v0 + lay.plate_len, 0.0)
        box = self.bbox([_add(tip, u, 10.0), entry,
                         _add(plate_end, lay.normal, -lay.shaft_r - 30.0),
                         _add(plate_end, lay.normal, lay.shaft_r + 40.0)], 40.0 * k)
        x, y = self.grid(box)

        barrel_len = (130.0 if self.view == "AP" else 56.0) * k  # foreshortened from the side
        barrel_c = _add(entry, u, barrel_len / 2 - 14.0 * k)
        barrel = _sd_box(x, y, barrel_c, u, barrel_len / 2, 21.0 * k)
        thread_len = 95.0 * k
        shank_len = total - thread_len
        shank = _sd_box(x, y, _add(entry, u, shank_len / 2), u, shank_len / 2, 13.0 * k)
        tc = _add(tip, u, -thread_len / 2)
        p = (x - tc[0]) * u[0] + (y - tc[1]) * u[1]
        crest = np.abs(((p * (1.0 / (10.0 * k))) % 1.0) - 0.5) * 2.0
        thread = _sd_box(x, y, tc, u, thread_len / 2, (14.0 + 8.0 * crest) * k)
        metal = np.minimum(np.minimum(barrel, shank), thread)
        if self.view == "AP":
            # The plate lies on the lateral cortex, seen edge-on; the screws cross the shaft.
            off = -(lay.shaft_r + 11.0 * k)
            plate_c = _add(plate_c, lay.normal, off)
            plate = _sd_box(x, y, plate_c, lay.axis, lay.plate_len / 2, 11.0 * k)
            metal = np.minimum(metal, plate)
            screw_len = 2.0 * lay.shaft_r + 22.0 * k
            for i in range(pt.plate_holes):
                hole = lay.at(v0 + (150.0 + 56.0 * i) * k, 0.0)
                c = _add(hole, lay.normal, off + screw_len / 2)
                q = (x - c[0]) * lay.normal[0] + (y - c[1]) * lay.normal[1]
                crest = np.abs(((q * (1.0 / (6.0 * k))) % 1.0) - 0.5) * 2.0
                screw = _sd_box(x, y, c, lay.normal, screw_len / 2, (5.5 + 3.0 * crest) * k)
                head_c = _add(hole, lay.normal, off - 6.0 * k)
                head = _sd_box(x, y, head_c, lay.normal, 9.0 * k, 13.0 * k)
                metal = np.minimum(metal, np.minimum(screw, head))
        else:
            # From the side the plate lies flat over the shaft; the cortical screws point at the
            # viewer and disappear in its shadow.
            plate = _sd_box(x, y, plate_c, lay.axis, lay.plate_len / 2, 27.0 * k)
            metal = np.minimum(metal, plate)
        return box, (_IMPLANT_DENSITY * _smoothstep(1.0, -1.0, metal)).astype(np.float32)

    def _side_marker(self):
        """The radiographer's lead "R" in the upper lateral corner (a right hip)."""
        x0, _, y0, _ = self.visible()
        ox, oy = x0 + 45.0, y0 + 45.0
        box = self.bbox([(ox, oy), (ox + 48.0, oy + 72.0)], 6.0)
        x, y = self.grid(box)
        half = 4.5
        stem = _sd_box(x, y, (ox + half, oy + 36.0), (0.0, 1.0), 36.0, half)
        bowl = np.abs(_length(x - (ox + 22.0), y - (oy + 19.0)) - 14.5) - half
        bowl = np.maximum(bowl, (ox + 20.0) - x)  # only the right half is round
        bars = np.minimum(_sd_box(x, y, (ox + 14.0, oy + 4.5), (1.0, 0.0), 8.0, half),
                          _sd_box(x, y, (ox + 14.0, oy + 33.5), (1.0, 0.0), 8.0, half))
        leg_dir = _unit((22.0, 36.0))
        leg = _sd_box(x, y, (ox + 35.0, oy + 54.0), leg_dir, 20.0, half)
        letter = np.minimum(np.minimum(stem, bowl), np.minimum(bars, leg))
        return box, (_IMPLANT_DENSITY * _smoothstep(0.8, -0.8, letter)).astype(np.float32)

    # -- detector and processing ------------------------------------------------------------

    def _expose(self, att: np.ndarray, rng: np.random.Generator, bits: int) -> np.ndarray:
        """Tone curve, edge enhancement, heel effect, quantum noise, blur, quantisation."""
        pt, s = self.pt, self.scale
        rows, cols = att.shape
        # Exposure and contrast vary between patients and visits.
        v = pt.air + pt.gain * att * (1.0 + pt.contrast * (att - 0.4))
        # Clinical edge enhancement: unsharp mask against a low-pass computed on a coarse grid.
        # The metal is clipped first so that it does not ring far into the bone around it.
        clipped = np.minimum(v, 1.1)
        f = max(1, int(round(4 * s)))
        low = ndimage.gaussian_filter(clipped[::f, ::f], 16.0 * s / f, truncate=2.5)
        v += pt.sharpen * 0.3 * (clipped - _resize(low, v.shape))
        # Heel effect: the exposure falls off towards the anode end of the tube.
        ang = math.radians(pt.heel_angle_deg)
        ramp_r = (np.arange(rows, dtype=np.float32) / rows - 0.5) * (pt.heel * math.cos(ang))
        ramp_c = (np.arange(cols, dtype=np.float32) / cols - 0.5) * (pt.heel * math.sin(ang))
        v += ramp_r[:, None]
        v += ramp_c[None, :]
        # Quantum noise grows where fewer photons arrive (dense regions). It is added before the
        # blur, as the detector's point spread also correlates it.
        sigma = (0.02 * pt.noise) * (0.45 + 0.8 * np.clip(v, 0.0, 1.2))
        v += sigma * rng.standard_normal(v.shape, dtype=np.float32)
        v = ndimage.gaussian_filter(v, max(pt.blur * s, 0.5), truncate=2.5)
        # Shoulder: bright structures compress smoothly and the metal saturates.
        knee = 0.8
        hi = v > knee
        v[hi] = knee + (1.0 - knee) * np.tanh((v[hi] - knee) * (1.4 / (1.0 - knee)))
        top = (1 << bits) - 1
        out = np.rint(v * top)
        np.clip(out, 0, top, out=out)
        return out.astype(np.uint16)
