"""Stored pixel values to screen grey levels, as a diagnostic viewer shows them (no Qt here).

The DICOM grayscale pipeline (PS3.3 C.11, PS3.4 N.2.1), in order:

1. decode: keep only the ``bits_stored`` low bits (sign-extended when the values are signed);
2. modality LUT: Modality LUT Sequence when present, else rescale slope/intercept;
3. VOI: a VOI LUT Sequence entry, or a window (centre/width) with VOILUTFunction LINEAR,
   LINEAR_EXACT or SIGMOID; the file's first window is the default, the others are presets;
4. invert exactly once for MONOCHROME1 or Presentation LUT Shape INVERSE (and again when the
   reader asks for an inverted view);
5. 8-bit display levels.

Every step is a function of the stored value alone, so the whole chain is computed once over
the stored value range (at most 65,536 entries, about a millisecond) and an image is converted
with one table look-up (``lut[pixels]``), which is what keeps a 2500 x 3000 image near 10 ms.
Automatic windows come from percentiles of the modality values with the Pixel Padding Value
(and its range) left out, so a black collimator border does not flatten the bone.

pydicom has ``apply_modality_lut``/``apply_voi_lut``; they work on whole float images per call
(hundreds of milliseconds at this size, and they need a Dataset), which is why the same rules are
written here as look-up tables. The tests check both agree on pydicom's own test files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .attributes import DisplayAttributes, LookupTable, Window

#: Percentiles of the (non-padding) modality values an automatic window spans.
AUTO_PERCENTILES = (0.5, 99.5)
#: The bone preset spans the brightest part of the image on screen (cortex and trabeculae): a
#: heuristic for radiographs, whose values have no physical unit to hang a fixed window on.
BONE_PERCENTILES = (35.0, 99.8)
#: Sampling stride (rows and columns) for the statistics: ample for percentiles, 16x less work.
STATS_STRIDE = 4


@dataclass(frozen=True)
class Preset:
    """A window/level choice offered to the reader: a window, or one of the file's VOI LUTs."""

    key: str  # "file-1", "voi-lut-1", "bone", "auto"
    label: str
    window: Window | None = None
    voi_lut: int | None = None  # index into DisplayAttributes.voi_luts


def _voi_linear(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.2.1: the classic window, output 0..1."""
    width = max(float(width), 1.0)  # a width below 1 is not allowed by the standard
    y = (x - (center - 0.5)) / (width - 1.0) + 0.5 if width > 1 else np.where(x > center - 0.5, 1.0, 0.0)
    below = x <= center - 0.5 - (width - 1.0) / 2.0
    above = x > center - 0.5 + (width - 1.0) / 2.0
    return np.where(below, 0.0, np.where(above, 1.0, y))


def _voi_linear_exact(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.3.2: LINEAR_EXACT, output 0..1."""
    width = max(float(width), np.finfo(float).tiny)
    y = (x - center) / width + 0.5
    return np.where(x <= center - width / 2.0, 0.0, np.where(x > center + width / 2.0, 1.0, y))


def _voi_sigmoid(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """PS3.3 C.11.2.1.3.1: SIGMOID, output 0..1."""
    width = max(float(width), np.finfo(float).tiny)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-4.0 * (x - center) / width))


VOI_FUNCTIONS = {"LINEAR": _voi_linear, "LINEAR_EXACT": _voi_linear_exact, "SIGMOID": _voi_sigmoid}


def _apply_table(table: LookupTable, x: np.ndarray) -> np.ndarray:
    """A DICOM LUT: inputs below the first mapped value take the first entry, above the last the last."""
    data = np.asarray(table.data, dtype=np.float64)
    index = np.clip(np.rint(x).astype(np.int64) - int(table.first_mapped), 0, len(data) - 1)
    return data[index]


