"""Per-user preferences: one versioned JSON file in the platform's config folder (platformdirs).

Preferences are what the user chose (the interface language, the recent studies, the folder the
file dialogs start in); window geometry and splitter state stay with Qt's QSettings in the GUI. The
file carries a format ``version``; :data:`UPGRADES` turns an older file into the current one step by
step (the Picard ``config_upgrade`` habit), so a newer RUSH Rater never loses what an older one saved.
A file from a *newer* RUSH Rater is read for what this version understands and never written over.

Qt-free, so the command line and tests use it as they are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from ..domain.errors import ValidationError
from .files import atomic_path

APP_DIR_NAME = "rushrater"
FILE_NAME = "preferences.json"
CURRENT_VERSION = 1
RECENT_LIMIT = 8
#: Interface languages with a translation; "" follows the operating system.
LANGUAGES = {"": "System default", "en": "English", "zh_CN": "简体中文"}

log = logging.getLogger(__name__)


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def default_path() -> Path:
    return config_dir() / FILE_NAME


@dataclass(frozen=True)
class RecentStudy:
    path: Path
    title: str

    @property
    def exists(self) -> bool:
        return (self.path / "study.db").is_file()


@dataclass(frozen=True)
class Preferences:
    language: str = ""
    recent_studies: tuple[RecentStudy, ...] = ()
    last_directory: str = ""
    #: Keys written by a newer RUSH Rater, kept untouched.
    extra: Mapping[str, Any] = field(default_factory=dict)


# --- upgrades ------------------------------------------------------------------------------------


def _from_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 → 1: before this file, the desktop app kept the recent studies (a JSON list under
    ``recent/studies``) and the last folder (``dialogs/lastDirectory``) in its QSettings. The GUI
    hands those values over as a version-0 document; they become proper fields."""
    recent = data.get("recent/studies", "[]")
    try:
        entries = json.loads(recent) if isinstance(recent, str) else recent
    except ValueError:
        entries = []
    return {
        "version": 1,
        "language": "",
        "recent_studies": entries if isinstance(entries, list) else [],
        "last_directory": str(data.get("dialogs/lastDirectory") or ""),
    }


#: ``UPGRADES[n]`` turns a version-``n`` document into version ``n + 1``.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_legacy}


def upgrade(data: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a preferences document of any older version up to :data:`CURRENT_VERSION`."""
    doc = dict(data)
    version = doc.get("version", 0)
    if not isinstance(version, int) or version < 0:
        version = 0
    while version < CURRENT_VERSION:
        doc = UPGRADES[version](doc)
        version = doc["version"]
    return doc


def _normal(path: str | Path) -> Path:
    return Path(path).expanduser().absolute()


def _parse(doc: Mapping[str, Any]) -> Preferences:
    language = doc.get("language", "")
    recent: list[RecentStudy] = []
    for item in doc.get("recent_studies") or []:
        if isinstance(item, dict) and isinstance(item.get("path"), str) and item["path"]:
            entry = RecentStudy(_normal(item["path"]), str(item.get("title") or ""))
            if entry.path not in {r.path for r in recent}:
                recent.append(entry)
    known = {"version", "language", "recent_studies", "last_directory"}
    return Preferences(
        language=language if language in LANGUAGES else "",
        recent_studies=tuple(recent[:RECENT_LIMIT]),
        last_directory=str(doc.get("last_directory") or ""),
        extra={k: v for k, v in doc.items() if k not in known},
    )


def _document(prefs: Preferences) -> dict[str, Any]:
    return {
        **prefs.extra,
        "version": CURRENT_VERSION,
        "language": prefs.language,
        "recent_studies": [{"path": str(r.path), "title": r.title} for r in prefs.recent_studies],
        "last_directory": prefs.last_directory,
    }


class PreferenceStore:
    """Reads and writes the preferences file; every change is written at once (atomically).

    ``legacy`` supplies, when no file exists yet, the values an older version kept elsewhere
    (a version-0 document, see :func:`_from_legacy`); it is called at most once.
    """

    def __init__(self, path: Path | None = None, legacy: Callable[[], Mapping[str, Any]] | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._legacy = legacy
        self.read_only = False

    def load(self) -> Preferences:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if self._legacy is None:
                return Preferences()
            legacy = dict(self._legacy())
            self._legacy = None
            if not legacy:
                return Preferences()
            prefs = _parse(upgrade({**legacy, "version": 0}))
            self.save(prefs)
            return prefs
        except (OSError, ValueError) as exc:
            # A damaged file must not stop the app: start from defaults, keep the file for inspection.
            log.warning("ignoring unreadable preferences %s: %s", self.path, exc)
            return Preferences()
        if not isinstance(raw, dict):
            return Preferences()
        version = raw.get("version", 0)
        if isinstance(version, int) and version > CURRENT_VERSION:
            self.read_only = True
            return _parse(raw)
        return _parse(upgrade(raw))

    def save(self, prefs: Preferences) -> None:
        if self.read_only:
            log.info("preferences %s come from a newer RUSH Rater; not overwriting them", self.path)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(_document(prefs), indent=2, ensure_ascii=False)
        # 0o600, as the temporary file it always was: other users need not see the recent studies.
        with atomic_path(self.path, mode=0o600) as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")

    def update(self, **changes: Any) -> Preferences:
        prefs = replace(self.load(), **changes)
        self.save(prefs)
        return prefs

    # -- the recent-studies list --------------------------------------------------------------------

    def add_recent(self, path: str | Path, title: str) -> Preferences:
        path = _normal(path)
        kept = [r for r in self.load().recent_studies if r.path != path]
        return self.update(recent_studies=tuple([RecentStudy(path, title), *kept][:RECENT_LIMIT]))

    def remove_recent(self, path: str | Path) -> Preferences:
        path = _normal(path)
        return self.update(recent_studies=tuple(r for r in self.load().recent_studies if r.path != path))

    def set_language(self, language: str) -> Preferences:
        if language not in LANGUAGES:
            raise ValidationError(
                f"no translation for language {language!r}",
                fix="use one of: " + ", ".join(repr(k) for k in LANGUAGES),
            )
        return self.update(language=language)
