"""The demo study: synthetic AP and lateral hip radiographs at day 1 and month 1, two rater groups
of three, and simulated ratings for five raters (the sixth is left for a person to try).

It is built through the same services a real study uses: DICOM files with identifying headers are
written to a temporary folder, imported through a manifest, planned, and rated with
``submit_rating``.
"""

from __future__ import annotations

import csv
import secrets
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import platformdirs

from ..domain.errors import StudyExistsError, ValidationError
from ..imaging.writers import write_dicom_radiograph
from ..storage import queries
from .imports import import_manifest
from .planning import plan_reading
from .raters import add_rater, set_open_workstation
from .ratings import submit_rating
from .settings import update_settings
from .study import DATABASE_NAME, Study, create_study, open_study

DEFAULT_PATIENTS = 20
DEMO_SEED = 2026
IMAGE_SHAPE = (1280, 1024)
DEMO_TITLE = "RUSH Rater demo study (synthetic radiographs)"

# Residents are noisier and more biased than attendings, as in published RUSH reliability data.
DEMO_RATERS = (
    ("Dr Wei Zhang", "resident", 0.10, 0.42),
    ("Dr Amara Okafor", "resident", -0.12, 0.38),
    ("Dr Lukas Becker", "attending", 0.05, 0.24),
    ("Dr Sofia Rossi", "attending", -0.04, 0.22),
    ("Dr Kenji Sato", "attending", 0.0, 0.26),
    ("Demo Reader", "resident", 0.0, 0.0),  # left unrated: try the reading workstation as this rater
)

DEMO_PERSON = "Demo Reader"

Progress = Callable[[str], None]

# What ``progress`` is told, in order (fixed texts: the GUI translates them and counts the steps).
STEP_RENDER = "Rendering synthetic hip radiographs…"
STEP_IMPORT = "De-identifying and importing them through the manifest import…"
STEP_PLAN = "Enrolling six raters and planning their reading lists…"
STEP_RATE = "Simulating ratings for five of the six raters…"
DEMO_STEPS = (STEP_RENDER, STEP_IMPORT, STEP_PLAN, STEP_RATE)


def default_demo_path() -> Path:
    return platformdirs.user_data_path("rushrater", appauthor=False) / "demo-study"


def build_or_open_demo(
    path: Path, *, fresh: bool = False, patients: int = DEFAULT_PATIENTS, progress: Progress | None = None
) -> Study:
    """Open the demo study at ``path`` if it is complete, else (or with ``fresh``) build it."""
    path = Path(path).expanduser()
    if (path / DATABASE_NAME).exists():
        study = open_study(path)
        if not study.settings.get("demo"):
            study.close()
            raise StudyExistsError(
                "a study that is not a demo already exists here", where=str(path), fix="choose another folder for the demo"
            )
        complete = study.settings.get("demo_complete", False) and _demo_is_complete(study)
        if complete and not fresh:
            return study
        study.close()
        shutil.rmtree(path)
    elif path.exists() and not path.is_dir():
        raise StudyExistsError("this is a file, not a folder", where=str(path), fix="choose a new or empty folder for the demo")
    elif path.exists() and any(path.iterdir()):
        raise StudyExistsError("folder is not empty", where=str(path), fix="choose a new or empty folder for the demo")
    return build_demo(path, patients=patients, progress=progress)


def demo_key_file(path: Path) -> Path:
    """Where the demo keeps its key file: beside the study folder, never inside it."""
    path = Path(path).expanduser().resolve()
    return path.parent / f"{path.name}-key.csv"


def _demo_is_complete(study: Study) -> bool:
    with study.db.read() as session:
        return queries.latest_plan(session) is not None


#: Each patient renders four synthetic radiographs (about a second): more is a mistyped number.
MAX_DEMO_PATIENTS = 200


