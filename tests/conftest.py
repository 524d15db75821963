"""Shared fixtures: throwaway studies built through the real services, with small real images."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from factories import image_rows, write_manifest
from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater
from rushrater.services.study import Study, create_study


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
