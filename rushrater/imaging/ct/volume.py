"""A CT volume in Hounsfield units with its geometry, as read from a series or from the image store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ...domain.errors import ValidationError

#: Stored volumes are unsigned 16-bit (the image store's format) with this offset; values below
#: -1024 HU (padding outside the scan circle) are air for body composition and clip to -1024.
HU_OFFSET = 1024


class CtInputError(ValidationError):
    """A CT series, label file or contour that cannot be used (bad input, not a bug)."""


@dataclass
class CtVolume:
    hu: np.ndarray  # int16, (slices, rows, columns), slice 0 the most inferior
    positions_mm: np.ndarray  # position of each slice along the slice normal
    row_spacing_mm: float
    column_spacing_mm: float
    orientation: list[float] = field(default_factory=lambda: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    origins: list[list[float]] = field(default_factory=list)  # ImagePositionPatient per slice

    @property
    def slice_count(self) -> int:
        return int(self.hu.shape[0])

    @property
    def slice_spacing_mm(self) -> float:
        if len(self.positions_mm) < 2:
            return 1.0
        return float(np.mean(np.diff(self.positions_mm)))

    @property
    def pixel_area_cm2(self) -> float:
        return self.row_spacing_mm * self.column_spacing_mm / 100.0

    def geometry(self) -> dict:
        return {
            "positions_mm": [round(float(p), 4) for p in self.positions_mm],
            "orientation": [float(v) for v in self.orientation],
            "origins": self.origins,
        }

    def stored_pixels(self) -> np.ndarray:
        return (np.clip(self.hu.astype(np.int32), -HU_OFFSET, 65535 - HU_OFFSET) + HU_OFFSET).astype(np.uint16)

    def content_sha256(self) -> str:
        pixels = self.stored_pixels()
        digest = hashlib.sha256(f"{pixels.dtype.str}{pixels.shape}".encode())
        digest.update(pixels.tobytes())
        return digest.hexdigest()

    @classmethod
    def from_stored(cls, pixels: np.ndarray, row_spacing_mm: float, column_spacing_mm: float, geometry: dict) -> "CtVolume":
        if pixels.ndim == 2:
            pixels = pixels[np.newaxis]
        hu = (pixels.astype(np.int32) - HU_OFFSET).astype(np.int16)
        return cls(
            hu=hu,
            positions_mm=np.asarray(geometry["positions_mm"], dtype=float),
            row_spacing_mm=row_spacing_mm,
            column_spacing_mm=column_spacing_mm,
            orientation=list(geometry.get("orientation") or [1, 0, 0, 0, 1, 0]),
            origins=list(geometry.get("origins") or []),
        )



def reformat(volume: CtVolume, plane: str, index: int) -> tuple[np.ndarray, float]:
    """A sagittal (fixed column) or coronal (fixed row) image, superior at the top, and the
    height/width ratio of one of its pixels (slice spacing over in-plane spacing)."""
    if plane == "sagittal":
        image = volume.hu[:, :, int(np.clip(index, 0, volume.hu.shape[2] - 1))]
        aspect = volume.slice_spacing_mm / volume.row_spacing_mm
    elif plane == "coronal":
        image = volume.hu[:, int(np.clip(index, 0, volume.hu.shape[1] - 1)), :]
        aspect = volume.slice_spacing_mm / volume.column_spacing_mm
    else:
        raise ValueError(f"unknown plane {plane!r}")
    return image[::-1], aspect