def build_demo(path: Path, *, patients: int = DEFAULT_PATIENTS, progress: Progress | None = None) -> Study:
    if not 3 <= patients <= MAX_DEMO_PATIENTS:
        raise ValidationError(f"the demo takes 3 to {MAX_DEMO_PATIENTS} patients, not {patients}",
                              fix=f"use --patients from 3 to {MAX_DEMO_PATIENTS}")
    say = progress or (lambda _message: None)
    rng = np.random.default_rng(DEMO_SEED)
    healing = _patient_healing(rng, patients)
    study = create_study(path, DEMO_TITLE, "day1,month1", settings={"demo": True}, actor="system:demo")
    demo_key_file(path).unlink(missing_ok=True)  # a rebuilt demo has new codes: start a new key file
    try:
        with tempfile.TemporaryDirectory(prefix="rushrater-demo-") as tmp:
            source = Path(tmp)
            say(STEP_RENDER)
            manifest = _write_demo_images(source, healing)
            say(STEP_IMPORT)
            # The key file links codes to the (synthetic) identifiers; like a real one it is kept
            # outside the study folder it documents.
            import_manifest(study, source, manifest, actor="system:demo", key_file=demo_key_file(path))
        say(STEP_PLAN)
        # Blinding holds in the demo too: the five simulated raters get random PINs nobody is told
        # (their scores can be neither seen nor changed at the workstation); only Demo Reader, the
        # rater left for the person trying the app, is explicitly opened for PIN-less reading.
        for name, group, _bias, _noise in DEMO_RATERS:
            person = name == DEMO_PERSON
            add_rater(study, name, group, pin=None if person else secrets.token_urlsafe(18), actor="system:demo")
        set_open_workstation(study, DEMO_PERSON, True, actor="system:demo",
                             reason="demo: the rater left for the person trying the workstation")
        plan_reading(study, seed=DEMO_SEED, actor="system:demo")
        say(STEP_RATE)
        _simulate_ratings(study, healing, rng)
        _mark_complete(study)
    except BaseException:
        study.close()
        raise
    return study


def _patient_healing(rng: np.random.Generator, patients: int) -> dict[str, tuple[float, float]]:
    """Latent healing (0 fresh .. 1 united) per patient at day 1 and month 1; about a third heal slowly."""
    result = {}
    for index in range(1, patients + 1):
        day1 = float(rng.uniform(0.0, 0.3))
        slow = rng.random() < 0.35
        month1 = float(rng.uniform(0.2, 0.45) if slow else rng.uniform(0.5, 0.95))
        result[f"DEMO{index:03d}"] = (day1, max(month1, day1 + 0.1))
    return result


def _write_demo_images(source: Path, healing: dict[str, tuple[float, float]]) -> Path:
    # Here, not at the top: the renderer pulls in scipy.ndimage, which opening a built demo (and
    # the start window, which imports this module) does not need.
    from ..imaging.synthetic import render_hip_radiograph

    jobs = []
    for p_index, (patient, (day1, month1)) in enumerate(healing.items()):
        for tp, value, days in (("day1", day1, 1), ("month1", month1, 30)):
            for view in ("AP", "LAT"):
                jobs.append((patient, p_index, tp, value, days, view))

    def render(job) -> tuple[str, str, str, str]:
        patient, p_index, tp, value, days, view = job
        pixels = render_hip_radiograph(view, value, seed=DEMO_SEED + p_index, shape=IMAGE_SHAPE)
        # File names and headers as a PACS export would have them: the import must strip these.
        name = f"{patient}_{tp}_{view}.dcm"
        write_dicom_radiograph(
            source / name,
            pixels,
            # Hospital-style identifiers, unlike the study codes, so the blinding check can tell
            # them apart: the import must keep every one of them out of the study.
            patient_id=f"MRN{480213 + 37 * p_index}",
            patient_name=f"TESTPERSON^NUMBER{p_index + 1:03d}",
            view=view,
            study_date=date(2026, 1, 5) + timedelta(days=days + p_index),
        )
        return name, patient, tp, view

    # numpy releases the GIL in the heavy array work, so threads use both cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(render, jobs))
    manifest = source / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "patient", "timepoint", "view"])
        writer.writerows(rows)
    return manifest


def _simulate_ratings(study: Study, healing: dict[str, tuple[float, float]], rng: np.random.Generator) -> None:
    with study.db.read() as session:
        cases = {c.id: (c.patient.code, c.timepoint.key) for c in queries.cases(session)}
        raters = {r.name: r for r in queries.raters(session)}
        lists = {r.id: [a.case_id for a in queries.assignments(session, r.id)] for r in raters.values()}
    items = study.rubric.items
    # Case-level item difficulty: some cortices are harder to judge than others on a given film.
    offsets = {cid: rng.normal(0.0, 0.22, len(items)) for cid in cases}
    for name, _group, bias, noise in DEMO_RATERS[:5]:
        rater = raters[name]
        for case_id in lists[rater.id]:
            patient, tp = cases[case_id]
            latent = healing[patient][0 if tp == "day1" else 1]
            expected = 1.0 + 2.0 * latent + offsets[case_id] + bias
            values = np.clip(np.rint(expected + rng.normal(0.0, noise, len(items))), 1, 3).astype(int)
            seconds = float(rng.lognormal(np.log(45.0), 0.35))
            submit_rating(
                study,
                rater.id,
                case_id,
                {item.key: int(v) for item, v in zip(items, values)},
                started_at=datetime.now(timezone.utc) - timedelta(seconds=seconds),
                active_seconds=round(seconds, 1),
                source="demo",
            )


def _mark_complete(study: Study) -> None:
    update_settings(study, {"demo_complete": True}, actor="system:demo")
