"""What display needs to know about an image, kept with its de-identified pixels.

This is the contract between import (which reads it from the source file) and the display pipeline
(which turns stored values into screen grey levels). It is stored as JSON in ``image.display``;
nothing in it identifies a patient.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LookupTable:
    """A DICOM LUT: input values from ``first_mapped`` map to ``data``; ``bits`` per output entry."""

    first_mapped: int
    bits: int
    data: tuple[int, ...]
    explanation: str = ""


@dataclass(frozen=True)
class Window:
    center: float
    width: float
    explanation: str = ""


@dataclass(frozen=True)
class DisplayAttributes:
    photometric: str = "MONOCHROME2"  # MONOCHROME1: low values are white
    bits_stored: int = 16
    rescale_slope: float = 1.0
    rescale_intercept: float = 0.0
    modality_lut: LookupTable | None = None  # used instead of rescale when present
    windows: tuple[Window, ...] = ()  # the first is the default, the others presets
    voi_lut_function: str = "LINEAR"  # LINEAR | LINEAR_EXACT | SIGMOID
    voi_luts: tuple[LookupTable, ...] = ()  # used instead of windows when present
    presentation_lut_shape: str = "IDENTITY"  # IDENTITY | INVERSE
    pixel_padding_value: int | None = None
    pixel_padding_range_limit: int | None = None
    pixel_spacing_mm: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("windows", "voi_luts"):
            data[key] = list(data[key])
        for lut in [data["modality_lut"], *data["voi_luts"]]:
            if lut is not None:
                lut["data"] = list(lut["data"])
        return data

    @classmethod
    def from_columns(
        cls,
        *,
        photometric: str,
        bits_stored: int,
        rescale_slope: float,
        rescale_intercept: float,
        window_center: float | None,
        window_width: float | None,
        pixel_spacing_mm: float | None,
    ) -> "DisplayAttributes":
        """The basic attributes kept as flat values (images imported before the JSON was kept)."""
        windows = (Window(window_center, window_width),) if window_center is not None and window_width else ()
        return cls(
            photometric=photometric,
            bits_stored=bits_stored,
            rescale_slope=rescale_slope,
            rescale_intercept=rescale_intercept,
            windows=windows,
            pixel_spacing_mm=pixel_spacing_mm,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "DisplayAttributes":
        if not data:
            return cls()
        values = dict(data)

        def lut(entry):
            return None if entry is None else LookupTable(
                int(entry["first_mapped"]), int(entry["bits"]), tuple(int(v) for v in entry["data"]), entry.get("explanation", "")
            )

        values["modality_lut"] = lut(values.get("modality_lut"))
        values["voi_luts"] = tuple(lut(e) for e in values.get("voi_luts", ()))
        values["windows"] = tuple(
            Window(float(w["center"]), float(w["width"]), w.get("explanation", "")) for w in values.get("windows", ())
        )
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in values.items() if k in known})


def without_free_text(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Stored display attributes with the header's free text removed, or None when there is none.

    Imports before issue 18 kept Window Center & Width Explanation, LUT Explanation and Rescale
    Type: free text that has named the referring doctor and a date.
    """
    if not data:
        return None
    found = False
    cleaned = dict(data)
    for key in ("windows", "voi_luts"):
        entries = []
        for entry in cleaned.get(key) or ():
            if isinstance(entry, dict) and entry.get("explanation"):
                entry, found = {**entry, "explanation": ""}, True
            entries.append(entry)
        if key in cleaned:
            cleaned[key] = entries
    lut = cleaned.get("modality_lut")
    if isinstance(lut, dict) and lut.get("explanation"):
        cleaned["modality_lut"], found = {**lut, "explanation": ""}, True
    extra = cleaned.get("extra")
    if isinstance(extra, dict) and "rescale_type" in extra:
        cleaned["extra"], found = {k: v for k, v in extra.items() if k != "rescale_type"}, True
    return cleaned if found else None
