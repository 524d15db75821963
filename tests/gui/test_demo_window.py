"""``rushrater demo`` opens its window at once and shows the demo build's steps in it (issue 17).

Before: the command built the demo study first (11-17 s, a minute on a loaded machine) with no
window at all, and only then opened the app. The build runs on the start window's worker thread.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the demo window needs PySide6")

import os  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from conftest import SMALL_STUDY_TITLE, build_small_study  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402


def _run_demo_command(qtbot, tmp_path, monkeypatch, check_while_building) -> dict:
    """Run ``rushrater demo PATH`` in this process with a stand-in builder that waits until the
    window has been looked at; returns what was seen."""
    from rushrater.cli.main import main
    from rushrater.gui.qt import QApplication, QTimer
    from rushrater.gui.start_window import StartWindow
    from rushrater.services import demo

    release = threading.Event()
    seen: dict = {"threads": []}

    def builder(path, *, fresh=False, patients=20, progress=None):
        seen["threads"].append(threading.current_thread())
        progress(demo.STEP_RENDER)
        release.wait(20)
        progress(demo.STEP_IMPORT)
        build_small_study(Path(path), tmp_path / "demo-source")
        return open_study(path)

    monkeypatch.setattr(demo, "build_or_open_demo", builder)
    app = QApplication.instance()

    def windows():
        return [w for w in app.topLevelWidgets() if isinstance(w, StartWindow) and w.isVisible()]

    def while_building():
        shown = windows()
        if not shown or "step" not in shown[0].demo_progress_label.text():  # the first step has arrived
            QTimer.singleShot(20, while_building)
            return
        try:
            check_while_building(shown[0], seen)
        finally:
            release.set()
        QTimer.singleShot(20, when_built)

    def when_built():
        window = windows()[0]
        if window.study is None:
            QTimer.singleShot(20, when_built)
            return
        seen["opened"] = window.study.title
        window.close()
        app.quit()

    QTimer.singleShot(0, while_building)
    QTimer.singleShot(60_000, app.quit)  # never hang the suite
    seen["code"] = main(["demo", str(tmp_path / "demo")])
    release.set()
    return seen


def test_rushrater_demo_shows_its_window_at_once_with_the_builds_steps(qtbot, tmp_path, monkeypatch):
    def look(window, seen):
        seen["label"] = window.demo_progress_label.text()
        seen["bar"] = window.busy_bar.isVisible()
        folder = os.environ.get("RUSHRATER_SCREENSHOTS")
        if folder:
            window.grab().save(str(Path(folder) / "demo-build-progress-en.png"))

    seen = _run_demo_command(qtbot, tmp_path, monkeypatch, look)
    assert seen["code"] == 0
    assert seen["label"] == "Building the demo study, step 1 of 4: Rendering synthetic hip radiographs…"
    assert seen["bar"]
    assert seen["threads"] and seen["threads"][0] is not threading.main_thread()  # off the GUI thread
    assert seen["opened"] == SMALL_STUDY_TITLE  # then the study opens in the same window
