"""Creating and opening a study.

A study is a folder::

    STUDY/
      study.db      SQLite database (WAL): rubric, raters, cases, plan, ratings, audit trail
      images/       de-identified pixels under random names (see imaging.store)
      backups/      automatic copies of the database made before any schema upgrade
      reports/      import reports and other generated files

``Study`` is the handle every other service takes: its database, its image store and its rubric.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.errors import NotAStudyError, StudyExistsError, StudyNotFoundError, ValidationError
from ..domain.rubric import RUSH, Component, Item, Level, Rubric
from ..domain.timepoints import TimepointSpec, parse_timepoints
from ..domain.views import View
from ..imaging.store import ImageStore
from ..storage import Database, models, queries, sqlite_url
from . import audit

DATABASE_NAME = "study.db"

DEFAULT_SETTINGS: dict[str, Any] = {
    # May a rater go back to the previous case? "none" or "previous" (a change is a new version).
    "edit_policy": "previous",
    # Milliseconds of blank screen between cases, so one case is not compared with the last.
    "blank_screen_ms": 0,
    "slow_healing_cutoff": 18,
    "idle_pause_seconds": 120,
    # Days between a rater's first read of a case and the re-read (4 weeks in the RUSH studies).
    "washout_days": 28,
}


@dataclass
class Study:
    root: Path
    db: Database
    images: ImageStore
    uid: str
    title: str
    rubric: Rubric
    rubric_id: int
    settings: dict[str, Any] = field(default_factory=dict)
    #: rubric item key -> database id, for writing item scores
    item_ids: dict[str, int] = field(default_factory=dict)
    upgraded_from_backup: Path | None = None

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def create_study(
    path: str | Path,
    title: str,
    timepoints: str | list[TimepointSpec] = "day1,month1",
    *,
    actor: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Study:
    root = Path(path).expanduser()
    if not title or not title.strip():
        raise ValidationError("the study needs a title", fix='add --title "Hip fracture healing 2026"')
    specs = parse_timepoints(timepoints) if isinstance(timepoints, str) else list(timepoints)
    if (root / DATABASE_NAME).exists():
        raise StudyExistsError(
            "a study already exists here", where=str(root), fix="open it instead, or choose a new folder"
        )
    if root.exists() and not root.is_dir():
        raise ValidationError("path is a file, not a folder", where=str(root), fix="choose a folder path for the study")
    if root.exists() and any(root.iterdir()):
        raise ValidationError(
            "folder is not empty", where=str(root), fix="give a new or empty folder; a study keeps its own files"
        )
    for sub in ("", "images", "backups", "reports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    db = Database(sqlite_url(root / DATABASE_NAME))
    db.create_schema()
    actor = actor or audit.coordinator_actor()
    merged = {**DEFAULT_SETTINGS, **(settings or {})}
    with db.write() as session:
        rubric_row = _store_rubric(session, RUSH)
        study_row = models.Study(
            uid=str(uuid.uuid4()),
            title=title.strip(),
            rubric_id=rubric_row.id,
            settings=merged,
            created_at=audit.now(),
            created_with=f"rushrater {__version__}",
        )
        session.add(study_row)
        for position, spec in enumerate(specs, start=1):
            session.add(
                models.Timepoint(key=spec.key, label=spec.label, position=position, nominal_day=spec.nominal_day)
            )
        session.flush()
        audit.record(
            session,
            actor,
            "study.create",
            "study",
            study_row.uid,
            after={"title": study_row.title, "timepoints": [s.key for s in specs], "rubric": RUSH.key},
        )
    db.dispose()
    return open_study(root)


def _store_rubric(session, rubric: Rubric) -> models.Rubric:
    row = models.Rubric(key=rubric.key, version=rubric.version, name=rubric.name, citation=rubric.citation)
    session.add(row)
    session.flush()
    components = {}
    for position, component in enumerate(rubric.components, start=1):
        components[component.key] = models.RubricComponent(
            rubric_id=row.id, key=component.key, label=component.label, position=position
        )
        session.add(components[component.key])
    session.flush()
    for position, item in enumerate(rubric.items, start=1):
        item_row = models.RubricItem(
            rubric_id=row.id,
            component_id=components[item.component].id,
            key=item.key,
            label=item.label,
            region=item.region,
            view=item.view.value if item.view else None,
            definition=item.definition,
            position=position,
        )
        session.add(item_row)
        session.flush()
        for level in item.levels:
            session.add(models.RubricLevel(item_id=item_row.id, value=level.value, anchor=level.anchor))
    session.flush()
    return row


def _rubric_from_row(row: models.Rubric) -> Rubric:
    """The study's own copy of the rubric (its wording may have been edited for the study)."""
    return Rubric(
        key=row.key,
        name=row.name,
        version=row.version,
        citation=row.citation,
        components=tuple(Component(c.key, c.label) for c in row.components),
        items=tuple(
            Item(
                key=i.key,
                label=i.label,
                component=i.component.key,
                region=i.region,
                view=View(i.view) if i.view else None,
                definition=i.definition,
                levels=tuple(Level(lv.value, lv.anchor) for lv in i.levels),
            )
            for i in row.items
        ),
    )


def resolve_study_path(path: str | Path) -> Path:
    root = Path(path).expanduser()
    if root.is_file() and root.name == DATABASE_NAME:
        root = root.parent
    if not root.exists():
        raise StudyNotFoundError(
            "no such study", where=str(root), fix="check the path, or create the study with `rushrater init`"
        )
    if not (root / DATABASE_NAME).is_file():
        raise NotAStudyError(
            f"not a RUSH Rater study (no {DATABASE_NAME} in this folder)",
            where=str(root),
            fix="point to a folder made by `rushrater init`, or create one there with `rushrater init`",
        )
    return root


def open_study(path: str | Path) -> Study:
    """Open a study folder, upgrading an older schema after backing the database up."""
    root = resolve_study_path(path)
    db = Database(sqlite_url(root / DATABASE_NAME))
    try:
        db.check_is_study(str(root))
        backup = db.upgrade_if_needed(str(root), root / "backups")
        with db.read() as session:
            study_row = queries.study(session)
            rubric_row = queries.rubric(session, study_row.rubric_id)
            rubric = _rubric_from_row(rubric_row)
            settings = {**DEFAULT_SETTINGS, **(study_row.settings or {})}
            return Study(
                root=root,
                db=db,
                images=ImageStore(root / "images"),
                uid=study_row.uid,
                title=study_row.title,
                rubric=rubric,
                rubric_id=rubric_row.id,
                settings=settings,
                item_ids={item.key: item.id for item in rubric_row.items},
                upgraded_from_backup=backup,
            )
    except LookupError as exc:
        db.dispose()
        raise NotAStudyError(str(exc), where=str(root), fix="restore study.db from the backups/ folder") from exc
    except BaseException:
        db.dispose()
        raise
