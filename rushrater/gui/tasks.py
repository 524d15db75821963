"""Running slow service calls off the GUI thread.

A :class:`BackgroundTask` runs ``fn(progress)`` on a pool thread; its ``signals`` are emitted from
that thread and, because the receivers are methods of widgets living on the GUI thread, arrive there
as queued calls. The function must not touch widgets, and should hand back plain values (a path,
not an open :class:`~rushrater.services.study.Study`: its database engine belongs to the thread
that made it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .qt import QObject, QRunnable, Signal

Progress = Callable[[str], None]


class TaskSignals(QObject):
    progress = Signal(str)
    succeeded = Signal(object)
    failed = Signal(object)


class BackgroundTask(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]):
        super().__init__()
        self._fn = fn
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self._fn(self.signals.progress.emit)
        except Exception as exc:  # handed to the GUI thread, which shows it
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
