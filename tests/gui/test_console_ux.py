"""The console as a coordinator uses it (issue 17): in Chinese down to the core's messages, driven
from the keyboard, with planning, the audit trail and consistent shortcuts."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")

import re  # noqa: E402

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest  # noqa: E402
from rushrater.domain.errors import NotAStudyError, StudyNotFoundError  # noqa: E402
from rushrater.services.imports import import_manifest  # noqa: E402
from rushrater.services.planning import plan_reading  # noqa: E402
from rushrater.services.raters import add_rater  # noqa: E402
from rushrater.services.ratings import import_ratings  # noqa: E402
from rushrater.services.study import create_study, resolve_study_path  # noqa: E402

pytestmark = pytest.mark.gui
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def rated_study(tmp_path):
    study = create_study(tmp_path / "study", "Console test study", actor="test")
    source = tmp_path / "src"
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", image_rows(source, 8)), actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    plan_reading(study, seed=4, actor="test")
    import_ratings(study, simulated_ratings_csv(tmp_path / "r.csv", study.rubric.item_keys, 8, codes), actor="test")
    yield study
    study.close()


@pytest.fixture
def chinese(qapp):
    """The zh_CN translation the package ships (rushrater/gui/translations), as the app loads it."""
    from rushrater.gui.i18n import install_translators, remove_translators
    from rushrater.gui.qt import QLocale

    before = QLocale()
    assert install_translators(qapp, "zh_CN")
    yield
    remove_translators(qapp)
    QLocale.setDefault(before)


def _settle(qtbot=None, window=None) -> None:
    """Let the console's operations (gui.operations) finish and deliver; then give ``window`` the
    keyboard back (a slow operation's progress dialog may have taken it)."""
    from rushrater.gui.operations import wait_for_operations

    assert wait_for_operations()
    if window is not None:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def _console(qtbot, study):
    from rushrater.gui.console import ConsoleWindow

    window = ConsoleWindow(study)
    qtbot.addWidget(window)
    window.resize(1320, 860)
    window.show()
    qtbot.waitExposed(window)
    _settle()  # every tab has read the study (a slow read's progress dialog has come and gone)
    window.activateWindow()  # shortcuts and mnemonics go to the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


# --- Chinese --------------------------------------------------------------------------------------


def test_console_data_words_and_core_reasons_are_chinese(qtbot, chinese, rated_study):
    console = _console(qtbot, rated_study)
    agreement, ba_pair = console.agreement, console.plots.ba_pair
    headers = [agreement.icc_table.horizontalHeaderItem(j).text() for j in range(agreement.icc_table.columnCount())]
    assert headers[0] == "day1\n全部评分者"
    assert agreement.healing_table.item(0, 1).text() == "全部评分者"
    assert any(ba_pair.itemText(i).endswith("其他评分者均值") for i in range(ba_pair.count()))
    queue = console.discordant.queue_table
    reasons = [queue.item(i, 6).text() for i in range(queue.rowCount())]
    assert reasons and all(CJK.search(r) and "totals span" not in r and "healing status" not in r for r in reasons)
    # item rows show the rubric's labels (translated), not variable names
    rows = [agreement.icc_table.verticalHeaderItem(i).text() for i in range(agreement.icc_table.rowCount())]
    assert rows[0] == "总分" and not any("_" in r for r in rows)


def test_core_errors_are_translated_and_point_to_the_gui(chinese, tmp_path):
    from rushrater.gui.errors import describe

    (tmp_path / "empty").mkdir()
    with pytest.raises(NotAStudyError) as caught:
        resolve_study_path(tmp_path / "empty")
    message, details = describe(caught.value)
    assert message == "不是 RUSH Rater 研究（此文件夹中没有 study.db）"
    assert "文件 ▸ 新建研究" in details and "rushrater init" not in details


def test_core_errors_in_english_point_to_file_new_study(tmp_path):
    from rushrater.gui.errors import describe

    with pytest.raises(StudyNotFoundError) as caught:
        resolve_study_path(tmp_path / "nowhere")
    message, details = describe(caught.value)
    assert message == "No such study"
    assert "File ▸ New study" in details and "rushrater init" not in details


def test_templated_core_messages_keep_their_values(chinese):
    from rushrater.gui.core_text import core_text

    assert core_text("totals span 4 points (> 3); healing status split (2 of 6 below 18)") == (
        "总分相差 4 分（> 3）; 愈合状态不一致（6 人中 2 人低于 18）")
    assert core_text("a message no one translated, 3 times") == "a message no one translated, 3 times"


# --- keyboard: menus, shortcuts, the discordant queue ---------------------------------------------


def _key(qtbot, widget, key, modifier=None):
    from rushrater.gui.qt import Qt

    qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)


