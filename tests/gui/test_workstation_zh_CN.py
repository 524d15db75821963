"""The issue-17 workstation states in Simplified Chinese: nothing left in English, nothing cut off.

The pause screen, the session menu, the missing-items state with the RUSH subtotals (the scoring
panel must keep its width with the long Chinese warning), the leave-this-case question, and the
demo build's progress in the start window. Screenshots go to $RUSHRATER_SCREENSHOTS when set."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the translation tests need PySide6")

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from factories import login_rater  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402
from test_translation_zh_CN import _study_data, chinese, untranslated, visible_texts, zh_qm  # noqa: E402,F401

pytestmark = pytest.mark.gui


def _shot(widget, name: str) -> None:
    folder = os.environ.get("RUSHRATER_SCREENSHOTS")
    if folder:
        assert widget.grab().save(str(Path(folder) / name))


def _open(qtbot, study):
    from rushrater.gui.workstation import WorkstationWindow

    window = WorkstationWindow(login_rater(study, "R02"))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.case is not None and window.viewers["AP"].prepared is not None, timeout=10_000)
    return window


def test_pause_missing_items_and_subtotals_in_chinese(qtbot, chinese, small_study):  # noqa: F811
    from rushrater.gui.qt import QScrollArea, Qt

    study = open_study(small_study)
    try:
        window = _open(qtbot, study)
        texts = visible_texts(window)
        assert window.menuBar().actions()[0].text() == "会话(&S)"
        qtbot.keyClicks(window.panel, "22")
        qtbot.keyClick(window.panel, Qt.Key.Key_Return)
        qtbot.keyClicks(window.panel, "3")
        assert window.missing_note.isVisible() and "（7 项）" in window.missing_note.text()
        texts += visible_texts(window)
        assert window.subtotal_labels["cortical_bridging"].text() == "5 / 12"  # 2 (medial) + 3 (lateral)
        # Nothing of the scoring side wider than its column: the warning wraps instead.
        side = window.side_widget
        assert side.width() == 430
        assert window.missing_note.width() <= side.width() and window.missing_note.minimumSizeHint().width() <= side.width()
        scroll = side.findChild(QScrollArea)
        assert window.panel.width() <= scroll.viewport().width()
        assert window.submit_button.geometry().right() <= side.contentsRect().right()
        _shot(window, "workstation-missing-items-zh_CN.png")
        qtbot.keyClick(window.panel, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        assert window.paused and window.paused_page.text() == "已暂停 — 按空格键继续"
        texts += visible_texts(window)
        _shot(window, "workstation-paused-zh_CN.png")
        assert untranslated(texts, _study_data(study)) == [], untranslated(texts, _study_data(study))
        window.close()
    finally:
        study.close()


def test_the_leave_question_in_chinese(qtbot, chinese, small_study, modal):  # noqa: F811
    from rushrater.gui.qt import Qt

    study = open_study(small_study)
    try:
        window = _open(qtbot, study)
        qtbot.keyClicks(window.panel, "2")
        found = {}

        def look(box):
            found["texts"] = visible_texts(box) + [("text", box.text()), ("info", box.informativeText())]
            [b for b in box.buttons() if b.text() == "继续阅片"][0].click()

        modal(lambda: qtbot.keyClick(window.panel, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier), look)
        assert found["texts"] and untranslated(found["texts"], []) == [], untranslated(found["texts"], [])
        assert window.isVisible()
        window.close()
    finally:
        study.close()


def test_the_demo_builds_progress_in_chinese(qtbot, chinese, settings, tmp_path, build_study):  # noqa: F811
    import threading

    from rushrater.gui.app import DemoRequest
    from rushrater.gui.start import StartWindow
    from rushrater.services import demo

    release = threading.Event()

    def builder(path, *, fresh=False, patients=20, progress=None):
        progress(demo.STEP_RENDER)
        release.wait(20)
        build_study(Path(path), tmp_path / "demo-source")
        return open_study(path)

    request = DemoRequest(tmp_path / "demo")
    window = StartWindow(settings, demo_path=request.path, demo_builder=request.builder)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    original = demo.build_or_open_demo
    demo.build_or_open_demo = builder
    try:
        window.open_demo()
        qtbot.waitUntil(lambda: "步" in window.demo_progress_label.text(), timeout=10_000)
        assert window.demo_progress_label.text() == "正在构建演示研究，第 1 / 4 步：正在生成合成髋部 X 线片…"
        _shot(window, "demo-build-progress-zh_CN.png")
        release.set()
        qtbot.waitUntil(lambda: window.study is not None, timeout=20_000)
    finally:
        release.set()
        demo.build_or_open_demo = original
        window.wait_for_background_work(10_000)
        window.close()
