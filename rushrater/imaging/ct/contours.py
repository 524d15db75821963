"""The two contours of a slice: proposed by image processing (no model weights), checked, simplified
for dragging, and filled as pixel masks."""

from __future__ import annotations

import numpy as np

from .tissues import body_mask, normalise_thresholds
from .volume import CtInputError

#: Rays of an automatic contour (one vertex each): 4 degrees apart.
RAYS = 90


def auto_contours(slice_hu: np.ndarray, thresholds: dict | None = None, spacing_mm: float = 1.0, rays: int = RAYS) -> dict[str, list[list[float]]]:
    """Outer (subcutaneous fat | muscle wall) and inner (wall | visceral cavity) contours as
    [[x, y], ...] pixel coordinates, found along ``rays`` rays from the body's centroid.

    From outside in along each ray: skip the skin, cross the fat layer, and the first run of
    non-fat tissue at least 2 mm long starts the wall (outer point); continuing inward, the first
    run of fat or gas at least 3 mm long ends the wall (inner point). A ray that runs into an organ
    touching the wall (liver, spleen) finds no end: its point is interpolated from its neighbours,
    and a circular median over 5 rays removes the remaining spikes. The assessor edits the result.
    """
    from scipy import ndimage

    t = normalise_thresholds(thresholds)
    body = body_mask(slice_hu, spacing_mm)
    if body.sum() < 100:
        raise CtInputError("no body found on this slice", fix="choose a slice through the trunk")
    smooth = ndimage.median_filter(slice_hu, size=3)
    fat_low = min(t["subcutaneous_fat"][0], t["visceral_fat"][0])
    fat_high = max(t["subcutaneous_fat"][1], t["visceral_fat"][1])
    fat = (smooth >= fat_low) & (smooth <= fat_high)
    gas = smooth < fat_low
    cy, cx = ndimage.center_of_mass(body)
    height, width = slice_hu.shape
    step = 0.5
    max_radius = float(np.hypot(height, width))
    radii = np.arange(0.0, max_radius, step)
    angles = np.linspace(0.0, 2 * np.pi, rays, endpoint=False)
    xs = cx + np.cos(angles)[:, None] * radii[None, :]
    ys = cy + np.sin(angles)[:, None] * radii[None, :]
    inside = (xs >= 0) & (xs <= width - 1) & (ys >= 0) & (ys <= height - 1)
    xi = np.clip(np.rint(xs).astype(int), 0, width - 1)
    yi = np.clip(np.rint(ys).astype(int), 0, height - 1)
    in_body = body[yi, xi] & inside
    # Bilinear HU profiles along the rays place each boundary between pixel centres (sub-pixel).
    profiles = ndimage.map_coordinates(smooth.astype(np.float32), [ys.ravel(), xs.ravel()], order=1, mode="nearest").reshape(xs.shape)
    is_fat = fat[yi, xi] & in_body
    is_gas = gas[yi, xi] & in_body
    skin = max(1, int(round(3.0 / spacing_mm / step)))
    wall_run = max(1, int(round(2.0 / spacing_mm / step)))
    cavity_run = max(1, int(round(3.0 / spacing_mm / step)))
    outer = np.full(rays, np.nan)
    inner = np.full(rays, np.nan)
    candidates: list[np.ndarray] = []
    edges = np.full(rays, np.nan)
    for k in range(rays):
        body_idx = np.nonzero(in_body[k])[0]
        if body_idx.size == 0:
            candidates.append(np.zeros(0, dtype=int))
            continue
        edge = int(body_idx.max())
        edges[k] = (edge + 0.5) * step
        fat_ray = is_fat[k, : edge + 1]
        # Skip the skin; thick skin: look a little deeper for the fat layer.
        start = edge - skin
        deeper = np.nonzero(fat_ray[max(0, edge - 3 * skin) : start + 1])[0]
        if deeper.size:
            start = max(0, edge - 3 * skin) + int(deeper.max())
        # Walking inward from ``start``: samples that begin a run of non-fat after fat.
        runs = _runs(~fat_ray[: start + 1], wall_run)
        begins = runs[~np.isin(runs + 1, runs)] if runs.size else runs
        candidates.append(np.sort(begins)[::-1])
    first = np.array([c[0] if c.size else np.nan for c in candidates], dtype=float)
    if np.all(np.isnan(first)):
        raise CtInputError("no fat-muscle boundary found on this slice", fix="draw the contours by hand")
    # An arm lying against the trunk puts the first boundary on the arm's own muscle: far beyond
    # the trunk's outline around it. Those rays take the next boundary inward that fits it.
    # Such rays stand out against a wide running median; across them, the outline is interpolated
    # from the rays on either side, and each takes its boundary nearest to that.
    wide = _circular_median(_fill_circular(first), max(3, rays // 3) | 1)
    arm = first > 1.2 * wide
    expected = _fill_circular(np.where(arm, np.nan, first)) if (~arm).any() else wide
    for k, options in enumerate(candidates):
        if options.size == 0:
            continue
        found = int(options[0])
        if arm[k]:
            found = int(options[np.argmin(np.abs(options - expected[k]))])
        outer[k] = _refine(profiles[k], found, wall_run) * step
        limit = found - int(0.55 * found)  # the wall is at most ~half the way to the centre
        cavity = (is_fat[k] | is_gas[k])[: found + 1]
        cavity_run_at = _runs(cavity, cavity_run)
        cavity_run_at = cavity_run_at[cavity_run_at >= limit]
        if cavity_run_at.size:
            inner[k] = _refine(profiles[k], int(cavity_run_at.max()), cavity_run) * step
    if np.all(np.isnan(outer)):
        raise CtInputError("no fat-muscle boundary found on this slice", fix="draw the contours by hand")
    outer = _fill_circular(outer)
    if np.all(np.isnan(inner)):
        inner = outer * 0.7
    inner = _fill_circular(inner)
    outer = _circular_median(outer, 3)
    # Radially inside the outer contour on every ray (2 px apart, so a simplified copy of each
    # stays apart too): the visceral compartment is always within the wall.
    inner = np.clip(_circular_median(inner, 5), 1.0, np.maximum(outer - 2.0, 1.0))

    def to_points(r: np.ndarray) -> list[list[float]]:
        return [[float(cx + np.cos(a) * v), float(cy + np.sin(a) * v)] for a, v in zip(angles, r)]

    contours = {"outer": to_points(outer), "inner": to_points(inner)}
    if arm.any():
        # The trunk's own skin where an arm lies against it: the fat layer as thick as on the
        # neighbouring rays. Subcutaneous fat is counted inside this outline only (not the arm's).
        thickness = np.where(arm | np.isnan(edges), np.nan, edges - outer)
        skin = np.where(arm, outer + _fill_circular(thickness), edges) + 1.0
        contours["skin"] = to_points(np.maximum(_fill_circular(skin), outer + 1.0))
    return contours


def _refine(profile: np.ndarray, j: int, n: int) -> float:
    """Sub-pixel position (in samples) of the edge between samples j and j + 1: where the profile
    crosses halfway between the tissue levels on either side, nearest to j + 0.5."""
    inside = float(np.median(profile[max(0, j - n + 1) : j + 1]))
    outside = float(np.median(profile[j + 1 : j + 1 + n])) if j + 1 < len(profile) else inside
    mid = (inside + outside) / 2.0
    lo, hi = max(0, j - 4), min(len(profile) - 1, j + 5)
    best = j + 0.5
    for m in range(lo, hi):
        a, b = profile[m] - mid, profile[m + 1] - mid
        if a == b or a * b > 0:
            continue
        t = m + a / (a - b)
        if abs(t - (j + 0.5)) < abs(best - (j + 0.5)) or best == j + 0.5:
            best = t
    return best


def simplify_contour(points, tolerance_px: float = 0.5) -> list[list[float]]:
    """Fewer points (to drag) that stay within ``tolerance_px`` of the contour (Douglas-Peucker)."""
    from skimage.measure import approximate_polygon

    array = np.asarray(points, dtype=float)
    closed = np.vstack([array, array[:1]])
    return approximate_polygon(closed, tolerance_px)[:-1].tolist()


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Indices j where flags[j - length + 1 : j + 1] are all true (a run ending at j, seen inward)."""
    if flags.size < length:
        return np.zeros(0, dtype=int)
    counts = np.convolve(flags.astype(np.int32), np.ones(length, dtype=np.int32), mode="valid")
    return np.nonzero(counts == length)[0] + length - 1


def _fill_circular(values: np.ndarray) -> np.ndarray:
    n = len(values)
    known = np.nonzero(~np.isnan(values))[0]
    if known.size == n:
        return values
    x = np.concatenate([known - n, known, known + n])
    y = np.tile(values[known], 3)
    return np.interp(np.arange(n), x, y)


def _circular_median(values: np.ndarray, size: int) -> np.ndarray:
    from scipy import ndimage

    return ndimage.median_filter(values, size=size, mode="wrap")


def check_contour(points, name: str) -> np.ndarray:
    """The contour as an (n, 2) array, refused with a clear message if it cannot bound an area."""
    array = np.asarray(points, dtype=float)
    if array.ndim != 2 or array.shape[1] != 2 or len(array) < 3 or not np.isfinite(array).all():
        raise CtInputError(f"the {name} contour needs at least three points", fix=f"redraw the {name} contour")
    if _self_crossing(array):
        raise CtInputError(
            f"the {name} contour crosses itself, so its area is undefined",
            fix=f"drag the {name} contour's points so that its outline does not cross over itself",
        )
    return array


def _self_crossing(points: np.ndarray) -> bool:
    """Whether any two non-adjacent edges of the closed polygon intersect (strictly)."""
    a = points
    b = np.roll(points, -1, axis=0)
    n = len(points)
    d = b - a
    # Orientation tests of every edge pair, vectorised.
    def cross(u, v):
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]

    ai, bi, di = a[:, None], b[:, None], d[:, None]
    aj, bj, dj = a[None], b[None], d[None]
    o1 = cross(di, aj - ai)
    o2 = cross(di, bj - ai)
    o3 = cross(dj, ai - aj)
    o4 = cross(dj, bi - aj)
    hit = (o1 * o2 < 0) & (o3 * o4 < 0)
    idx = np.arange(n)
    adjacent = (np.abs(idx[:, None] - idx[None]) <= 1) | (np.abs(idx[:, None] - idx[None]) == n - 1)
    return bool((hit & ~adjacent).any())


def polygon_mask(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels whose centres lie inside the polygon (x, y pixel coordinates), even-odd rule.

    A vectorised scan-line fill written here because ``skimage.draw.polygon`` takes ~30 ms for a
    512 x 512 slice, too slow to update the areas on every contour drag (this takes ~1 ms).
    """
    height, width = shape
    points = np.asarray(points, dtype=float)
    x1, y1 = points[:, 0], points[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    top = max(0, int(np.ceil(min(y1.min(), height))))
    bottom = min(height - 1, int(np.floor(y1.max())))
    mask = np.zeros(shape, dtype=bool)
    if bottom < top:
        return mask
    rows = np.arange(top, bottom + 1, dtype=float)[:, None]
    low, high = np.minimum(y1, y2)[None], np.maximum(y1, y2)[None]
    crosses = (low <= rows) & (rows < high)  # half-open: a vertex on a row is counted once
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x1[None] + (rows - y1[None]) * (x2 - x1)[None] / (y2 - y1)[None]
    xs = np.where(crosses, xs, np.inf)
    xs.sort(axis=1)
    pairs = crosses.sum(axis=1).max() // 2
    if pairs == 0:
        return mask
    starts = np.ceil(xs[:, 0 : 2 * pairs : 2])
    ends = np.ceil(xs[:, 1 : 2 * pairs : 2])
    valid = np.isfinite(starts) & np.isfinite(ends)
    starts = np.clip(np.where(valid, starts, 0), 0, width).astype(int)
    ends = np.clip(np.where(valid, ends, 0), 0, width).astype(int)
    edges = np.zeros((len(rows), width + 1), dtype=np.int32)
    row_index = np.broadcast_to(np.arange(len(rows))[:, None], starts.shape)
    np.add.at(edges, (row_index, starts), 1)
    np.add.at(edges, (row_index, ends), -1)
    mask[top : bottom + 1] = np.cumsum(edges[:, :width], axis=1) > 0
    return mask