class DisplayPipeline:
    """The display chain for one image's attributes and stored pixel type.

    ``lut(...)`` gives a uint8 table indexed by the stored value (as its unsigned bit pattern);
    ``apply(pixels, table)`` converts an image. Tables are cheap: build one per window change.
    """

    def __init__(self, attributes: DisplayAttributes, dtype: np.dtype | type = np.uint16):
        self.attributes = attributes
        self.dtype = np.dtype(dtype)
        if self.dtype.kind not in "ui" or self.dtype.itemsize > 2:
            raise ValueError(f"stored pixels must be 8- or 16-bit integers, not {self.dtype}")
        self.signed = self.dtype.kind == "i"
        bits_allocated = self.dtype.itemsize * 8
        self.bits_stored = min(max(int(attributes.bits_stored or bits_allocated), 1), bits_allocated)
        self.size = 1 << bits_allocated
        # Step 1 for every possible stored bit pattern: mask the unused high bits, sign-extend.
        patterns = np.arange(self.size, dtype=np.int64)
        stored = patterns & ((1 << self.bits_stored) - 1)
        if self.signed:
            sign = 1 << (self.bits_stored - 1)
            stored = np.where(stored & sign, stored - (1 << self.bits_stored), stored)
        self.stored_values = stored
        # Step 2.
        if attributes.modality_lut is not None:
            self.modality_values = _apply_table(attributes.modality_lut, stored.astype(np.float64))
        else:
            self.modality_values = stored * float(attributes.rescale_slope) + float(attributes.rescale_intercept)
        # Step 4's fixed part: MONOCHROME1 and INVERSE both mean "low values white": invert once.
        self.inverted_by_file = (
            attributes.photometric.upper() == "MONOCHROME1" or attributes.presentation_lut_shape.upper() == "INVERSE"
        )
        self.padding = self._padding_mask()

    # -- tables ---------------------------------------------------------------------------------

    def _padding_mask(self) -> np.ndarray | None:
        value = self.attributes.pixel_padding_value
        if value is None:
            return None
        limit = self.attributes.pixel_padding_range_limit
        low, high = (value, value) if limit is None else (min(value, limit), max(value, limit))
        return (self.stored_values >= low) & (self.stored_values <= high)

    def index(self, pixels: np.ndarray) -> np.ndarray:
        """The stored pixels as indices into this pipeline's tables (no copy)."""
        if pixels.dtype != self.dtype:
            raise ValueError(f"pipeline built for {self.dtype} pixels, got {pixels.dtype}")
        return pixels.view(np.uint16 if self.dtype.itemsize == 2 else np.uint8)

    def voi(self, window: Window | None = None, voi_lut: int | None = None) -> np.ndarray:
        """VOI output (0..1, float) for every stored pattern; the file's default when both are None."""
        x = self.modality_values
        if voi_lut is not None:
            table = self.attributes.voi_luts[voi_lut]
            top = max(float((1 << table.bits) - 1), float(max(table.data, default=1)), 1.0)
            return np.clip(_apply_table(table, x) / top, 0.0, 1.0)
        if window is None:
            if self.attributes.voi_luts:
                return self.voi(voi_lut=0)
            window = self.default_window()
        function = VOI_FUNCTIONS.get(self.attributes.voi_lut_function.upper(), _voi_linear)
        return function(x, float(window.center), float(window.width))

    def lut(self, window: Window | None = None, *, voi_lut: int | None = None, invert: bool = False) -> np.ndarray:
        """The uint8 display table: steps 1-5 for every stored bit pattern.

        ``invert`` is the reader's own inversion, on top of the file's (MONOCHROME1/INVERSE).
        """
        levels = np.rint(self.voi(window, voi_lut) * 255.0).astype(np.uint8)
        if self.inverted_by_file != bool(invert):
            levels = 255 - levels  # on the 8-bit levels: an exact mirror, whatever the rounding
        return levels

    def apply(self, pixels: np.ndarray, table: np.ndarray) -> np.ndarray:
        """Convert stored pixels to 8-bit screen levels with a table from :meth:`lut`."""
        return np.take(table, self.index(pixels))

    def render(self, pixels: np.ndarray, window: Window | None = None, *, invert: bool = False) -> np.ndarray:
        return self.apply(pixels, self.lut(window, invert=invert))

    # -- windows --------------------------------------------------------------------------------

    def default_window(self, pixels: np.ndarray | None = None) -> Window:
        """The file's first window; else a percentile window over ``pixels``; else the full range."""
        if self.attributes.windows:
            return self.attributes.windows[0]
        if pixels is not None:
            return self.auto_window(pixels)
        low, high = float(self.modality_values.min()), float(self.modality_values.max())
        return Window((low + high) / 2.0, max(high - low, 1.0), "full range")

    def histogram(self, pixels: np.ndarray) -> np.ndarray:
        """Counts per stored pattern over a strided sample, padding left out."""
        sample = self.index(pixels)[::STATS_STRIDE, ::STATS_STRIDE]
        counts = np.bincount(sample.ravel(), minlength=self.size).astype(np.int64)
        if self.padding is not None:
            counts[self.padding] = 0
        return counts

    def percentile_window(self, pixels: np.ndarray, low: float, high: float, label: str = "", counts=None) -> Window:
        counts = self.histogram(pixels) if counts is None else counts
        total = int(counts.sum())
        if total == 0:
            return self.default_window()
        present = np.nonzero(counts)[0]
        values = self.modality_values[present]
        order = np.argsort(values, kind="stable")
        values, cumulative = values[order], np.cumsum(counts[present][order])
        lo = float(values[np.searchsorted(cumulative, total * low / 100.0, side="left").clip(0, len(values) - 1)])
        hi = float(values[np.searchsorted(cumulative, total * high / 100.0, side="left").clip(0, len(values) - 1)])
        if hi <= lo:
            hi = lo + 1.0
        return Window((lo + hi) / 2.0, hi - lo, label)

    def auto_window(self, pixels: np.ndarray, counts=None) -> Window:
        return self.percentile_window(pixels, *AUTO_PERCENTILES, label="auto", counts=counts)

    def bone_window(self, pixels: np.ndarray, counts=None) -> Window:
        """A narrower window over the values bone takes: bright on screen, whichever way stored."""
        low, high = BONE_PERCENTILES
        if self.inverted_by_file:  # low values are bright: take the low end of the value range
            low, high = 100.0 - high, 100.0 - low
        return self.percentile_window(pixels, low, high, label="bone", counts=counts)

    def presets(self, pixels: np.ndarray) -> list[Preset]:
        """The file's windows and VOI LUTs (first = default), then bone and automatic."""
        counts = self.histogram(pixels)
        result: list[Preset] = []
        # Neutral names only: a file's own explanation is free text (it has named the referrer and
        # a date), and studies imported before it was dropped may still hold it.
        for n, window in enumerate(self.attributes.windows, start=1):
            result.append(Preset(f"file-{n}", f"File window {n}", window=Window(window.center, window.width)))
        for n, _table in enumerate(self.attributes.voi_luts, start=1):
            result.append(Preset(f"voi-lut-{n}", f"File VOI LUT {n}", voi_lut=n - 1))
        result.append(Preset("bone", "Bone", window=self.bone_window(pixels, counts)))
        result.append(Preset("auto", "Automatic", window=self.auto_window(pixels, counts)))
        return result

    def window_for_lut(self, voi_lut: int) -> Window:
        """The window a VOI LUT roughly corresponds to: where dragging starts from a LUT preset."""
        table = self.attributes.voi_luts[voi_lut]
        first, last = float(table.first_mapped), float(table.first_mapped + len(table.data) - 1)
        return Window((first + last) / 2.0, max(last - first, 1.0))

    def value_range(self) -> tuple[float, float]:
        return float(self.modality_values.min()), float(self.modality_values.max())


def downsample(pixels: np.ndarray) -> np.ndarray:
    """Half size by 2 x 2 block means (an odd last row/column is dropped): a pyramid level."""
    rows, cols = (pixels.shape[0] // 2) * 2, (pixels.shape[1] // 2) * 2
    block = pixels[:rows, :cols]
    wide = np.int32 if pixels.dtype.kind == "i" else np.uint32  # signed: average values, not bit patterns
    total = np.add(block[0::2, 0::2], block[1::2, 0::2], dtype=wide)
    total += block[0::2, 1::2]
    total += block[1::2, 1::2]
    total += 2
    total //= 4
    return total.astype(pixels.dtype)


def pyramid(pixels: np.ndarray, smallest_side: int = 384) -> list[np.ndarray]:
    """Full resolution first, then halvings while the short side stays above ``smallest_side``."""
    levels = [pixels]
    while min(levels[-1].shape) // 2 >= smallest_side:
        levels.append(downsample(levels[-1]))
    return levels
