"""The start window: opening, creating and summarising a study; enrolling raters; the demo worker."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the GUI tests need PySide6 (pip install PySide6-Essentials)")

from rushrater.domain.changes import Entity
from rushrater.domain.errors import ValidationError
from rushrater.gui.start.dialogs import EnrolRaterDialog, NewStudyDialog
from rushrater.gui.qt import Qt
from rushrater.gui.start.rater_table import PERCENT_ROLE, SORT_ROLE, RaterTableModel
from rushrater.gui.start import StartWindow
from rushrater.services.raters import add_rater
from rushrater.services.study import open_study

SMALL_STUDY_TITLE = "GUI test study"  # as built by conftest.build_small_study

pytestmark = pytest.mark.gui


def rater_rows(window: StartWindow) -> list[list[str]]:
    """The rater table as the user sees it (through the sorting proxy), one list of texts per row."""
    model = window.rater_table.model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())] for row in range(model.rowCount())
    ]


# --- empty state ------------------------------------------------------------------------------


def test_empty_state_offers_the_start_actions(window):
    assert window.study is None
    assert window.pages.currentWidget() is window.start_page
    assert window.header_title.text() == "RUSH Rater"
    assert window.windowTitle() == "RUSH Rater"
    for action in (window.new_action, window.open_action, window.demo_action):
        assert action.isEnabled()
    for action in (window.enrol_action, window.refresh_action, window.close_study_action):
        assert not action.isEnabled()
    assert window.start_page.recent_stack.currentWidget() is window.start_page.recent_empty_label
    assert window.statusBar().currentMessage() == "No study open"


def test_keyboard_shortcuts_and_mnemonics(window):
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.open_action.shortcut().toString() == "Ctrl+O"
    assert window.refresh_action.shortcut().toString() == "F5"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    for button in (window.start_page.new_button, window.start_page.open_button, window.start_page.demo_button, window.study_page.enrol_button, window.study_page.refresh_button):
        assert "&" in button.text(), button.text()


# --- opening a study --------------------------------------------------------------------------


def test_open_study_shows_counts_time_points_groups_plan_and_raters(window, small_study, settle):
    assert window.open_study_path(small_study)  # started; opened off the GUI thread
    settle()

    assert window.pages.currentWidget() is window.study_page
    assert window.header_title.text() == SMALL_STUDY_TITLE
    assert window.header_subtitle.text() == str(small_study)
    assert SMALL_STUDY_TITLE in window.windowTitle()
    assert window.study_page.patients_tile.value_label.text() == "3"
    assert window.study_page.cases_tile.value_label.text() == "5"
    assert window.study_page.cases_tile.note_label.text() == "4 with AP + lateral · 1 without both views"
    assert window.study_page.images_tile.value_label.text() == "9"
    assert window.study_page.ratings_tile.value_label.text() == "1"
    assert window.study_page.timepoints_value.text() == "Day 1: 3 cases\nMonth 1: 2 cases"
    assert window.study_page.groups_value.text() == "attending: 1 rater\nresident: 1 rater"
    assert window.study_page.plan_value.text().startswith("Seed 1, made ")
    assert window.study_page.rubric_value.text() == "Radiographic Union Score for Hip (RUSH)\n10 items, total 10–30"

    rows = rater_rows(window)
    assert [row[: RaterTableModel.REMAINING + 1] for row in rows] == [
        ["R01", "Dr Ada Lovelace", "resident", "1 / 4", "3"],
        ["R02", "Dr Alan Turing", "attending", "0 / 4", "4"],
    ]
    assert [row[RaterTableModel.PROGRESS] for row in rows] == ["25 %", "0 %"]
    assert window.rater_table.isColumnHidden(RaterTableModel.REREADS)  # no re-reads planned
    assert window.enrol_action.isEnabled() and window.refresh_action.isEnabled()


def test_the_window_never_shows_rating_values(window, small_study, settle):
    """Blinding: the coordinator sees progress counts only, no scores."""
    window.open_study_path(small_study)
    settle()
    assert window.study is not None
    model = window.rater_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Code", "Name", "Group", "Read", "Left", "Re-reads", "Progress"]
    assert not any("score" in text.lower() or "total" in text.lower() for row in rater_rows(window) for text in row)


def test_opening_a_folder_that_is_not_a_study_shows_the_error_and_fix(window, tmp_path, message_boxes, settle):
    folder = tmp_path / "just-images"
    folder.mkdir()
    (folder / "scan.png").write_bytes(b"not really")

    window.open_study_path(folder)
    settle()

    assert window.study is None
    assert window.pages.currentWidget() is window.start_page
    assert len(message_boxes) == 1
    title, text, details = message_boxes[0]
    assert title == "Cannot open the study"
    assert text == "Not a RUSH Rater study (no study.db in this folder)"
    assert f"Where: {folder}" in details
    assert "What to do: choose a study folder (or its study.db), or create a study with File ▸ New study" in details
    assert "Traceback" not in text + details
    assert "Could not open" in window.statusBar().currentMessage()
    assert window.recent.entries() == []


def test_a_failed_open_keeps_the_open_study(window, small_study, tmp_path, message_boxes, settle):
    window.open_study_path(small_study)
    settle()
    opened = window.study
    window.open_study_path(tmp_path / "missing")
    settle()
    assert window.study is opened
    assert message_boxes[0][1] == "No such study"
    assert window.study is not None and window.header_title.text() == SMALL_STUDY_TITLE


def test_open_study_accepts_the_study_database(window, small_study, modal, settle):
    """Issue 17: the Open dialog takes a study.db (or a .rushrater link), not only folders; in a
    study folder its study.db is chosen already, so Enter opens it."""
    from rushrater.gui.qt import QKeySequence

    assert window.open_action.shortcut() == QKeySequence("Ctrl+O")

    def pick(dialog):
        dialog.setDirectory(str(small_study))
        dialog.directoryEntered.emit(str(small_study))
        assert [Path(f).name for f in dialog.selectedFiles()] == ["study.db"]
        dialog.accept()

    assert modal(window.open_action.trigger, pick)["error"] is None
    settle()
    assert window.study is not None and window.study.root == small_study


def test_open_study_accepts_a_study_link(window, small_study, tmp_path, modal, settle):
    from rushrater.services.study_link import write_study_link

    link = write_study_link(small_study, tmp_path / "my study.rushrater")

    def pick(dialog):
        dialog.selectFile(str(link))
        dialog.accept()

    assert modal(window.open_action.trigger, pick)["error"] is None
    settle()
    assert window.study is not None and window.study.root == small_study


def test_cancelling_the_open_dialog_changes_nothing(window, modal, settle):
    modal(window.open_action.trigger, lambda dialog: dialog.reject())
    settle()
    assert window.study is None


def test_close_study_goes_back_to_the_start_page(window, small_study, settle):
    window.open_study_path(small_study)
    settle()
    assert window.study is not None
    window.close_study_button.click()
    assert window.study is None
    assert window.pages.currentWidget() is window.start_page
    assert not window.enrol_action.isEnabled()


def test_refresh_shows_changes_made_elsewhere(window, small_study, settle):
    window.open_study_path(small_study)
    settle()
    with open_study(small_study) as other_workstation:  # another program: this window hears nothing
        add_rater(other_workstation, "Dr Grace Hopper", "attending")
    settle()
    assert len(rater_rows(window)) == 2
    window.refresh_action.trigger()
    settle()
    assert window.statusBar().currentMessage() == "Refreshed"
    assert [row[0] for row in rater_rows(window)] == ["R01", "R02", "R03"]
    assert window.study_page.groups_value.text() == "attending: 2 raters\nresident: 1 rater"


def test_the_summary_follows_a_write_to_the_study_without_a_reload(window, small_study, qtbot, settle):
    """Issue 13: a write to the open study -- here one made through the unit of work from this
    thread, as any window's service call is -- reaches the start window as a study change, and the
    counts it shows change with no Refresh."""
    from rushrater.services import audit
    from rushrater.services.unit_of_work import unit_of_work
    from rushrater.storage import models

    window.open_study_path(small_study)
    settle()
    assert len(rater_rows(window)) == 2
    shown_before = window.status

    with unit_of_work(window.study, "test") as uow:  # the window's own study: its listeners hear it
        group = uow.session.query(models.RaterGroup).filter_by(name="attending").one()
        uow.session.add(models.Rater(code="R03", name="Dr Grace Hopper", name_key="dr grace hopper",
                                     group_id=group.id, created_at=audit.now()))
        uow.record("rater.add", "rater", None)
    assert uow.changes.touches(Entity.RATERS)

    qtbot.waitUntil(lambda: len(rater_rows(window)) == 3, timeout=10_000)
    settle()
    assert [row[0] for row in rater_rows(window)] == ["R01", "R02", "R03"]
    assert window.study_page.groups_value.text() == "attending: 2 raters\nresident: 1 rater"
    assert window.status is not shown_before


def test_a_change_the_summary_does_not_show_loads_nothing(window, small_study, settle, monkeypatch, qtbot):
    from rushrater.domain.changes import Changes
    from rushrater.gui.start import window as window_module

    window.open_study_path(small_study)
    settle()
    loads = []
    monkeypatch.setattr(window_module, "study_status", lambda study: loads.append(study) or window.status)
    window.study.notify(Changes.of(Entity.AUDIT, Entity.CLINICAL))
    qtbot.wait(100)  # the change is delivered on the GUI thread's event loop
    settle()
    assert loads == []
    window.study.notify(Changes.of(Entity.RATINGS))
    qtbot.waitUntil(lambda: bool(loads), timeout=5000)
    settle()
    assert loads == [window.study]


def test_a_closed_study_is_no_longer_followed(window, small_study, settle):
    window.open_study_path(small_study)
    settle()
    study = window.study
    assert study._listeners  # the window's StudyEvents
    window.close_study()
    assert study._listeners == []


# --- recent studies ---------------------------------------------------------------------------


def test_recent_list_remembers_the_study_across_windows(qtbot, settings, small_study, tmp_path, settle):
    first = StartWindow(settings, demo_path=tmp_path / "demo")
    qtbot.addWidget(first)
    first.open_study_path(small_study)
    settle()
    first.close()

    second = StartWindow(settings, demo_path=tmp_path / "demo")
    qtbot.addWidget(second)
    entries = second.recent.entries()
    assert [(e.path, e.title) for e in entries] == [(small_study, SMALL_STUDY_TITLE)]
    assert second.recent_list.count() == 1
    item = second.recent_list.item(0)
    assert item.text() == SMALL_STUDY_TITLE

    second.start_page.open_recent_button.click()
    settle()
    assert second.study is not None and second.study.root == small_study
    second.close()


def test_recent_list_shows_missing_folders_and_can_forget_them(qtbot, settings, tmp_path, message_boxes, settle):
    window = StartWindow(settings, demo_path=tmp_path / "demo")
    qtbot.addWidget(window)
    window.recent.add(tmp_path / "gone", "Old pilot")
    window.close_study()  # refills the start page
    assert window.recent_list.count() == 1
    assert "(folder not found)" in window.recent_list.item(0).toolTip()

    window.start_page.open_item(window.recent_list.item(0))
    settle()
    assert message_boxes and message_boxes[0][1] == "No such study"

    window.start_page.remove_recent_button.click()
    assert window.recent.entries() == []
    assert window.start_page.recent_stack.currentWidget() is window.start_page.recent_empty_label


def test_recent_list_keeps_the_latest_first_without_duplicates(window, small_study, tmp_path, build_study, settle):
    other = tmp_path / "other"
    build_study(other, tmp_path / "other-source")
    for path in (small_study, other, small_study):
        window.open_study_path(path)
        settle()
    assert [e.path for e in window.recent.entries()] == [small_study, other]


# --- enrolling raters -------------------------------------------------------------------------


def test_enrol_rater_dialog_adds_a_row(window, small_study, modal, qtbot, settle):
    window.open_study_path(small_study)
    settle()

    def fill(dialog):
        assert isinstance(dialog, EnrolRaterDialog)
        assert [dialog.group_combo.itemText(i) for i in range(dialog.group_combo.count())] == ["attending", "resident"]
        assert not dialog.enrol_button.isEnabled()
        qtbot.keyClicks(dialog.name_edit, "Dr Grace Hopper")
        dialog.group_combo.setCurrentText("resident")
        assert dialog.enrol_button.isEnabled()
        dialog.enrol_button.click()
        assert dialog.running and not dialog.buttons.isEnabled()  # one click, one rater
        settle()

    outcome = modal(window.enrol_action.trigger, fill)

    assert not outcome["left_open"]
    settle()
    rows = rater_rows(window)
    assert len(rows) == 3
    assert rows[2][: RaterTableModel.DONE + 1] == ["R03", "Dr Grace Hopper", "resident", "0 / 0"]
    assert rows[2][RaterTableModel.PROGRESS] == "no list yet"
    assert window.rater_table.selectionModel().selectedRows()[0].row() == 2
    assert "Enrolled Dr Grace Hopper as R03 in group resident." in window.statusBar().currentMessage()
    assert window.study_page.groups_value.text() == "attending: 1 rater\nresident: 2 raters"


def test_enrol_rater_with_a_taken_name_shows_why_and_keeps_the_dialog(window, small_study, modal, message_boxes, settle):
    window.open_study_path(small_study)
    settle()

    def fill(dialog):
        dialog.name_edit.setText("Dr Ada Lovelace")
        dialog.group_combo.setCurrentText("resident")
        dialog.enrol_button.click()
        settle()
        assert dialog.enrol_button.isEnabled()  # ready for the correction

    outcome = modal(window.study_page.enrol_button.click, fill)

    assert outcome["left_open"]  # still open for a correction when the service said no
    assert message_boxes == [
        (
            "Cannot enrol the rater",
            "A rater named 'Dr Ada Lovelace' is already enrolled",
            f"Where: {small_study}\n\nWhat to do: use a distinguishing name (e.g. add an initial), or keep the existing rater",
        )
    ]
    assert len(rater_rows(window)) == 2


# --- creating a study -------------------------------------------------------------------------


def test_new_study_dialog_creates_and_opens_the_study(window, tmp_path, modal, qtbot, settle):
    folder = tmp_path / "hip-2026"

    def fill(dialog):
        assert isinstance(dialog, NewStudyDialog)
        assert not dialog.create_button.isEnabled()
        dialog.folder_edit.setText(str(folder))
        qtbot.keyClicks(dialog.title_edit, "Hip fracture healing 2026")
        dialog.timepoints_edit.setText("day1,week6,month3")
        assert dialog.timepoints_preview.text().endswith("Day 1 → Week 6 → Month 3")
        dialog.create_button.click()
        settle()

    outcome = modal(window.new_action.trigger, fill)

    assert not outcome["left_open"]
    assert (folder / "study.db").is_file()
    assert window.header_title.text() == "Hip fracture healing 2026"
    assert window.study_page.timepoints_value.text() == "Day 1: 0 cases\nWeek 6: 0 cases\nMonth 3: 0 cases"
    assert window.study_page.plan_value.text() == "Not planned yet"
    assert window.study_page.no_raters_label.isVisible() and not window.rater_table.isVisible()
    assert window.recent.entries()[0].path == folder


def test_new_study_dialog_rejects_bad_time_points_before_calling_the_service(window, tmp_path, modal):
    def fill(dialog):
        dialog.folder_edit.setText(str(tmp_path / "x"))
        dialog.title_edit.setText("A title")
        dialog.timepoints_edit.setText("day1,day1")
        assert dialog.timepoints_preview.text().startswith("Not valid: list each time point once")
        assert not dialog.create_button.isEnabled()

    outcome = modal(window.start_page.new_button.click, fill)
    assert outcome["left_open"]
    assert window.study is None and not (tmp_path / "x").exists()


def test_new_study_in_a_non_empty_folder_shows_the_fix(window, tmp_path, modal, message_boxes, settle):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")

    def fill(dialog):
        dialog.folder_edit.setText(str(folder))
        dialog.title_edit.setText("A title")
        dialog.create_button.click()
        settle()

    outcome = modal(window.new_action.trigger, fill)
    assert outcome["left_open"]
    assert message_boxes[0][:2] == ("Cannot create the study", "Folder is not empty")
    assert "What to do: give a new or empty folder" in message_boxes[0][2]
    assert window.study is None


# --- the demo study on a worker thread --------------------------------------------------------


def test_demo_is_prepared_off_the_gui_thread_with_progress(qtbot, settings, tmp_path, build_study):
    release = threading.Event()
    seen: dict = {}

    def builder(path: Path, progress):
        seen["thread"] = threading.current_thread()
        progress("Rendering synthetic radiographs…")
        release.wait(10)
        build_study(path, tmp_path / "demo-source")
        return open_study(path)

    window = StartWindow(settings, demo_path=tmp_path / "demo", demo_builder=builder)
    qtbot.addWidget(window)
    window.show()
    window.start_page.demo_button.click()

    qtbot.waitUntil(lambda: window.demo_progress_label.text() == "Rendering synthetic radiographs…")
    assert window.busy
    assert window.demo_progress_label.isVisible() and window.busy_bar.isVisible()
    assert not window.new_action.isEnabled() and not window.start_page.demo_button.isEnabled()
    window.demo_action.trigger()  # ignored while busy: one build at a time

    release.set()
    qtbot.waitUntil(lambda: window.study is not None, timeout=10_000)
    assert seen["thread"] is not threading.main_thread()
    assert not window.busy and not window.demo_progress_label.isVisible()
    assert window.study.root == tmp_path / "demo"
    assert window.header_title.text() == SMALL_STUDY_TITLE
    assert window.new_action.isEnabled()
    window.close()


def test_demo_failure_is_shown_and_the_window_recovers(qtbot, settings, tmp_path, message_boxes):
    def builder(path: Path, progress):
        raise ValidationError("folder is not empty", where=str(path), fix="choose a new or empty folder for the demo")

    window = StartWindow(settings, demo_path=tmp_path / "demo", demo_builder=builder)
    qtbot.addWidget(window)
    window.open_demo()
    qtbot.waitUntil(lambda: not window.busy)
    qtbot.waitUntil(lambda: bool(message_boxes))
    assert message_boxes[0][:2] == ("Cannot prepare the demo study", "Folder is not empty")
    assert window.study is None and window.demo_action.isEnabled()


def test_closing_during_the_demo_build_waits_for_it(qtbot, settings, tmp_path, build_study):
    release = threading.Event()

    def builder(path: Path, progress):
        release.wait(10)
        build_study(path, tmp_path / "demo-source")
        return open_study(path)

    window = StartWindow(settings, demo_path=tmp_path / "demo", demo_builder=builder)
    qtbot.addWidget(window)
    window.show()
    window.open_demo()
    window.close()
    assert not window.isVisible() and window.busy  # out of sight, still finishing
    release.set()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert window.study is None  # closed, not opened
    assert (tmp_path / "demo" / "study.db").is_file()


# --- the rater table model --------------------------------------------------------------------


def test_rater_model_roles_and_sorting():
    model = RaterTableModel()
    model.set_rows(
        [
            {"code": "R01", "name": "b", "group": "g", "assigned": 40, "done": 10, "remaining": 30,
             "percent_done": 25.0, "reread_assigned": 0, "reread_done": 0},
            {"code": "R02", "name": "A", "group": "g", "assigned": 3, "done": 1, "remaining": 2,
             "percent_done": 33.3, "reread_assigned": 4, "reread_done": 1},
            {"code": "R03", "name": "c", "group": "g", "assigned": 0, "done": 0, "remaining": 0,
             "percent_done": 0.0, "reread_assigned": 0, "reread_done": 0},
        ]
    )
    progress = [model.index(r, RaterTableModel.PROGRESS) for r in range(3)]
    assert [i.data() for i in progress] == ["25 %", "33.3 %", "no list yet"]
    assert [i.data(PERCENT_ROLE) for i in progress] == [25.0, 33.3, None]
    assert [i.data(SORT_ROLE) for i in progress] == [25.0, 33.3, -1.0]
    assert model.index(1, RaterTableModel.REREADS).data() == "1 / 4"
    assert model.index(0, RaterTableModel.REREADS).data() == "–"
    assert model.has_rereads()
    assert model.index(0, RaterTableModel.DONE).data(Qt.ItemDataRole.ToolTipRole) == "10 of 40 cases read; 30 left"
    assert model.row_of_code("R03") == 2 and model.row_of_code("R99") == -1
    assert model.index(1, RaterTableModel.NAME).data(SORT_ROLE) == "a"


def test_enrol_rater_dialog_sets_a_pin_typed_twice(window, small_study, modal, qtbot, message_boxes, settle):
    from rushrater.services.reading import PinError, ReadingSession
    from rushrater.services.study import open_study

    window.open_study_path(small_study)
    settle()

    def fill(dialog):
        qtbot.keyClicks(dialog.name_edit, "Dr Grace Hopper")
        dialog.group_combo.setCurrentText("resident")
        qtbot.keyClicks(dialog.pin_edit, "cobol-59")
        qtbot.keyClicks(dialog.pin_again, "cobol-58")
        dialog.enrol_button.click()
        assert dialog.isVisible() and "differ" in " ".join(message_boxes[-1])  # nothing stored
        dialog.pin_again.setText("cobol-59")
        dialog.enrol_button.click()
        settle()

    outcome = modal(window.enrol_action.trigger, fill)
    assert not outcome["left_open"]
    settle()
    with open_study(small_study) as study:
        with pytest.raises(PinError):
            ReadingSession.login(study, "R03")
        assert ReadingSession.login(study, "R03", "cobol-59").rater_name == "Dr Grace Hopper"