def test_alt_s_opens_the_study_menu_not_settings(qtbot, rated_study):
    from rushrater.gui.qt import QApplication, Qt

    console = _console(qtbot, rated_study)
    tab_texts = [console.tabs.tabText(i) for i in range(console.tabs.count())]
    mnemonics = [t[t.index("&") + 1].lower() for t in tab_texts]
    menu_mnemonics = [a.text()[a.text().index("&") + 1].lower() for a in console.menuBar().actions()]
    assert len(set(mnemonics + menu_mnemonics)) == len(mnemonics + menu_mnemonics), (tab_texts, menu_mnemonics)
    console.activateWindow()
    _key(qtbot, console, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is console.study_menu, timeout=3000)
    _key(qtbot, console.study_menu, Qt.Key.Key_Escape)
    assert console.tabs.currentIndex() == 0


def test_enter_in_the_discordant_queue_opens_the_case(qtbot, rated_study, modal):
    from rushrater.gui.qt import QApplication, Qt

    console = _console(qtbot, rated_study)
    console.activateWindow()
    _key(qtbot, console, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    queue = console.discordant.queue_table
    assert console.tabs.currentWidget() is console.discordant
    qtbot.waitUntil(lambda: QApplication.focusWidget() is queue, timeout=3000)
    _key(qtbot, queue, Qt.Key.Key_Down)
    expected = queue.item(1, 0).text()
    seen = []
    # Enter reads the case off the GUI thread, then opens it.
    modal(lambda: (_key(qtbot, QApplication.focusWidget(), Qt.Key.Key_Return), _settle()),
                   lambda dialog: seen.append(dialog.case), timeout_ms=60_000)
    assert seen == [expected]


def test_shortcuts_mean_one_thing_in_every_window(qtbot, rated_study, settings, tmp_path):
    """Ctrl+E is Export wherever it is bound (it was Enrol in the start window)."""
    from rushrater.gui.console import ConsoleWindow
    from rushrater.gui.importing.window import ImportWindow
    from rushrater.gui.qt import QAction, QKeySequence, QPushButton, QShortcut
    from rushrater.gui.start import StartWindow

    windows = [StartWindow(settings, demo_path=tmp_path / "demo"), ConsoleWindow(rated_study), ImportWindow(rated_study)]
    meanings: dict[str, set[str]] = {}
    for window in windows:
        qtbot.addWidget(window)
        bound = [(a.shortcut(), a.text()) for a in window.findChildren(QAction)]
        bound += [(b.shortcut(), b.text()) for b in window.findChildren(QPushButton)]
        bound += [(s.key(), s.objectName() or s.whatsThis()) for s in window.findChildren(QShortcut)]
        for key, text in bound:
            if key.isEmpty() or not text:
                continue
            verb = text.replace("&", "").split()[0].lower().rstrip("…")
            meanings.setdefault(key.toString(QKeySequence.SequenceFormat.PortableText), set()).add(verb)
    assert meanings["Ctrl+E"] == {"export"}
    # Alt+letter mnemonics belong to one window's labels; Ctrl shortcuts are learnt across windows.
    clashes = {key: verbs for key, verbs in meanings.items() if len(verbs) > 1 and key.startswith("Ctrl")}
    assert clashes == {}, clashes


# --- planning --------------------------------------------------------------------------------------


@pytest.fixture
def unplanned_study(tmp_path):
    study = create_study(tmp_path / "fresh", "Unplanned study", actor="test")
    source = tmp_path / "src2"
    import_manifest(study, source, write_manifest(tmp_path / "m2.csv", image_rows(source, 4)), actor="test")
    for name, group, *_ in AGREEMENT_RATERS[:2]:
        add_rater(study, name, group, actor="test")
    yield study
    study.close()


def _press(qtbot, widget, key, modifier=None) -> None:
    """A key press; a button's mnemonic clicks it through animateClick, about 100 ms later."""
    from rushrater.gui.qt import Qt

    qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)
    qtbot.wait(250)


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)


