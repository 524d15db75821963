"""Creating and opening a study.

A study is a folder::

    STUDY/
      study.db      SQLite database (WAL): rubric, raters, cases, plan, ratings, audit trail
      images/       de-identified pixels under random names (see imaging.store)
      backups/      automatic copies of the database made before any schema upgrade
      reports/      import reports and other generated files

A study can also live on a PostgreSQL server (``postgresql+psycopg://user@host/db``), so raters at
several hospitals share it. Then there is no study folder: the images are in the database (table
``image_blob``, checked by SHA-256 on every load) and only generated files (reports, the local
spool of images being imported) go to a local folder, the one the caller names or
``<user data folder>/studies/<study uid>``.

``Study`` is the handle every other service takes: its database, its image store and its rubric.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.changes import Changes
from ..domain.errors import NotAStudyError, StudyExistsError, StudyNotFoundError, ValidationError
from ..domain.rubric import RUSH, Component, Item, Level, Rubric
from ..domain.settings import DEFAULTS, StudySettings
from ..domain.timepoints import TimepointSpec, parse_timepoints
from ..domain.views import View
from ..imaging.store import ImageStore
from ..storage import Database, is_database_url, models, queries, safe_url, sqlite_url
from ..storage.database import remember_password, url_without_password, with_password
from ..storage.images import DatabaseBlobs
from . import audit

log = logging.getLogger(__name__)

DATABASE_NAME = "study.db"
#: models.Study.title is a String(200).
TITLE_MAX = 200
#: In the local folder of a database study: the server URL without its password, so the folder
#: opens the server study (`rushrater read ~/hipstudy`); the password comes from the login
#: prompt, PGPASSWORD or ~/.pgpass, never from a file of ours.
SERVER_POINTER = "server.url"

#: The settings a new study stores (the defaults of StudySettings); the others are stored when
#: first changed. Kept to these five so the creation's stored JSON and audit record stay as they were.
DEFAULT_SETTINGS: dict[str, Any] = {
    name: DEFAULTS[name]
    for name in ("edit_policy", "blank_screen_ms", "slow_healing_cutoff", "idle_pause_seconds", "washout_days")
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
    settings: StudySettings = field(default_factory=StudySettings)
    #: rubric item key -> database id, for writing item scores
    item_ids: dict[str, int] = field(default_factory=dict)
    upgraded_from_backup: Path | None = None
    #: The server URL of a database study (None for a folder study, whose database is root/study.db).
    url: str | None = None
    #: Called with the Changes of every committed write (services.unit_of_work), on the writing thread.
    _listeners: list[Callable[[Changes], None]] = field(default_factory=list, repr=False, compare=False)

    @property
    def location(self) -> str:
        """What the user opens this study by: its folder, or its URL without the password."""
        return safe_url(self.url) if self.url else str(self.root)

    @property
    def item_keys_by_id(self) -> dict[int, str]:
        """Database item id -> rubric item key, for reading item scores back."""
        return {item_id: key for key, item_id in self.item_ids.items()}

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    def subscribe(self, listener: Callable[[Changes], None]) -> Callable[[], None]:
        """Call ``listener(changes)`` after each committed write; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self, changes: Changes) -> None:
        """Tell the listeners what a committed write changed (the unit of work calls this)."""
        if changes:
            for listener in list(self._listeners):
                try:
                    listener(changes)
                except Exception:  # the write is committed: a window that cannot hear it must not undo that
                    log.exception("a listener of the study failed to take its changes")

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_study_url(location: str | Path | None) -> bool:
    """True when a STUDY argument is a database server URL rather than a folder."""
    return isinstance(location, str) and is_database_url(location.strip())


def study_location(text: str | Path) -> str | Path:
    """A STUDY argument as open_study takes it: the URL as given, or a folder path."""
    return text.strip() if is_study_url(text) else Path(text).expanduser()


def study_url(url: str, password: str | None = None) -> str:
    """A database study URL as typed (``postgresql://`` accepted), with a password typed apart.

    Raises ValidationError when the text is not a PostgreSQL URL.
    """
    url = (url or "").strip()
    if not is_study_url(url):
        raise ValidationError(
            "this is not a PostgreSQL study address",
            where=url or None,
            fix="type it as postgresql://USER@SERVER:5432/DATABASE",
        )
    try:
        return with_password(url, password) if password else url
    except Exception as exc:  # SQLAlchemy's URL parser: say what is wrong in the user's terms
        raise ValidationError(f"the address cannot be read ({exc})", fix="type it as postgresql://USER@SERVER:5432/DATABASE") from exc


def study_display_location(location: str | Path) -> str:
    """A STUDY argument as it may be shown: a URL without its password, or the path."""
    return safe_url(location.strip()) if is_study_url(location) else str(location)


def default_local_dir(uid: str) -> Path:
    """Where a database study's reports and image spool go on this computer."""
    import platformdirs

    return platformdirs.user_data_path("rushrater", appauthor=False) / "studies" / uid


