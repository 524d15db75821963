"""The GUI's operation runner: service calls off the GUI thread, results and errors back on it."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6", reason="the GUI tests need PySide6")

from rushrater.domain.changes import Entity  # noqa: E402
from rushrater.domain.errors import ValidationError  # noqa: E402
from rushrater.gui import operations  # noqa: E402
from rushrater.gui.operations import OperationCancelled, StudyEvents, run_operation  # noqa: E402
from rushrater.gui.qt import QApplication, QProgressDialog, QPushButton, QWidget  # noqa: E402
from rushrater.services.unit_of_work import unit_of_work  # noqa: E402
from rushrater.storage import models  # noqa: E402


def test_the_call_runs_off_the_gui_thread_and_its_result_comes_back_on_it(qtbot, study, settle):
    seen = {}

    def work(progress):
        seen["worker_is_main"] = threading.current_thread() is threading.main_thread()
        seen["flag"] = operations.on_operation_thread()
        return 42

    def done(result):
        seen["result"] = result
        seen["done_is_main"] = threading.current_thread() is threading.main_thread()

    run_operation(None, work, done=done, queue=study)
    settle()
    assert seen == {"worker_is_main": False, "flag": True, "result": 42, "done_is_main": True}


def test_operations_on_one_study_run_in_the_order_asked(qtbot, study, settle):
    order: list[int] = []
    for n in range(5):
        run_operation(None, lambda progress, n=n: n, done=order.append, queue=study)
    settle()
    assert order == [0, 1, 2, 3, 4]


def test_a_failure_is_shown_as_a_message_naming_the_fix(qtbot, study, settle, monkeypatch):
    shown = []
    monkeypatch.setattr(operations, "show_error", lambda parent, title, exc: shown.append((title, exc)))

    def work(progress):
        raise ValidationError("washout cannot be -1", fix="use 0 to 3650 days")

    run_operation(None, work, title="Settings", queue=study)
    settle()
    assert [(title, str(exc.fix)) for title, exc in shown] == [("Settings", "use 0 to 3650 days")]


def test_a_slow_operation_shows_progress_and_can_be_cancelled(qtbot, study, settle):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    failures = []

    def work(progress):
        progress("Reading slice 1 of 200")
        release.wait(5)
        progress.check()
        return "finished"

    op = run_operation(parent, work, failed=failures.append, title="Import CT", cancellable=True, queue=study)
    qtbot.waitUntil(lambda: op._dialog is not None, timeout=3000)
    dialog = op._dialog
    assert isinstance(dialog, QProgressDialog) and dialog.labelText() == "Reading slice 1 of 200"
    dialog.findChild(QPushButton).click()
    release.set()
    settle()
    assert len(failures) == 1 and isinstance(failures[0], OperationCancelled)
    assert QApplication.overrideCursor() is None  # the busy cursor is gone again


def test_windows_hear_what_a_write_changed_on_the_gui_thread(qtbot, study, settle):
    events = StudyEvents(study)
    heard = []
    events.changed.connect(lambda changes: heard.append((changes, threading.current_thread() is threading.main_thread())))

    def work(progress, name="fellow"):
        with unit_of_work(study, "coordinator:test") as uow:
            uow.session.add(models.RaterGroup(name=name))
            uow.record("groups.add", "rater_group", name)
        return uow.changes

    run_operation(None, work, queue=study)
    settle()
    qtbot.waitUntil(lambda: bool(heard), timeout=2000)
    changes, on_main = heard[0]
    assert on_main and changes.touches(Entity.RATERS) and not changes.touches(Entity.RATINGS)
    events.close()
    run_operation(None, lambda progress: work(progress, "consultant"), queue=study)
    settle()
    assert len(heard) == 1  # a closed listener hears nothing more


def test_a_view_loader_reads_once_more_for_requests_made_during_a_read_and_drops_a_stale_one(qtbot, study, settle):
    from rushrater.gui.operations import ViewLoader

    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    reads, shown, after = [], [], []

    def work():
        n = len(reads) + 1
        reads.append(n)
        return (lambda progress: (release.wait(5), n)[1]), study

    loader = ViewLoader(parent, work, show=shown.append, failed=lambda exc: shown.append(exc))
    loader.request(then=lambda: after.append("first"))
    loader.request()
    loader.request(then=lambda: after.append("second"))  # three requests: one read, then one more
    release.set()
    settle()
    assert (reads, shown, after) == ([1, 2], [1, 2], ["first", "second"])

    release.clear()
    loader.request(then=lambda: after.append("stale"))
    loader.reset()  # its study closed while it read: the result and the callback are dropped
    release.set()
    settle()
    assert (shown, after) == ([1, 2], ["first", "second"])
