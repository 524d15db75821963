"""Test data built through the real services: small real images, manifests and score sets.

Imported by tests as ``from factories import …`` (the tests folder is on sys.path through the
root conftest); a module named conftest cannot be imported reliably when several exist.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared"


def write_png(path: Path, seed: int, shape: tuple[int, int] = (48, 40)) -> Path:
    """A small 16-bit grayscale PNG whose pixels depend on ``seed`` (distinct seeds, distinct images)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 4096, size=shape, dtype=np.uint16)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def write_manifest(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "patient", "timepoint", "view"])
        writer.writerows(rows)
    return path


def image_rows(source: Path, patients: int, timepoints=("day1", "month1"), first_seed: int = 0) -> list:
    """Write AP + lateral PNGs for each patient and time point; return manifest rows."""
    rows = []
    seed = first_seed
    for p in range(1, patients + 1):
        for tp in timepoints:
            for view in ("AP", "LAT"):
                name = f"P{p:03d}_{tp}_{view}.png"
                write_png(source / name, seed)
                seed += 1
                rows.append((name, f"P{p:03d}", tp, view))
    return rows


def full_scores(study: Study, value: int = 2) -> dict[str, int]:
    return {key: value for key in study.rubric.item_keys}