def create_study(
    path: str | Path,
    title: str,
    timepoints: str | list[TimepointSpec] = "day1,month1",
    *,
    actor: str | None = None,
    settings: dict[str, Any] | None = None,
    local_dir: str | Path | None = None,
) -> Study:
    # Everything the user typed is checked before anything is created (a server refuses an
    # overlong title only after the schema is there; SQLite would store it).
    if not title or not title.strip():
        raise ValidationError("the study needs a title", fix='add --title "Hip fracture healing 2026"')
    if len(title.strip()) > TITLE_MAX:
        raise ValidationError(f"the title is longer than {TITLE_MAX} characters ({len(title.strip())})",
                              fix="use a shorter title")
    specs = parse_timepoints(timepoints) if isinstance(timepoints, str) else list(timepoints)
    if is_study_url(path):
        url = str(path).strip()
        db = Database(url)
        try:
            _check_empty_database(db)
            db.create_schema(then=lambda session: _store_new_study(session, title, specs, actor, settings))
        finally:
            db.dispose()
        return open_study(url, local_dir=local_dir)
    root = Path(path).expanduser()
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
    made = not root.exists()
    for sub in ("", "images", "backups", "reports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    db = Database(sqlite_url(root / DATABASE_NAME))
    try:
        db.create_schema(then=lambda session: _store_new_study(session, title, specs, actor, settings))
    except BaseException:
        db.dispose()
        # Nothing half-made stays behind: the folder (if this call made it) or the empty study.db.
        if made:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for name in os.listdir(root):
                target = root / name
                shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
        raise
    db.dispose()
    return open_study(root)


def _check_empty_database(db: Database) -> None:
    """``init URL`` only into an empty database: never mix a study with another application's tables."""
    db.check_connection()
    tables = db.table_names()
    if "study" in tables and "alembic_version" in tables:
        raise StudyExistsError(
            "a study already exists in this database", where=safe_url(db.url), fix="open it instead, or create a new database"
        )
    if tables:
        raise ValidationError(
            f"the database is not empty: it holds {len(tables)} table(s) of another application "
            f"({', '.join(tables[:5])}{' …' if len(tables) > 5 else ''})",
            where=safe_url(db.url),
            fix="create a new, empty database for the study (CREATE DATABASE … OWNER coordinator)",
        )


def _store_new_study(session, title: str, specs: list[TimepointSpec], actor: str | None, settings) -> None:
    actor = actor or audit.coordinator_actor()
    merged = {**DEFAULT_SETTINGS, **(settings or {})}
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


def open_study(path: str | Path, *, local_dir: str | Path | None = None) -> Study:
    """Open a study folder or database URL, upgrading an older schema (a folder's after a backup)."""
    if is_study_url(path):
        return _open_database_study(str(path).strip(), local_dir)
    pointer = Path(path).expanduser() / SERVER_POINTER
    if pointer.is_file() and not (pointer.parent / DATABASE_NAME).exists():
        return _open_database_study(pointer.read_text(encoding="utf-8").strip(), pointer.parent)
    root = resolve_study_path(path)
    db = Database(sqlite_url(root / DATABASE_NAME))
    try:
        db.check_is_study(str(root))
        backup = db.upgrade_if_needed(str(root), root / "backups")
        return _load(db, root, ImageStore(root / "images"), backup)
    except LookupError as exc:
        db.dispose()
        raise NotAStudyError(str(exc), where=str(root), fix="restore study.db from the backups/ folder") from exc
    except BaseException:
        db.dispose()
        raise


def _open_database_study(url: str, local_dir: str | Path | None) -> Study:
    db = Database(url)
    where = safe_url(url)
    try:
        db.check_is_study(where)
        # No file to copy on a server: its administrator's backups (pg_dump) cover upgrades.
        db.upgrade_if_needed(where, None)
        with db.read() as session:
            uid = queries.study(session).uid
        root = Path(local_dir).expanduser() if local_dir is not None else default_local_dir(uid)
        for sub in ("images", "reports", "backups"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        db.image_spool = root / "images"
        remember_password(url)
        pointer = root / SERVER_POINTER
        bare = url_without_password(url)
        if not pointer.is_file() or pointer.read_text(encoding="utf-8").strip() != bare:
            pointer.write_text(bare + "\n", encoding="utf-8")
        study = _load(db, root, ImageStore(root / "images", blobs=DatabaseBlobs(db)), None)
        study.url = url
        return study
    except LookupError as exc:
        db.dispose()
        raise NotAStudyError(str(exc), where=where, fix="the study tables are incomplete: restore the database from backup") from exc
    except BaseException:
        db.dispose()
        raise


def _load(db: Database, root: Path, images: ImageStore, backup: Path | None) -> Study:
    with db.read() as session:
        study_row = queries.study(session)
        rubric_row = queries.rubric(session, study_row.rubric_id)
        rubric = _rubric_from_row(rubric_row)
        settings = StudySettings.from_stored({**DEFAULT_SETTINGS, **(study_row.settings or {})})
        return Study(
            root=root,
            db=db,
            images=images,
            uid=study_row.uid,
            title=study_row.title,
            rubric=rubric,
            rubric_id=rubric_row.id,
            settings=settings,
            item_ids={item.key: item.id for item in rubric_row.items},
            upgraded_from_backup=backup,
        )


# --- reads for the GUI (issue 13: the GUI does not open sessions) --------------------------------


@dataclass(frozen=True)
class TimepointChoice:
    key: str
    label: str


def timepoint_choices(study: Study) -> list[TimepointChoice]:
    """The study's time points in their order, with the label a time-point choice shows."""
    with study.db.read() as session:
        return [TimepointChoice(tp.key, tp.label) for tp in queries.timepoints(session)]
