"""Image files no database row refers to: left by a killed import (its workers had stored them) or a
failed one. ``collect_garbage`` reports them and, unless it is a dry run, removes them.

Only files of the study's image folder are considered (for a database study, its local spool);
a file is referenced when an image, a staged image or a CT series row names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..storage import queries
from .study import Study


@dataclass(frozen=True)
class GarbageReport:
    unreferenced: tuple[str, ...]
    bytes: int
    removed: bool


def referenced_keys(study: Study) -> set[str]:
    with study.db.read() as session:
        return queries.referenced_storage_keys(session)


def collect_garbage(study: Study, *, dry_run: bool = True, among: Iterable[str] | None = None) -> GarbageReport:
    """Unreferenced image files (``among``: only these keys, e.g. the files one import created)."""
    store = study.images
    on_disk = set(store._file_keys()) if among is None else {k for k in among if (store.root / k).is_file()}
    unreferenced = sorted(on_disk - referenced_keys(study))
    size = sum((store.root / key).stat().st_size for key in unreferenced if (store.root / key).is_file())
    if not dry_run:
        for key in unreferenced:
            (store.root / key).unlink(missing_ok=True)
    return GarbageReport(tuple(unreferenced), size, removed=not dry_run)
