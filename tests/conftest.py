"""Shared fixtures: throwaway studies built through the real services, with small real images."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import pgserver
from factories import image_rows, write_manifest
from rushrater.services.imports import import_manifest
from rushrater.services.raters import add_rater
from rushrater.services.study import Study, create_study


@pytest.fixture
def make_study(tmp_path: Path) -> Iterator[Callable[..., Study]]:
    opened: list[Study] = []

    def factory(name: str = "study", title: str = "Test study", timepoints: str = "day1,month1") -> Study:
        if pgserver.BACKEND == "postgresql":
            # RUSHRATER_TEST_BACKEND=postgresql: the same tests on a fresh PostgreSQL database each.
            if pgserver.server_problem():
                pytest.skip(pgserver.server_problem())
            study = create_study(pgserver.create_database(), title, timepoints, actor="test", local_dir=tmp_path / name)
        else:
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


def pytest_collection_modifyitems(config, items):
    """With RUSHRATER_TEST_BACKEND=postgresql, run only the tests that build a study through
    ``make_study`` (the backend switch is there and nowhere else: every other test runs the same code
    on either setting, so it ran in the SQLite pass already), and skip the modules that open study.db
    with sqlite3."""
    if pgserver.BACKEND != "postgresql":
        return
    same_on_both = [item for item in items if "make_study" not in getattr(item, "fixturenames", ())]
    if same_on_both:
        config.hook.pytest_deselected(items=same_on_both)
        items[:] = [item for item in items if "make_study" in getattr(item, "fixturenames", ())]
    sqlite_only: dict[str, bool] = {}
    for item in items:
        path = Path(str(item.fspath))
        if path not in sqlite_only:
            source = path.read_text(encoding="utf-8") if path.suffix == ".py" else ""
            sqlite_only[path] = "import sqlite3" in source
        if sqlite_only[path]:
            item.add_marker(pytest.mark.skip(reason="opens the SQLite file study.db directly (SQLite-only check)"))


def pytest_sessionfinish(session, exitstatus):
    """Drop this process's PostgreSQL databases and roles. pytest-xdist workers end without running
    atexit handlers, so pgserver's own atexit hook alone would leave theirs on the server."""
    pgserver.drop_all()
