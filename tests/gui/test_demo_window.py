"""``rushrater demo`` opens its window at once and shows the demo build's steps in it (issue 17).

Before: the command built the demo study first (11-17 s, a minute on a loaded machine) with no
window at all, and only then opened the app. Now the command hands the build to the desktop app,
whose start window runs it on its worker thread and shows each step ("step n of 4").
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the demo window needs PySide6")

import os  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from rushrater.services.study import open_study  # noqa: E402

SMALL_STUDY_TITLE = "GUI test study"  # as built by conftest.build_small_study


def test_rushrater_demo_shows_its_window_at_once_with_the_builds_steps(
    qtbot, tmp_path, monkeypatch, build_study, settings
):
    from rushrater.cli.main import main
    from rushrater.gui import app as app_module
    from rushrater.gui.start import StartWindow
    from rushrater.services import demo

    release = threading.Event()
    threads = []

    def builder(path, *, fresh=False, patients=20, progress=None):
        threads.append(threading.current_thread())
        progress(demo.STEP_RENDER)
        release.wait(20)
        progress(demo.STEP_IMPORT)
        build_study(Path(path), tmp_path / "demo-source")
        return open_study(path)

    monkeypatch.setattr(demo, "build_or_open_demo", builder)
    launched = {}

    def run(study_path=None, *, demo=None):  # the app's run(), without its event loop
        launched["request"] = demo
        launched["built_before"] = list(threads)
        window = StartWindow(settings, demo_path=demo.path, demo_builder=demo.builder)
        qtbot.addWidget(window)
        window.show()
        window.open_demo()
        launched["window"] = window
        return 0

    monkeypatch.setattr(app_module, "run", run)
    assert main(["demo", str(tmp_path / "demo")]) == 0
    assert launched["built_before"] == []  # the command did not build before the window was up
    window = launched["window"]
    assert window.isVisible() and launched["request"].path == tmp_path / "demo"
    step = "Building the demo study, step 1 of 4: Rendering synthetic hip radiographs…"
    qtbot.waitUntil(lambda: window.demo_progress_label.text() == step, timeout=10_000)
    assert window.busy_bar.isVisible() and window.demo_progress_label.isVisible()
    folder = os.environ.get("RUSHRATER_SCREENSHOTS")
    if folder:
        window.grab().save(str(Path(folder) / "demo-build-progress-en.png"))
    release.set()
    qtbot.waitUntil(lambda: window.study is not None, timeout=20_000)
    assert threads and threads[0] is not threading.main_thread()  # built off the GUI thread
    assert window.study.title == SMALL_STUDY_TITLE  # then the study opens in the same window
    window.wait_for_background_work(10_000)
    window.close()
