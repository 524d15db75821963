"""Running service calls off the GUI thread, and telling windows what a write changed.

Every call into ``rushrater.services`` from a window goes through :func:`run_operation` (after Anki's
``CollectionOp``/``QueryOp``): the call runs on the study's one operation thread, never on the GUI
thread, so a slow disk, a CT series or a database server far away never freezes the app. The result
comes back to ``done`` on the GUI thread; a failure is shown through :mod:`.errors`. Long operations
show progress after a short delay and may offer Cancel.

Writes tell the study's listeners what they changed (``services.unit_of_work``); :class:`StudyEvents`
turns that into the Qt signal ``changed(Changes)`` on the GUI thread, which windows connect to and
reload only what the change set names.

One thread per study (not a pool) because a study's writes are serialised anyway (SQLite's one
writer; the audit chain on a server) and because operations then happen in the order the user asked.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.changes import Changes
from ..domain.errors import RushRaterError
from .errors import show_error
from .qt import (
    QApplication,
    QObject,
    QProgressDialog,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    QWidget,
    Signal,
    Slot,
    is_alive,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long an operation runs before its progress dialog appears: quick calls never flash one.
PROGRESS_DELAY_MS = 400


class OperationCancelled(RushRaterError):
    """Raised inside an operation that noticed its Cancel button; nothing after that point ran."""

    def __init__(self) -> None:
        super().__init__("the operation was cancelled", fix="start it again when you are ready")


class OperationProgress:
    """What an operation's function gets: call it with a message; check ``cancelled`` between steps."""

    def __init__(self, signals: _OperationSignals):
        self._signals = signals
        self._cancel = threading.Event()

    def __call__(self, message: str) -> None:
        self._signals.progress.emit(message)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Stop the operation here if the user pressed Cancel."""
        if self._cancel.is_set():
            raise OperationCancelled()


class _OperationSignals(QObject):
    progress = Signal(str)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[OperationProgress], Any], signals: _OperationSignals):
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self.signals = signals
        self.progress = OperationProgress(signals)

    def run(self) -> None:
        _operation_thread.active = True
        try:
            result = self._fn(self.progress)
        except BaseException as exc:  # handed to the GUI thread, which shows it
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            _operation_thread.active = False


_operation_thread = threading.local()
_pools: dict[int, QThreadPool] = {}
#: Operations started and not yet finished: their signal objects must outlive the caller's frame.
_running: set[Operation] = set()


def on_operation_thread() -> bool:
    """True inside a function run by :func:`run_operation` (tests check that services run only there)."""
    return bool(getattr(_operation_thread, "active", False))


def _pool_for(key: object) -> QThreadPool:
    pool = _pools.get(id(key))
    if pool is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        pool.setExpiryTimeout(-1)
        _pools[id(key)] = pool
    return pool


class Operation(QObject):
    """One running operation: its progress dialog (when slow) and the callbacks on the GUI thread."""

    finished = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        fn: Callable[[OperationProgress], Any],
        *,
        done: Callable[[Any], None] | None,
        failed: Callable[[BaseException], None] | None,
        title: str,
        label: str,
        cancellable: bool,
        queue: object,
        quiet: bool = False,
    ):
        super().__init__(None)
        self._parent = weakref.ref(parent) if parent is not None else None
        self._done, self._failed, self._title, self._label = done, failed, title, label
        self._cancellable = cancellable
        self._dialog: QProgressDialog | None = None
        self._signals = _OperationSignals()
        self._signals.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._signals.succeeded.connect(self._on_succeeded, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._runnable = _Runnable(fn, self._signals)
        self._last_message = label
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self.running = True
        self._quiet = quiet
        _running.add(self)
        if not quiet:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self._timer.start(PROGRESS_DELAY_MS)
        _pool_for(queue).start(self._runnable)

    def cancel(self) -> None:
        self._runnable.progress._cancel.set()

    @property
    def parent_widget(self) -> QWidget | None:
        """The window that started the operation, or None once it is gone (closed and deleted)."""
        parent = self._parent() if self._parent is not None else None
        return parent if parent is not None and is_alive(parent) else None

    def _show_progress(self) -> None:
        if not self.running or (self._parent is not None and self.parent_widget is None):
            return  # finished, or its window closed meanwhile: nobody to show progress to
        dialog = QProgressDialog(self._last_message, self.tr("Cancel") if self._cancellable else "", 0, 0, self.parent_widget)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        if self._cancellable:
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)
        dialog.show()
        self._dialog = dialog

    @Slot(str)
    def _on_progress(self, message: str) -> None:
        self._last_message = message
        if self._dialog is not None:
            self._dialog.setLabelText(message)

    def _finish(self) -> None:
        self.running = False
        self._timer.stop()
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None
        if not self._quiet:
            QApplication.restoreOverrideCursor()
        _running.discard(self)
        self.finished.emit()

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self._finish()
        if self._done is not None:
            self._done(result)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        if self._failed is not None:
            self._failed(exc)
        elif not isinstance(exc, OperationCancelled):
            show_error(self.parent_widget, self._title, exc)


def run_operation(
    parent: QWidget | None,
    fn: Callable[[OperationProgress], T],
    *,
    done: Callable[[T], None] | None = None,
    failed: Callable[[BaseException], None] | None = None,
    title: str = "",
    label: str = "",
    cancellable: bool = False,
    queue: object = None,
    quiet: bool = False,
) -> Operation:
    """Run ``fn(progress)`` off the GUI thread; then ``done(result)`` or ``failed(exc)`` on it.

    Without ``failed``, an error is shown in a message box titled ``title`` (a cancel is not).
    ``queue`` names the operation thread (operations on one study run one after another): pass the
    study. ``fn`` must not touch widgets; it gets plain values and returns plain values.
    ``quiet``: no busy cursor and no progress dialog, for work whose result appears in place while the
    user goes on (a live preview).
    """
    return Operation(
        parent, fn, done=done, failed=failed, title=title or QApplication.applicationDisplayName(),
        label=label, cancellable=cancellable, queue=queue, quiet=quiet,
    )


def busy() -> bool:
    """Whether an operation is running or its result is still on its way to the GUI thread."""
    return bool(_running)


def wait_for_operations(timeout_ms: int = 30_000) -> bool:
    """Let running operations finish and deliver, including ones their callbacks start (closing a
    window, quitting; tests). True when none is left."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while _running and time.monotonic() < deadline:
        for pool in list(_pools.values()):
            pool.waitForDone(50)
        QApplication.processEvents()
    return not _running


class StudyEvents(QObject):
    """``changed(Changes)`` on the GUI thread after every committed write to ``study``, whoever made it."""

    changed = Signal(object)
    _heard = Signal(object)

    def __init__(self, study, parent: QObject | None = None):
        super().__init__(parent)
        # Writes commit on the operation thread: hop to this object's (the GUI) thread first.
        self._heard.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = study.subscribe(self._heard.emit)
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())

    @Slot(object)
    def _relay(self, changes: Changes) -> None:
        self.changed.emit(changes)

    def close(self) -> None:
        """Stop listening (the window closed or the study was closed)."""
        self._unsubscribe()
