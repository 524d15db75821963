"""Rater training in the GUI (issue 17), headless and from the keyboard: the feedback after a
training submit (the rater's scores beside the reference, item by item) and the console's Training
tab; both in English and Simplified Chinese, with screenshots."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the training views need PySide6")

import csv
import os
import subprocess
import sys
from pathlib import Path

from factories import login_rater

from rushrater.services import training
from rushrater.services.planning import plan_reading
from rushrater.storage import models, queries

pytestmark = pytest.mark.gui
SHOTS = Path(os.environ.get("RUSHRATER_SHOTS", "/work/helpers/shots"))
DIGITS = "2231231123"


@pytest.fixture
def trained(populated_study, tmp_path):
    study = populated_study
    keys = study.rubric.item_keys
    path = tmp_path / "ref.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "timepoint", *keys])
        writer.writerow(["P005", "day1", *"2231231123"])  # the digits the test types: all agree
        writer.writerow(["P005", "month1", *"3332332233"])
    training.import_references(study, path, actor="test")
    plan_reading(study, seed=2, actor="test")
    return study


def _open(qtbot, study, rater="R01"):
    from rushrater.gui.workstation import WorkstationWindow

    window = WorkstationWindow(login_rater(study, rater))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.case is not None and window.viewers["AP"].prepared is not None, timeout=10_000)
    return window


def _submit_by_keyboard(qtbot, window):
    from rushrater.gui.qt import Qt

    qtbot.keyClicks(window.panel, DIGITS)
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    # The submit runs on the operation thread; the round's last one computes kappa (scipy's first
    # import on a loaded machine can take a while; it used to block the keyClick instead).
    qtbot.waitUntil(lambda: getattr(window, "training_feedback", None) is not None
                    and window.training_feedback.isVisible(), timeout=60_000)
    return window.training_feedback


def _shoot(widget, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def test_feedback_after_each_training_submit_from_the_keyboard(qtbot, trained):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, trained)
    assert window.case.training and window.case_label.text() == "Training case 1 of 2"
    first_case = window.session._ref(window.case).case_id
    dialog = _submit_by_keyboard(qtbot, window)
    with trained.db.read() as s:
        reference = next(t for t in queries.training_cases(s) if t.case_id == first_case).reference
        assert s.query(models.Rating).count() == 0 and s.query(models.TrainingRead).count() == 1
    table = dialog.table
    keys = trained.rubric.item_keys
    for row, key in enumerate(keys):
        assert table.item(row, 1).text() == DIGITS[row]
        assert table.item(row, 2).text() == str(reference[key])
    assert table.item(len(keys), 1).text() == str(sum(map(int, DIGITS)))
    agreeing = sum(int(DIGITS[n]) == reference[k] for n, k in enumerate(keys))
    assert dialog.summary.text() == f"You agreed with the reference on {agreeing} of 10 items."
    _shoot(dialog, "training_feedback_en.png")
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: window.viewers["AP"].prepared is not None and window.case is not None, timeout=10_000)
    assert window.case.training and window.case_label.text() == "Training case 2 of 2"
    dialog = _submit_by_keyboard(qtbot, window)
    assert dialog.feedback.status is not None and "Training round done" in dialog.result.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.case is not None and not window.case.training, timeout=10_000)
    assert window.case_label.text().startswith("Case 1 of ")


def test_console_training_tab(qtbot, trained, settle):
    from rushrater.gui.console.window import ConsoleWindow
    from rushrater.gui.qt import Qt

    session = login_rater(trained, "R01")
    refs = {t.case_id: t.reference for t in _refs(trained)}
    while (case := session.current()) is not None and case.training:
        session.submit(case, refs[session._ref(case).case_id])
    console = ConsoleWindow(trained)
    qtbot.addWidget(console)
    console.resize(1500, 700)
    console.show()
    qtbot.waitExposed(console)
    settle()  # every tab has read the study
    console.tabs.setFocus()
    while console.tabs.currentWidget() is not console.training and console.tabs.currentIndex() < console.tabs.count() - 1:
        qtbot.keyClick(console.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert console.tabs.currentWidget() is console.training
    view = console.training
    table = view.table
    last = 4  # Passed
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert table.item(rows["R01"], last).text() == "yes" and table.item(rows["R01"], 3).text() == "2 / 2"
    assert table.item(rows["R02"], last).text() == "no" and table.item(rows["R02"], 3).text() == "0 / 2"
    # The threshold from the keyboard: bias limit 0 still passes R01 (exact); policy until passed.
    view.bias_spin.setFocus()
    view.bias_spin.selectAll()
    qtbot.keyClicks(view.bias_spin, "0")
    view.policy_combo.setCurrentIndex(view.policy_combo.findData("until_passed"))
    view.apply_button.setFocus()
    qtbot.keyClick(view.apply_button, Qt.Key.Key_Space)
    settle()  # saved off the GUI thread; the tab reads the study again on its change
    assert trained.settings["training_max_bias"] == 0 and trained.settings["training_policy"] == "until_passed"
    assert table.item(rows["R01"], last).text() == "yes"
    _shoot(console, "console_training_en.png")


def _refs(study):
    with study.db.read() as s:
        return queries.training_cases(s)


def test_training_views_show_no_english_in_chinese(qtbot, trained, tmp_path_factory, settle):
    from test_translation_zh_CN import ALLOWED, LATIN_WORD, TS, _strip, visible_texts

    from rushrater.gui.console.window import ConsoleWindow
    from rushrater.gui.i18n import install_translators, remove_translators
    from rushrater.gui.qt import QApplication, QLocale

    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed with PySide6")
    folder = tmp_path_factory.mktemp("qm")
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(folder / "rushrater_zh_CN.qm")], check=True)
    before = QLocale()
    install_translators(QApplication.instance(), "zh_CN", folder)
    try:
        window = _open(qtbot, trained)
        dialog = _submit_by_keyboard(qtbot, window)
        english = [(w, t) for w, t in visible_texts(dialog) + visible_texts(window)
                   if [x for x in LATIN_WORD.findall(_strip(t)) if x not in ALLOWED | {"kappa"}]  # a statistic's name
                   and t != "Dr Resident One"]  # the rater's own name
        assert english == [], english
        _shoot(dialog, "training_feedback_zh_CN.png")
        dialog.close()
        console = ConsoleWindow(trained)
        qtbot.addWidget(console)
        console.resize(1500, 700)
        console.show()
        qtbot.waitExposed(console)
        settle()
        console.tabs.setCurrentWidget(console.training)
        assert console.tabs.tabText(console.tabs.indexOf(console.training)) == "培训(&T)"
        english = [(w, t) for w, t in visible_texts(console.training)
                   if [x for x in LATIN_WORD.findall(_strip(t)) if x not in ALLOWED | {"R01", "R02", "R03", "kappa"}]
                   and "Dr " not in t]
        assert english == [], english
        _shoot(console, "console_training_zh_CN.png")
    finally:
        remove_translators(QApplication.instance())
        QLocale.setDefault(before)
