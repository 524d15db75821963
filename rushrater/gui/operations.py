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

import functools
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
    Qt,
    QThreadPool,
    QTimer,
    QWidget,
    Signal,
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

    def __init__(self, op_id: int):
        self._op_id = op_id
        self._cancel = threading.Event()

    def __call__(self, message: str) -> None:
        _relay().progress.emit(self._op_id, message)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Stop the operation here if the user pressed Cancel."""
        if self._cancel.is_set():
            raise OperationCancelled()


class _Relay(QObject):
    """Carries an operation's progress and end from its thread to the GUI thread.

    One relay for the life of the app, made on the GUI thread and never deleted: a worker thread
    emits only on it, with plain values (an operation's number, a message), so no Qt object a
    window owns is ever touched or freed on a worker thread, however soon the window closes.
    """

    progress = Signal(int, str)
    finished = Signal(int)


_relay_instance: _Relay | None = None


def _relay() -> _Relay:
    global _relay_instance
    if _relay_instance is None:
        _relay_instance = _Relay()
        _relay_instance.progress.connect(_on_progress, Qt.ConnectionType.QueuedConnection)
        _relay_instance.finished.connect(_on_finished, Qt.ConnectionType.QueuedConnection)
    return _relay_instance


_operation_thread = threading.local()
_pools: dict[int, tuple[Any, QThreadPool]] = {}
#: Operations started and not yet delivered, by number. Only the GUI thread adds and removes them,
#: so the function (and the window its closure holds) is always released on the GUI thread.
_running: dict[int, Operation] = {}
#: What an operation's thread produced, (ok, result or exception), until the GUI thread takes it.
_outcomes: dict[int, tuple[bool, Any]] = {}
_next_id = 0


def on_operation_thread() -> bool:
    """True inside a function run by :func:`run_operation` (tests check that services run only there)."""
    return bool(getattr(_operation_thread, "active", False))


def _pool_for(key: object) -> QThreadPool:
    # Forget the pools of queues that are gone (a closed study) and idle; threads of a live pool end
    # after 30 s without work (QThreadPool's expiry), so an idle app keeps no threads.
    for ident, (ref, pool) in list(_pools.items()):
        if ref is not None and ref() is None and pool.activeThreadCount() == 0:
            del _pools[ident]
    entry = _pools.get(id(key))
    if entry is None or (entry[0] is not None and entry[0]() is not key):
        try:
            ref = weakref.ref(key)
        except TypeError:  # None, a string: a queue that lives as long as the app
            ref = None
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        entry = _pools[id(key)] = (ref, pool)
    return entry[1]


def _execute(op_id: int) -> None:
    """The body of an operation's thread: run the function, park the outcome, tell the GUI thread."""
    operation = _running.get(op_id)
    if operation is None:
        return
    fn, progress = operation._fn, operation._progress
    del operation
    _operation_thread.active = True
    try:
        _outcomes[op_id] = (True, fn(progress))
    except BaseException as exc:  # handed to the GUI thread, which shows it
        _outcomes[op_id] = (False, exc)
    finally:
        _operation_thread.active = False
        del fn, progress  # hold nothing of the window's here once the GUI thread may drop it
    _relay().finished.emit(op_id)


def _on_progress(op_id: int, message: str) -> None:
    operation = _running.get(op_id)
    if operation is not None:
        operation._on_progress(message)


def _on_finished(op_id: int) -> None:
    operation = _running.pop(op_id, None)
    ok, result = _outcomes.pop(op_id, (False, RuntimeError("the operation ended without a result")))
    if operation is not None:
        operation._deliver(ok, result)


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
        global _next_id
        _next_id += 1
        self._id = _next_id
        self._parent = weakref.ref(parent) if parent is not None else None
        self._fn = fn
        self._done, self._failed, self._title, self._label = done, failed, title, label
        self._cancellable = cancellable
        self._dialog: QProgressDialog | None = None
        self._progress = OperationProgress(self._id)
        self._last_message = label
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self.running = True
        self._quiet = quiet
        _relay()  # made here, on the GUI thread, before any worker needs it
        _running[self._id] = self
        if not quiet:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self._timer.start(PROGRESS_DELAY_MS)
        _pool_for(queue).start(functools.partial(_execute, self._id))

    def cancel(self) -> None:
        self._progress._cancel.set()

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
        self._fn = None
        self.finished.emit()

    def _deliver(self, ok: bool, result: Any) -> None:
        self._finish()
        if ok:
            if self._done is not None:
                self._done(result)
            return
        exc = result
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
        for _ref, pool in list(_pools.values()):
            pool.waitForDone(50)
        QApplication.processEvents()
    return not _running


class ViewLoader:
    """A view's reads of the study, coalesced: at most one runs at a time, requests made meanwhile
    make exactly one more read after it, and each ``then`` runs once the data it waited for is shown.

    ``work()`` gives the read to run now — ``(fn, queue)`` — or None when there is nothing to read
    (no study open). ``show(result)`` fills the view; ``failed(exc)`` reports a read that failed.
    While a read runs the view keeps what it shows (no flicker).
    """

    def __init__(
        self,
        parent: QWidget,
        work: Callable[[], tuple[Callable[[OperationProgress], Any], object] | None],
        show: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ):
        self._parent = parent
        self._work, self._show, self._failed = work, show, failed
        self.loading = False
        self._again = False
        self._waiting: list[Callable[[], None]] = []
        self._generation = 0

    def request(self, then: Callable[[], None] | None = None) -> None:
        """Read and show; ``then`` runs once shown. During a read: one more read after it."""
        if then is not None:
            self._waiting.append(then)
        if self.loading:
            self._again = True
            return
        job = self._work()
        if job is None:
            return
        fn, queue = job
        self.loading = True
        generation = self._generation
        run_operation(self._parent, fn, done=lambda result: self._loaded(generation, result),
                      failed=lambda exc: self._load_failed(generation, exc), queue=queue)

    def after_write(self, then: Callable[[], None] | None = None) -> None:
        """After the view's own write: the read its change started (the study's event arrives before
        the write's result) runs ``then``; after a write that told no listener, read now."""
        if self.loading:
            if then is not None:
                self._waiting.append(then)
            return
        self.request(then)

    def reset(self) -> None:
        """Forget pending requests and drop the result of a read still running (its study closed)."""
        self._generation += 1
        self.loading = self._again = False
        self._waiting = []

    def _loaded(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self._show(result)
        if self._again:
            self._again = False
            self.request()
            return
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.reset()
        self._failed(exc)


class _ChangeRelay(QObject):
    """Carries a study's Changes from the writing thread to the GUI thread (made once, never deleted:
    the writing thread emits only on it, never on a window's object)."""

    heard = Signal(object, object)  # (the study's id(), which overflows a C int, and its Changes)


_change_relay_instance: _ChangeRelay | None = None
#: The live StudyEvents of each study (by the study's number), found on the GUI thread.
_listeners: dict[int, weakref.WeakSet[StudyEvents]] = {}


def _change_relay() -> _ChangeRelay:
    global _change_relay_instance
    if _change_relay_instance is None:
        _change_relay_instance = _ChangeRelay()
        _change_relay_instance.heard.connect(_on_changes, Qt.ConnectionType.QueuedConnection)
    return _change_relay_instance


def _on_changes(study_key: int, changes: Changes) -> None:
    for events in list(_listeners.get(study_key, ())):
        if is_alive(events):
            events.changed.emit(changes)


class StudyEvents(QObject):
    """``changed(Changes)`` on the GUI thread after every committed write to ``study``, whoever made it."""

    changed = Signal(object)

    def __init__(self, study, parent: QObject | None = None):
        super().__init__(parent)
        relay = _change_relay()
        key = id(study)
        _listeners.setdefault(key, weakref.WeakSet()).add(self)
        # Called on the writing thread: it only emits on the app-long relay (plain values).
        self._unsubscribe = study.subscribe(lambda changes: relay.heard.emit(key, changes))
        listeners, unsubscribe = _listeners[key], self._unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())
        self._key, self._set = key, listeners

    def close(self) -> None:
        """Stop listening (the window closed or the study was closed)."""
        self._unsubscribe()
        self._set.discard(self)
