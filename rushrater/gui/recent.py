"""The recent-studies list, kept in the user's QSettings (window state, not a study setting)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .qt import QSettings

KEY = "recent/studies"
LIMIT = 8


@dataclass(frozen=True)
class RecentStudy:
    path: Path
    title: str

    @property
    def exists(self) -> bool:
        return (self.path / "study.db").is_file()


def _normal(path: str | Path) -> Path:
    return Path(path).expanduser().absolute()


class RecentStudies:
    def __init__(self, settings: QSettings):
        self._settings = settings

    def entries(self) -> list[RecentStudy]:
        raw = self._settings.value(KEY, "[]")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            items = []
        result = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                result.append(RecentStudy(_normal(item["path"]), str(item.get("title") or "")))
        return result[:LIMIT]

    def add(self, path: str | Path, title: str) -> None:
        path = _normal(path)
        kept = [e for e in self.entries() if e.path != path]
        self._store([RecentStudy(path, title), *kept][:LIMIT])

    def remove(self, path: str | Path) -> None:
        path = _normal(path)
        self._store([e for e in self.entries() if e.path != path])

    def clear(self) -> None:
        self._store([])

    def _store(self, entries: list[RecentStudy]) -> None:
        self._settings.setValue(KEY, json.dumps([{"path": str(e.path), "title": e.title} for e in entries]))
        self._settings.sync()
