"""The recent-studies list of the desktop app, kept in the user's preferences file.

The list lives in :mod:`rushrater.services.preferences` (a versioned file in the platform's config
folder), not in QSettings, which keeps only window state. Older versions kept it in QSettings under
``recent/studies``: the first time the preferences file is made, those values are carried over.
"""

from __future__ import annotations

from pathlib import Path

from ..services.preferences import RECENT_LIMIT, PreferenceStore, RecentStudy
from .qt import QSettings

KEY = "recent/studies"
LAST_DIR_KEY = "dialogs/lastDirectory"
LIMIT = RECENT_LIMIT

__all__ = ["LIMIT", "RecentStudies", "RecentStudy", "legacy_preferences"]


def legacy_preferences(settings: QSettings) -> dict:
    """What versions before the preferences file kept in QSettings (a version-0 document)."""
    legacy = {}
    for key in (KEY, LAST_DIR_KEY):
        value = settings.value(key)
        if value:
            legacy[key] = value
    return legacy


class RecentStudies:
    def __init__(self, settings: QSettings, store: PreferenceStore | None = None):
        self._store = store if store is not None else PreferenceStore(legacy=lambda: legacy_preferences(settings))

    @property
    def store(self) -> PreferenceStore:
        return self._store

    def entries(self) -> list[RecentStudy]:
        return list(self._store.load().recent_studies)

    def add(self, path: str | Path, title: str) -> None:
        self._store.add_recent(path, title)

    def remove(self, path: str | Path) -> None:
        self._store.remove_recent(path)

    def clear(self) -> None:
        self._store.update(recent_studies=())
