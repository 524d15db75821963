"""The one write path: a unit of work opens the write transaction, keeps the audit trail and the image
files in step with it, and returns what changed.

Every service write is::

    with unit_of_work(study, actor) as uow:
        ...                                   # uow.session: the write transaction
        uow.record("raters.add", "rater", rater.id, after={...})
        uow.keep_new_file(stored.key)         # a file written for this change
        uow.retire_file(row.storage_key)      # a file this change replaces
    return uow.changes                        # or a DTO carrying it

When the block raises, nothing of it is stored: the transaction rolls back and every new image file is
discarded. When it commits, retired files are removed (after the commit, so a crash in between leaves
an orphan the garbage collector finds, never a row pointing at a missing file) and every listener of
the study (``Study.subscribe``; the GUI's study-changed signal) gets the :class:`Changes`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..domain.changes import Changes, Entity
from ..storage.changes import changed_entities, mark_changed
from . import audit

if TYPE_CHECKING:
    from ..storage import Session
    from .study import Study

log = logging.getLogger(__name__)


class UnitOfWork:
    """One write transaction on a study (see the module docstring). Made by :func:`unit_of_work`."""

    def __init__(self, study: Study, actor: str, session: Session):
        self.study = study
        self.actor = actor
        self.session = session
        self._new_files: list[str] = []
        self._retired_files: list[str] = []
        self._actions: list[str] = []
        #: Set when the transaction has committed.
        self.changes: Changes | None = None

    def record(
        self,
        action: str,
        entity: str,
        entity_id: object = None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> None:
        """Add the audit row of this change, in its transaction (``actor`` overrides the unit's)."""
        audit.record(self.session, actor or self.actor, action, entity, entity_id, before=before, after=after, reason=reason)
        self._actions.append(action)

    def keep_new_file(self, key: str) -> None:
        """An image file stored for this change: discarded if the change is not committed."""
        self._new_files.append(key)

    def retire_file(self, key: str) -> None:
        """An image file this change makes unused: removed once the change is committed."""
        self._retired_files.append(key)

    def touch(self, *entities: Entity) -> None:
        """Name entities changed by raw SQL, which the change tracking cannot see."""
        mark_changed(self.session, *entities)

    def _discard_new_files(self) -> None:
        _discard(self.study, self._new_files)

    def _remove_retired_files(self) -> None:
        for key in self._retired_files:
            try:
                self.study.images.discard(key)
            except Exception:  # the change is stored; an orphan file is found by `rushrater gc`
                log.exception("could not remove the replaced image file %s", key)


def _discard(study: Study, keys: Iterable[str]) -> None:
    for key in keys:
        try:
            study.images.discard(key)
        except Exception:  # never mask the failure that rolled the change back
            log.exception("could not discard the new image file %s", key)


@contextmanager
def unit_of_work(study: Study, actor: str | None = None, *, new_files: Iterable[str] = ()) -> Iterator[UnitOfWork]:
    """Open one write transaction on ``study`` as ``actor`` (default: the coordinator at the keyboard).

    ``new_files``: image files stored for this change before it began (written outside the write
    transaction to keep its lock short); like :meth:`UnitOfWork.keep_new_file`, and discarded also
    when the transaction cannot even open.
    """
    early = list(new_files)
    uow: UnitOfWork | None = None
    try:
        with study.db.write() as session:
            uow = UnitOfWork(study, actor or audit.coordinator_actor(), session)
            uow._new_files.extend(early)
            yield uow
            session.flush()  # so the change tracking sees the last statements before the commit
            entities = changed_entities(session)
    except BaseException:
        _discard(study, early if uow is None else uow._new_files)
        raise
    uow.changes = Changes(entities, tuple(uow._actions))
    uow._remove_retired_files()
    study.notify(uow.changes)
