"""``run()``: the app starts, shows the start window (on a study if given) and exits cleanly."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the GUI tests need PySide6 (pip install PySide6-Essentials)")

from rushrater.gui.app import run
from rushrater.gui.qt import QApplication, QCoreApplication, QTimer
from rushrater.gui.start import StartWindow

SMALL_STUDY_TITLE = "GUI test study"  # as built by conftest.build_small_study

pytestmark = pytest.mark.gui


def _close_start_windows_soon(seen: dict) -> None:
    def close():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, StartWindow) and w.isVisible()]
        if any(w.busy for w in windows):  # still opening the study (off the GUI thread): look again soon
            QTimer.singleShot(50, close)
            return
        seen["titles"] = [w.header_title.text() for w in windows]
        for w in windows:
            w.close()
        QTimer.singleShot(2000, QCoreApplication.quit)  # a safety net; closing the window is enough

    QTimer.singleShot(50, close)


def test_run_on_a_study_shows_it_and_exits_cleanly(qapp, small_study, message_boxes):
    seen: dict = {}
    _close_start_windows_soon(seen)
    assert run(small_study) == 0
    assert seen["titles"] == [SMALL_STUDY_TITLE]
    assert message_boxes == []
    assert QCoreApplication.applicationName() == "RUSH Rater"
    assert QCoreApplication.organizationName() == "RUSH Rater"


def test_run_without_a_study_shows_the_start_page(qapp, message_boxes):
    seen: dict = {}
    _close_start_windows_soon(seen)
    assert run(None) == 0
    assert seen["titles"] == ["RUSH Rater"]
    assert message_boxes == []


def test_run_on_a_bad_path_reports_it_and_still_starts(qapp, tmp_path, message_boxes):
    seen: dict = {}
    _close_start_windows_soon(seen)
    assert run(tmp_path / "nowhere") == 0
    assert seen["titles"] == ["RUSH Rater"]
    assert [box[1] for box in message_boxes] == ["No such study"]
