"""Radiographic views of a case. Each case is read on one AP and one lateral image."""

from __future__ import annotations

from enum import Enum

from .errors import ValidationError


class View(str, Enum):
    AP = "AP"
    LATERAL = "LAT"

    @property
    def label(self) -> str:
        return "AP" if self is View.AP else "lateral"

    @classmethod
    def parse(cls, text: str) -> "View":
        """Accept the spellings coordinators and PACS exports use for the two views."""
        key = " ".join(str(text).strip().upper().replace("_", " ").replace("-", " ").split())
        if key in _AP_SPELLINGS:
            return cls.AP
        if key in _LATERAL_SPELLINGS:
            return cls.LATERAL
        raise ValidationError(
            f"view {text!r} is neither AP nor lateral",
            fix="write AP or LAT (also accepted: lateral, LL, ML, LM, cross-table lateral)",
        )


_AP_SPELLINGS = {"AP", "PA", "ANTEROPOSTERIOR", "ANTERIOR POSTERIOR", "FRONTAL"}
_LATERAL_SPELLINGS = {
    "LAT",
    "LATERAL",
    "LL",
    "ML",
    "LM",
    "RL",
    "L",
    "LATERAL VIEW",
    "CROSS TABLE LATERAL",
    "CROSSTABLE LATERAL",
    "AXIAL",
}
