"""Shared fixtures: throwaway studies built through the real services, with small real images."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater
from rushrater.services.study import Study, create_study

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


@pytest.fixture
def make_study(tmp_path: Path) -> Iterator[Callable[..., Study]]:
    opened: list[Study] = []

    def factory(name: str = "study", title: str = "Test study", timepoints: str = "day1,month1") -> Study:
        study = create_study(tmp_path / name, title, timepoints, actor="test")
        opened.append(study)
        return study

    yield factory
    for study in opened:
        study.close()


@pytest.fixture
def study(make_study) -> Study:
    return make_study()


@pytest.fixture
def populated_study(make_study, tmp_path: Path) -> Study:
    """6 patients x 2 time points x (AP + lateral), raters R01-R03 in two groups."""
    study = make_study("populated")
    source = tmp_path / "source"
    manifest = write_manifest(tmp_path / "manifest.csv", image_rows(source, 6))
    import_manifest(study, source, manifest, actor="test")
    add_rater(study, "Dr Resident One", "resident", actor="test")
    add_rater(study, "Dr Resident Two", "resident", actor="test")
    add_rater(study, "Dr Attending One", "attending", actor="test")
    return study


def full_scores(study: Study, value: int = 2) -> dict[str, int]:
    return {key: value for key in study.rubric.item_keys}