def _shot(widget, name: str) -> None:
    import os
    from pathlib import Path

    folder = os.environ.get("RUSHRATER_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def test_plan_a_new_study_with_a_chosen_seed_from_the_keyboard(qtbot, unplanned_study, modal):
    from rushrater.gui.qt import QApplication, Qt
    from rushrater.services.status import study_status

    console = _console(qtbot, unplanned_study)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    alt = Qt.KeyboardModifier.AltModifier

    def plan(dialog):
        _activate(qtbot, dialog)
        assert dialog.random_seed.isChecked() and not dialog.replan.isEnabled()
        _press(qtbot, dialog, Qt.Key.Key_N, alt)  # Ra&ndom seed: off, the seed can be typed
        assert not dialog.random_seed.isChecked()
        _press(qtbot, dialog, Qt.Key.Key_S, alt)  # &Seed:
        assert QApplication.focusWidget() in (dialog.seed, dialog.seed.findChild(type(dialog.seed.lineEdit())))
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(QApplication.focusWidget(), "4242")
        _shot(dialog, "plan-dialog-en.png")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        _settle()  # planned off the GUI thread, then the dialog closes

    # The dialog opens once the study's status is read.
    result = modal(lambda: (_press(qtbot, console, Qt.Key.Key_P, ctrl_shift), _settle()), plan, timeout_ms=60_000)
    assert result["dialog"] is not None and not result["left_open"], result
    assert study_status(unplanned_study)["plan"]["seed"] == 4242
    assert "seed 4242" in console.statusBar().currentMessage()


def test_extend_the_plan_with_rereads_and_no_start_over_once_rated(qtbot, rated_study, modal, message_boxes):
    from rushrater.gui.console.planning import PlanDialog
    from rushrater.gui.qt import QApplication, Qt
    from rushrater.services.agreement import reading_progress
    from rushrater.services.status import study_status

    console = _console(qtbot, rated_study)
    alt = Qt.KeyboardModifier.AltModifier

    def rereads(dialog):
        _activate(qtbot, dialog)
        assert not dialog.replan.isEnabled() and "cannot be discarded" in dialog.replan.toolTip()
        assert not dialog.seed.isEnabled() and dialog.seed.value() == 4  # the recorded seed, kept
        _press(qtbot, dialog, Qt.Key.Key_R, alt)  # Add &re-reads
        assert dialog.rereads.isChecked() and dialog.fraction.isEnabled()
        _press(qtbot, dialog, Qt.Key.Key_C, alt)  # Share of each rater's &cases
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(QApplication.focusWidget(), "25")
        _press(qtbot, dialog, Qt.Key.Key_W, alt)  # &Washout
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(QApplication.focusWidget(), "14")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        _settle()

    console.study_menu.setFocus()
    result = modal(lambda: (console.plan_action.trigger(), _settle()), rereads, timeout_ms=60_000)
    assert not result["left_open"], result
    assert rated_study.settings["washout_days"] == 14
    progress = reading_progress(rated_study)
    assert (progress["rereads_assigned"] == 4).all(), progress  # 25% of 16 cases
    assert "re-read" in console.statusBar().currentMessage()

    # Start over once rated: the service refuses, the dialog says why and stays open.
    dialog = PlanDialog(rated_study, study_status(rated_study), console)
    qtbot.addWidget(dialog)
    dialog.replan.setEnabled(True)
    dialog.replan.setChecked(True)
    dialog.accept()
    _settle()
    assert dialog.result is None and message_boxes and "cannot be discarded" in message_boxes[-1][1]


def test_the_report_shows_its_progress_and_uses_the_icc_form_chosen(qtbot, rated_study, modal, tmp_path):
    from rushrater.gui.qt import QApplication, Qt

    console = _console(qtbot, rated_study)
    console.agreement.form_combo.setCurrentIndex(console.agreement.form_combo.findData("ICC(3,k)"))
    out = tmp_path / "report.html"
    seen = {}

    def make(dialog):
        _activate(qtbot, dialog)
        assert dialog.form_combo.currentData() == "ICC(3,k)"  # the console's choice to start with
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("html"))
        _press(qtbot, dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # ICC f&orm
        assert QApplication.focusWidget() is dialog.form_combo
        qtbot.keyClick(dialog.form_combo, Qt.Key.Key_Up)
        seen["form"] = dialog.form_combo.currentData()
        dialog.path_edit.setText(str(out))
        _press(qtbot, dialog.path_edit, Qt.Key.Key_Return)  # the default button: Make report
        seen["running"] = dialog.running and dialog.progress_bar.isVisible()
        seen["stage"] = dialog.progress_label.text()
        seen["locked"] = not dialog.ok_button.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # ignored while the report is written
        seen["open_after_esc"] = dialog.isVisible()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=120_000)

    result = modal(lambda: _press(qtbot, console, Qt.Key.Key_R,
                                  Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier), make)
    assert result["error"] is None and not result["left_open"], result
    assert seen["form"] != "ICC(3,k)" and seen["running"] and seen["locked"] and seen["open_after_esc"]
    assert seen["stage"].startswith("Computing")
    text = out.read_text(encoding="utf-8")
    assert f"Table 1. {seen['form']} of the RUSH total" in text
    assert str(out) in console.statusBar().currentMessage()


