"""Which pixels are which tissue: the HU thresholds of muscle and fat, and the trunk's outline."""

from __future__ import annotations

import numpy as np

from .volume import CtInputError

#: Alberta-protocol HU ranges used by the two-centre RUSH study (ImageJ).
DEFAULT_THRESHOLDS: dict[str, list[int]] = {
    "muscle": [-29, 150],
    "visceral_fat": [-150, -50],
    "subcutaneous_fat": [-150, -50],
}
#: The common alternative range for subcutaneous fat.
SUBCUTANEOUS_ALTERNATIVE = [-190, -30]


def normalise_thresholds(thresholds: dict | None) -> dict[str, list[int]]:
    merged = {k: list(v) for k, v in DEFAULT_THRESHOLDS.items()}
    for key, value in (thresholds or {}).items():
        if key not in merged:
            raise CtInputError(f"unknown threshold {key!r}", fix=f"use one of {', '.join(merged)}")
        try:
            low, high = (int(round(float(v))) for v in value)
        except (TypeError, ValueError):
            raise CtInputError(f"threshold {key} must be two numbers (low, high HU)", fix="e.g. -29 150") from None
        if low >= high:
            raise CtInputError(f"threshold {key}: low ({low}) must be below high ({high})", fix="swap the two values")
        merged[key] = [low, high]
    return merged


def _largest(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    labels, count = ndimage.label(mask)
    if count == 0:
        return np.zeros_like(mask)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


def body_mask(slice_hu: np.ndarray, spacing_mm: float | None = None) -> np.ndarray:
    """The trunk: the largest object denser than -500 HU, holes filled (no table, no air).

    With ``spacing_mm``, arms that touch the trunk are cut off too: an opening with a 12 mm disk
    breaks the narrow skin contact, and only the trunk's pixels within 12 mm of what survives
    are kept (so its own outline is not rounded off).
    """
    from scipy import ndimage

    dense = slice_hu > -500
    dense = ndimage.binary_opening(dense, structure=np.ones((3, 3), bool), iterations=2)
    body = ndimage.binary_fill_holes(_largest(dense))
    if spacing_mm:
        radius = max(1, int(round(12.0 / spacing_mm)))
        step = 4  # on a 4x coarser grid: the same result at a fraction of the cost
        small = body[::step, ::step]
        r = max(1, radius // step)
        yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
        disk = xx * xx + yy * yy <= r * r
        core = _largest(ndimage.binary_opening(small, structure=disk))
        near = ndimage.binary_dilation(core, structure=disk, iterations=1)
        near = np.repeat(np.repeat(near, step, axis=0), step, axis=1)[: body.shape[0], : body.shape[1]]
        body = ndimage.binary_fill_holes(_largest(body & near))
    return body



def tissue_masks(slice_hu: np.ndarray, thresholds: dict, spacing_mm: float | None = None) -> dict[str, np.ndarray]:
    """Threshold masks of one slice; subcutaneous fat only within the trunk (see :func:`body_mask`)."""
    t = normalise_thresholds(thresholds)
    body = body_mask(slice_hu, spacing_mm)
    return {
        "body": body,
        "muscle": (slice_hu >= t["muscle"][0]) & (slice_hu <= t["muscle"][1]),
        "visceral_fat": (slice_hu >= t["visceral_fat"][0]) & (slice_hu <= t["visceral_fat"][1]),
        "subcutaneous_fat": body & (slice_hu >= t["subcutaneous_fat"][0]) & (slice_hu <= t["subcutaneous_fat"][1]),
    }
