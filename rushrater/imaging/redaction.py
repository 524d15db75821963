"""Masking burned-in text: rectangles set to the value that shows black on screen.

Which stored value is black depends on the display chain: with MONOCHROME2 the lowest value is
black, with MONOCHROME1 (or a Presentation LUT Shape of INVERSE, never both: the pipeline inverts
exactly once) the highest; a negative rescale slope flips it once more. The mask value is outside
any window, so it stays black whatever window the rater picks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .attributes import DisplayAttributes


@dataclass(frozen=True)
class Rect:
    """A rectangle in image pixels: left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    @classmethod
    def from_value(cls, value) -> "Rect":
        if isinstance(value, dict):
            return cls(int(value["x"]), int(value["y"]), int(value["width"]), int(value["height"]))
        x, y, w, h = (int(round(float(v))) for v in value)
        return cls(x, y, w, h)

    def to_list(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]

    def clipped(self, rows: int, columns: int) -> "Rect | None":
        x0, y0 = max(0, self.x), max(0, self.y)
        x1, y1 = min(columns, self.x + self.width), min(rows, self.y + self.height)
        if x1 <= x0 or y1 <= y0:
            return None
        return Rect(x0, y0, x1 - x0, y1 - y0)


def black_value(attributes: DisplayAttributes, dtype: np.dtype) -> int:
    top = min((1 << max(1, attributes.bits_stored)) - 1, int(np.iinfo(dtype).max))
    inverted = attributes.photometric == "MONOCHROME1" or attributes.presentation_lut_shape == "INVERSE"
    if attributes.modality_lut is None and attributes.rescale_slope < 0:
        inverted = not inverted
    return top if inverted else 0


def apply(pixels: np.ndarray, rects, attributes: DisplayAttributes) -> np.ndarray:
    """A copy of ``pixels`` with every rectangle set to black (clipped to the image)."""
    out = np.array(pixels, copy=True)
    value = black_value(attributes, out.dtype)
    for rect in rects:
        clipped = Rect.from_value(rect).clipped(*out.shape)
        if clipped is not None:
            out[clipped.y : clipped.y + clipped.height, clipped.x : clipped.x + clipped.width] = value
    return out


def template_key(device: str, width: int, height: int) -> str:
    """One redaction template applies to every image of this device and size."""
    return f"{device or 'unknown device'} | {width}x{height}"