def test_the_plan_dialog_shows_no_english_in_chinese(qtbot, chinese, rated_study):
    from test_translation_zh_CN import untranslated, visible_texts

    from rushrater.gui.console.planning import PlanDialog
    from rushrater.services.status import study_status

    dialog = PlanDialog(rated_study, study_status(rated_study))
    qtbot.addWidget(dialog)
    dialog.rereads.setChecked(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = visible_texts(dialog) + [("tooltip", dialog.replan.toolTip())]
    assert untranslated(texts, []) == []
    _shot(dialog, "plan-dialog-zh_CN.png")


# --- the audit trail -------------------------------------------------------------------------------


def test_the_audit_trail_is_filtered_from_the_keyboard_and_exported(qtbot, rated_study, tmp_path):
    import csv

    from rushrater.gui.qt import QApplication, Qt
    from rushrater.services.settings import update_settings

    update_settings(rated_study, {"blank_screen_ms": 300}, actor="coordinator:ada")
    console = _console(qtbot, rated_study)
    alt = Qt.KeyboardModifier.AltModifier
    _press(qtbot, console, Qt.Key.Key_U, alt)  # A&udit trail
    audit = console.audit_tab
    assert console.tabs.currentWidget() is audit
    everything = audit.table.rowCount()
    entities = [audit.entity_combo.itemText(i) for i in range(audit.entity_combo.count())]
    assert {"rating", "study", "reading_plan"} <= set(entities), entities
    assert "settings" in " ".join(audit.trail["action"]) or "study.settings" in set(audit.trail["action"])

    _press(qtbot, console, Qt.Key.Key_E, alt)  # &Entity
    assert QApplication.focusWidget() is audit.entity_combo
    while audit.entity_combo.currentData() != "study":
        qtbot.keyClick(audit.entity_combo, Qt.Key.Key_Down)
    _settle(qtbot, console)  # the service reads the rows the filters select
    assert 0 < audit.table.rowCount() < everything
    assert set(audit.trail["entity"]) == {"study"}
    _press(qtbot, console, Qt.Key.Key_R, alt)  # Use&r
    qtbot.keyClicks(QApplication.focusWidget(), "ada")
    _settle()
    actions = [audit.table.item(i, 2).text() for i in range(audit.table.rowCount())]
    assert actions == ["study.settings"], actions
    assert '"blank_screen_ms": 300' in audit.table.item(0, 6).text()
    _shot(console, "audit-viewer-en.png")

    out = tmp_path / "audit.csv"
    assert audit.export_csv(str(out))
    _settle()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["action"] for r in rows] == ["study.settings"] and rows[0]["actor"] == "coordinator:ada"
    assert str(out) in console.statusBar().currentMessage()

    # a date range before the study: nothing
    audit.until_edit.setDate(audit.until_edit.date().addDays(-400))
    audit.since_edit.setDate(audit.until_edit.date().addDays(-1))
    _settle()
    assert audit.table.rowCount() == 0


def test_the_audit_viewer_shows_no_english_in_chinese(qtbot, chinese, rated_study):
    from test_translation_zh_CN import untranslated, visible_texts

    console = _console(qtbot, rated_study)
    console.tabs.setCurrentWidget(console.audit_tab)
    audit = console.audit_tab
    # the rows and the entity list are the study's data (actions, user names)
    texts = [(w, t) for w, t in visible_texts(audit) if "cell" not in w and w != "QComboBox"]
    texts += [("tab", console.tabs.tabText(console.tabs.indexOf(audit)))]
    assert untranslated(texts, []) == [], untranslated(texts, [])
    _shot(console, "audit-viewer-zh_CN.png")
