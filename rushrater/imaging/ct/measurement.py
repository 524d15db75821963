"""The body-composition measurement of one slice: muscle, visceral and subcutaneous fat areas (cm²)
and mean muscle HU from the contours and thresholds, and the height-indexed values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .contours import check_contour, polygon_mask
from .tissues import normalise_thresholds, tissue_masks
from .volume import CtInputError


@dataclass
class Measurement:
    muscle_cm2: float
    visceral_fat_cm2: float
    subcutaneous_fat_cm2: float
    muscle_mean_hu: float | None



def compartments(shape, outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(wall, cavity): inside the outer contour but outside the inner one, and inside the inner."""
    outer_mask = polygon_mask(outer, shape)
    cavity = polygon_mask(inner, shape) & outer_mask
    return outer_mask & ~cavity, cavity


def measure_masks(masks: dict[str, np.ndarray], slice_hu: np.ndarray, outer: np.ndarray, inner: np.ndarray,
                  pixel_area_cm2: float, skin: np.ndarray | None = None) -> tuple[Measurement, dict[str, np.ndarray]]:
    """Areas from precomputed threshold masks (fast enough to run on every contour drag).

    ``skin``, when given, is the trunk's outline: subcutaneous fat is counted only inside it (an
    arm lying against the trunk is not the trunk's subcutaneous fat).
    """
    wall, cavity = compartments(slice_hu.shape, outer, inner)
    outer_region = wall | cavity
    muscle = wall & masks["muscle"]
    visceral = cavity & masks["visceral_fat"]
    subcutaneous = masks["subcutaneous_fat"] & ~outer_region
    if skin is not None:
        subcutaneous &= polygon_mask(skin, slice_hu.shape)
    count = int(muscle.sum())
    result = Measurement(
        muscle_cm2=count * pixel_area_cm2,
        visceral_fat_cm2=float(visceral.sum()) * pixel_area_cm2,
        subcutaneous_fat_cm2=float(subcutaneous.sum()) * pixel_area_cm2,
        muscle_mean_hu=float(slice_hu[muscle].mean()) if count else None,
    )
    return result, {"muscle": muscle, "visceral_fat": visceral, "subcutaneous_fat": subcutaneous}


def measure_slice(slice_hu: np.ndarray, contours: dict, thresholds: dict | None, pixel_area_cm2: float,
                  spacing_mm: float | None = None) -> Measurement:
    outer = check_contour(contours.get("outer"), "outer")
    inner = check_contour(contours.get("inner"), "inner")
    from skimage.measure import points_in_poly

    if not points_in_poly(inner, outer).all():
        raise CtInputError(
            "the inner (visceral) contour reaches outside the outer (wall) contour",
            fix="drag the inner contour's points inside the outer contour",
        )
    skin = check_contour(contours["skin"], "skin") if contours.get("skin") else None
    masks = tissue_masks(slice_hu, normalise_thresholds(thresholds), spacing_mm)
    return measure_masks(masks, slice_hu, outer, inner, pixel_area_cm2, skin)[0]


def indices(measurement: Measurement, height_m: float) -> dict[str, float | None]:
    """SMI, VFI, SFI (cm²/m²) and the visceral-to-subcutaneous area ratio."""
    if not height_m or height_m <= 0:
        raise CtInputError("the patient's height is missing", fix="enter the height in metres (e.g. 1.72)")
    h2 = height_m * height_m
    return {
        "smi": measurement.muscle_cm2 / h2,
        "vfi": measurement.visceral_fat_cm2 / h2,
        "sfi": measurement.subcutaneous_fat_cm2 / h2,
        "vsr": measurement.visceral_fat_cm2 / measurement.subcutaneous_fat_cm2 if measurement.subcutaneous_fat_cm2 > 0 else None,
    }
