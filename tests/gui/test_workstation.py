"""The reading workstation, headless: keyboard-only scoring, refusal of incomplete forms, stored
times, resume after close and after a killed process, blinding of every widget, a real screenshot."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the reading workstation needs PySide6")

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from factories import RATER_PIN, login_rater  # noqa: E402
from rushrater.services.reading import PinError, ReadingSession  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402
from rushrater.storage import models, queries  # noqa: E402

RATER = "R02"  # the small study's rater without ratings


@pytest.fixture
def study(small_study):
    study = open_study(small_study)
    yield study
    study.close()


def _open(qtbot, study):
    from rushrater.gui.workstation import WorkstationWindow

    window = WorkstationWindow(login_rater(study, RATER))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    _wait_images(qtbot, window)
    return window


def _wait_images(qtbot, window):
    """The case's images on screen, after every operation (a submit, the next cases) has finished."""
    from rushrater.gui import operations

    qtbot.waitUntil(lambda: not operations.busy() and window.case is not None
                    and window.viewers["AP"].prepared is not None, timeout=10_000)


def _ratings(study):
    with study.db.read() as s:
        rater = queries.rater_by_code_or_name(s, RATER)
        return [r for r in queries.current_ratings(s) if r.rater_id == rater.id]


def _score_case(qtbot, window, digits="2231231123"):
    """Score and submit by keyboard; returns once the submit (and the read of the next case) finished."""
    from rushrater.gui import operations
    from rushrater.gui.qt import Qt

    qtbot.keyClicks(window.panel, digits)
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not operations.busy(), timeout=10_000)


def test_a_rater_scores_several_cases_with_the_keyboard_only(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    assert window.case_label.text() == "Case 1 of 4"
    # digits set the highlighted item and move on; arrows and Tab move; the total follows live
    qtbot.keyClicks(window.panel, "22")
    assert window.total_label.text() == "Total 4"
    qtbot.keyClick(window.panel, Qt.Key.Key_Up)
    qtbot.keyClicks(window.panel, "3")  # changes item 2, moves to item 3
    assert window.panel.values == {study.rubric.items[0].key: 2, study.rubric.items[1].key: 3}
    qtbot.keyClick(window.panel, Qt.Key.Key_Tab)
    qtbot.keyClick(window.panel, Qt.Key.Key_Backtab)
    qtbot.keyClicks(window.panel, "11111111")
    assert window.total_label.text() == "Total 13"
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    _wait_images(qtbot, window)
    assert window.case_label.text() == "Case 2 of 4"
    _score_case(qtbot, window, "3333333333")
    _wait_images(qtbot, window)
    _score_case(qtbot, window, "1111111111")
    _wait_images(qtbot, window)
    assert window.case_label.text() == "Case 4 of 4"
    assert sorted(r.total for r in _ratings(study)) == [10, 13, 30]


def test_an_incomplete_form_cannot_be_submitted(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    qtbot.keyClicks(window.panel, "22222")
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    assert _ratings(study) == []
    assert window.case_label.text() == "Case 1 of 4"
    assert window.missing_note.isVisible()
    assert "Still to score (5)" in window.missing_note.text()
    assert "Trabecular fracture line" in window.missing_note.text()
    # the highlight jumped to the first missing item; finishing the form submits it
    assert window.panel.keys[window.panel.current] == study.rubric.items[5].key
    _score_case(qtbot, window, "22222")
    assert [r.total for r in _ratings(study)] == [20]


def test_submitted_ratings_carry_times_and_the_window_level(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    qtbot.keyClick(window.panel, Qt.Key.Key_I)  # invert both views: kept with the rating
    _score_case(qtbot, window)
    (rating,) = _ratings(study)
    assert rating.started_at is not None and rating.submitted_at >= rating.started_at
    assert rating.active_seconds is not None and rating.active_seconds >= 0
    state = rating.viewer_state
    assert state["AP"]["invert"] is True and state["LAT"]["invert"] is True
    assert state["AP"]["window_width"] > 0 and "window_center" in state["LAT"]


def test_unreadable_with_a_reason(qtbot, study, modal, settle):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)

    def choose(dialog):
        dialog.options[1].click()
        dialog.accept()

    modal(lambda: qtbot.keyClick(window.panel, Qt.Key.Key_U), choose)
    settle()
    (rating,) = _ratings(study)
    assert rating.total is None and rating.unreadable_reason == "Fracture region not visible or cut off"


def test_closing_mid_case_and_reopening_resumes(qtbot, study):
    window = _open(qtbot, study)
    _score_case(qtbot, window)
    _wait_images(qtbot, window)
    qtbot.keyClicks(window.panel, "333")  # half a case, then the rater closes the window
    window.close()
    again = _open(qtbot, study)
    assert again.case_label.text() == "Case 2 of 4"
    assert again.panel.values == {}
    assert len(_ratings(study)) == 1


def test_going_back_changes_the_previous_case_as_a_new_version(qtbot, study, modal, settle):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    _score_case(qtbot, window, "2222222222")
    _wait_images(qtbot, window)

    def type_pin(dialog):  # going back shows submitted scores: the PIN is asked again
        qtbot.keyClicks(dialog.pin, RATER_PIN)
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)

    modal(lambda: qtbot.keyClick(window.panel, Qt.Key.Key_Backspace), type_pin)
    settle()
    assert window.case.correcting and window.case_label.text() == "Case 1 of 4"
    assert window.panel.total == 20
    qtbot.keyClicks(window.panel, "3")

    def give_reason(dialog):
        dialog.text.setText("misjudged the medial cortex")
        dialog.accept()

    modal(lambda: qtbot.keyClick(window.panel, Qt.Key.Key_Return), give_reason)
    settle()
    with study.db.read() as s:
        versions = sorted((r.version, r.total, r.change_reason) for r in s.scalars(select(models.Rating)))
    assert (1, 20, None) in versions and (2, 21, "misjudged the medial cortex") in versions
    assert window.case_label.text() == "Case 2 of 4" and not window.case.correcting


def _texts(root):
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        found += [widget.windowTitle(), widget.toolTip(), widget.statusTip(), widget.whatsThis(), widget.accessibleName()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append(widget.text())
        if isinstance(widget, QLineEdit):
            found += [widget.text(), widget.placeholderText()]
    return [t for t in found if t]


def test_no_identifier_time_point_or_file_name_anywhere(qtbot, study, small_study):
    window = _open(qtbot, study)
    with study.db.read() as s:
        secrets = set()
        for case in queries.cases(s):
            secrets |= {case.code, case.patient.code, case.timepoint.key, case.timepoint.label}
            for image in case.images:
                secrets |= {image.storage_key, Path(image.storage_key).name, Path(image.storage_key).stem}
    secrets |= {p.name for p in (small_study.parent / "source").glob("*")} if (small_study.parent / "source").exists() else set()
    secrets |= {"P001", "P002", "P003", "day1", "month1", "Day 1", "Month 1"}
    for step in range(3):  # look at several cases, including after the view commands
        texts = _texts(window)
        for secret in secrets:
            hits = [t for t in texts if secret and secret.lower() in t.lower()]
            assert not hits, f"{secret!r} shown in {hits}"
        window.command("preset")
        _score_case(qtbot, window)
        _wait_images(qtbot, window)


def test_screenshot_of_the_main_window_has_real_content(qtbot, study, tmp_path):
    from rushrater.gui.qt import QImage

    window = _open(qtbot, study)
    qtbot.keyClicks(window.panel, "2213")
    path = tmp_path / "workstation.png"
    assert window.grab().save(str(path))
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width()]
    assert image.width() >= 1200 and image.height() >= 800
    assert pixels.std() > 20  # not a blank or uniform window
    # the AP viewer shows the radiograph (many grey levels), not an empty black box
    ap = window.viewers["AP"]
    top_left = ap.mapTo(window, ap.rect().topLeft())
    region = pixels[top_left.y() + 60 : top_left.y() + ap.height() - 60, top_left.x() + 40 : top_left.x() + ap.width() - 40]
    assert len(np.unique(region)) > 50


KILLED_SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from rushrater.gui.app import application
    from rushrater.gui.workstation import WorkstationWindow
    from rushrater.gui.qt import QTimer
    from rushrater.services.reading import ReadingSession
    from rushrater.services.study import open_study

    app = application()
    session = ReadingSession.login(open_study(Path(sys.argv[1])), sys.argv[2], new_pin=sys.argv[3])
    window = WorkstationWindow(session)
    window.show()
    submitted = 0

    def acknowledged(_case):  # the window says so once the rating is committed
        global submitted
        submitted += 1
        print("SUBMITTED", submitted, flush=True)

    window.submitted.connect(acknowledged)

    def step():
        if window.case is None or window.viewers["AP"].prepared is None or window.busy:
            QTimer.singleShot(20, step)
            return
        if submitted >= 2:
            for item in window.panel.keys[:4]:  # half of the next case, then the process is killed
                window.panel.set_value(item, 3)
            print("WAITING", flush=True)
            return
        for item in window.panel.keys:
            window.panel.set_value(item, 2)
        window.submit()
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    app.exec()
    """
)


def test_killed_mid_session_then_reopened_keeps_every_submitted_rating_once(qtbot, small_study, tmp_path):
    script = tmp_path / "reader.py"
    script.write_text(KILLED_SCRIPT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    process = subprocess.Popen(
        [sys.executable, str(script), str(small_study), RATER, RATER_PIN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )
    acknowledged = 0
    try:
        for line in process.stdout:
            if line.startswith("SUBMITTED"):
                acknowledged = int(line.split()[1])
            if line.startswith("WAITING"):
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert acknowledged == 2
    study = open_study(small_study)
    try:
        ratings = _ratings(study)
        assert len(ratings) == 2 and len({(r.case_id, r.read_number) for r in ratings}) == 2
        assert all(r.total == 20 for r in ratings)
        from rushrater.gui.workstation import WorkstationWindow

        window = WorkstationWindow(login_rater(study, RATER))
        qtbot.addWidget(window)
        window.show()
        _wait_images(qtbot, window)
        assert window.case_label.text() == "Case 3 of 4"
        window.close()
    finally:
        study.close()


def test_login_asks_for_the_pin_and_refuses_a_wrong_one(qtbot, small_study, settings, settle):
    from rushrater.gui.workstation import LoginDialog
    from rushrater.services.reading import set_rater_pin

    with open_study(small_study) as study:
        set_rater_pin(study, RATER, "2468")
    dialog = LoginDialog(settings, study_path=small_study, rater=RATER)
    qtbot.addWidget(dialog)
    dialog.show()
    settle()  # the study opens on the operation thread
    assert dialog.raters.currentItem().text().startswith("Dr Alan Turing")
    assert dialog.pin.isVisible()
    dialog.pin.setText("1111")
    dialog.accept()
    settle()
    assert dialog.session is None and dialog.problem.isVisible() and "PIN" in dialog.problem.text()
    dialog.pin.setText("2468")
    dialog.accept()
    settle()
    assert dialog.session is not None and dialog.session.rater_code == RATER
    dialog.session.study.close()


def test_the_start_window_opens_the_workstation(qtbot, window, small_study, modal, settle):
    assert window.open_study_path(small_study)
    settle()  # the study opens off the GUI thread
    window.select_rater(RATER)

    def log_in(dialog):
        settle()  # the study opens on the operation thread
        assert dialog.raters.currentItem().data(0x0100) == RATER  # Qt.UserRole
        assert dialog.pin_again.isVisible()  # no PIN yet: the rater chooses one now
        dialog.pin.setText(RATER_PIN)
        dialog.pin_again.setText(RATER_PIN)
        dialog.accept()
        settle()  # the dialog closes once the login succeeded

    modal(window.read_action.trigger, log_in)
    reader = window.workstations[-1]
    _wait_images(qtbot, reader)
    assert reader.case_label.text() == "Case 1 of 4"
    reader.close()


def test_window_level_presets_link_swap_and_magnifier(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    ap, lat = window.viewers["AP"], window.viewers["LAT"]
    before = (ap.window, lat.window)
    ap._on_window_drag(40.0, 20.0, False)  # a right-button drag on the AP view
    assert ap.window.width > before[0].width and lat.window.width > before[1].width  # linked
    qtbot.keyClick(window.panel, Qt.Key.Key_L)  # unlink
    lat_window = lat.window
    ap._on_window_drag(-40.0, 0.0, False)
    assert lat.window == lat_window
    shown = ap.item.image.copy()
    qtbot.keyClick(window.panel, Qt.Key.Key_I)
    assert np.array_equal(ap.item.image, 255 - shown)  # inversion is exact
    qtbot.keyClick(window.panel, Qt.Key.Key_B)
    assert ap.preset_key == "bone" and lat.preset_key == "bone"
    qtbot.keyClick(window.panel, Qt.Key.Key_R)
    assert ap.preset_key == ap.prepared.default_preset.key and not ap.invert
    qtbot.keyClick(window.panel, Qt.Key.Key_S)
    assert window.viewer_layout.indexOf(lat) < window.viewer_layout.indexOf(ap)
    qtbot.keyClick(window.panel, Qt.Key.Key_V)
    assert lat.isVisible() and not ap.isVisible()
    qtbot.keyClick(window.panel, Qt.Key.Key_Escape)
    assert ap.isVisible() and lat.isVisible()
    qtbot.keyClick(window.panel, Qt.Key.Key_M)
    assert ap.magnifier_on
    centre = ap.item.mapToScene(ap.item.boundingRect().center())
    ap._on_mouse_moved(centre)
    assert ap.loupe.isVisible() and not ap.loupe.pixmap().isNull()
    # the keys did not score anything, and the form still has the keyboard
    assert window.panel.values == {} and window.panel.hasFocus() in (True, False)
    state = window.viewer_state()
    assert state["swapped"] is True and state["linked"] is False


def test_a_blank_screen_between_cases_when_the_study_asks(qtbot, study):
    from rushrater.services.settings import update_settings

    update_settings(study, {"blank_screen_ms": 300, "edit_policy": "none"}, actor="test")
    window = _open(qtbot, study)
    assert not window.back_button.isVisible()  # no going back under this policy
    _score_case(qtbot, window)
    assert window.pages.currentWidget() is window.blank
    assert window.submit() is False  # nothing to submit while the screen is blank
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.viewers_page, timeout=5_000)
    _wait_images(qtbot, window)
    assert window.case_label.text() == "Case 2 of 4" and len(_ratings(study)) == 1


def test_all_done_then_backspace_needs_the_raters_own_pin(qtbot, study, modal, message_boxes, settle):
    """Before: on "All done", Backspace showed the last case with its ten scores to whoever was there."""
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    for _ in range(4):
        _wait_images(qtbot, window)
        _score_case(qtbot, window)
    assert window.case is None and window.case_label.text() == "All done"

    def wrong_pin(dialog):
        qtbot.keyClicks(dialog.pin, "0000")
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)

    shown = modal(lambda: qtbot.keyClick(window, Qt.Key.Key_Backspace), wrong_pin)
    settle()
    assert shown["dialog"].windowTitle() == "Change a submitted case"
    assert window.case is None and window.panel.values == {}  # no scores shown
    assert message_boxes and "PIN" in " ".join(message_boxes[-1])
    cancelled = modal(lambda: qtbot.keyClick(window, Qt.Key.Key_Backspace), lambda d: d.reject())
    assert cancelled["dialog"] is not None and window.case is None


def test_login_asks_a_rater_without_a_pin_to_choose_one(qtbot, small_study, settings, settle):
    from rushrater.gui.qt import Qt
    from rushrater.gui.workstation import LoginDialog

    dialog = LoginDialog(settings, study_path=small_study, rater=RATER)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle()  # the study opens on the operation thread
    # Names and groups only: no other rater's progress on a shared workstation.
    texts = [dialog.raters.item(i).text() for i in range(dialog.raters.count())]
    assert texts == ["Dr Ada Lovelace   ·   resident", "Dr Alan Turing   ·   attending"]
    assert dialog.pin.isVisible() and dialog.pin_again.isVisible() and "no PIN yet" in dialog.pin_label.text()
    qtbot.keyClicks(dialog.pin, "1234")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)  # on to the second field
    qtbot.keyClicks(dialog.pin_again, "1235")
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
    assert dialog.session is None and "differ" in dialog.problem.text()
    if os.environ.get("RUSHRATER_SHOTS"):
        dialog.grab().save(str(Path(os.environ["RUSHRATER_SHOTS"]) / "login-choose-pin.png"))
    qtbot.keyClicks(dialog.pin_again, "1234")
    qtbot.keyClick(dialog.pin_again, Qt.Key.Key_Return)
    settle()
    assert dialog.session is not None and dialog.session.rater_code == RATER
    dialog.session.study.close()
    with open_study(small_study) as study:
        with pytest.raises(PinError, match="has a PIN"):
            ReadingSession.login(study, RATER)
        assert ReadingSession.login(study, RATER, "1234").rater_code == RATER


def test_a_case_whose_image_failed_offers_only_unreadable(qtbot, small_study, modal, settle):
    """Before: all ten scores could be submitted on a case whose images never loaded."""
    from rushrater.gui.qt import Qt
    from rushrater.gui.workstation import WorkstationWindow
    from rushrater.services.reading import IMAGE_FAILED_REASON, image_load_failures

    with open_study(small_study) as study:
        session = login_rater(study, RATER)
        first = session.current()
        key, _sha = session._files[first.images[1].id]
        study.images.path(key).write_bytes(b"not an image any more")  # the lateral view is damaged
    study = open_study(small_study)
    try:
        window = WorkstationWindow(login_rater(study, RATER))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.images_failed, timeout=10_000)
        settle()  # the failure is reported on the operation thread
        assert not window.submit_button.isEnabled() and not window.panel.isEnabled()
        assert window.failed_note.isVisible() and window.unreadable_button.isEnabled()
        qtbot.keyClicks(window, "2231231123")  # the keys score nothing
        qtbot.keyClick(window, Qt.Key.Key_Return)
        assert window.panel.values == {} and _ratings(study) == []
        if os.environ.get("RUSHRATER_SHOTS"):
            window.grab().save(str(Path(os.environ["RUSHRATER_SHOTS"]) / "workstation-image-failed.png"))
        (failure,) = image_load_failures(study)
        assert failure.rater == RATER and failure.view == "LAT"

        def confirm(dialog):
            assert dialog.options[0].isChecked() and dialog.reason()
            qtbot.keyClick(dialog, Qt.Key.Key_Return)

        modal(lambda: qtbot.keyClick(window, Qt.Key.Key_U), confirm)
        settle()
        (rating,) = _ratings(study)
        assert rating.total is None and rating.unreadable_reason == IMAGE_FAILED_REASON
        assert window.case_label.text() == "Case 2 of 4" and window.panel.isEnabled()
        window.close()
    finally:
        study.close()


def test_read_with_a_rater_named_goes_straight_in_only_for_an_open_workstation_rater(qtbot, small_study, modal):
    from rushrater.gui.workstation import LoginDialog, open_workstation
    from rushrater.services.raters import set_open_workstation

    # A rater without a PIN is not let straight in by name: the login asks them to choose one.
    shown = modal(lambda: open_workstation(study_path=small_study, rater=RATER), lambda d: d.reject())
    assert isinstance(shown["dialog"], LoginDialog)
    with open_study(small_study) as study:
        set_open_workstation(study, RATER, True, actor="test")
    window = open_workstation(study_path=small_study, rater=RATER)
    assert window is not None and window.session.rater_code == RATER
    _wait_images(qtbot, window)
    window.close()


def test_a_failed_submit_keeps_the_scores_on_screen_and_shows_why(qtbot, study, message_boxes, settle):
    from rushrater.domain.errors import RushRaterError

    window = _open(qtbot, study)
    real = window.session.submit
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RushRaterError("the database is locked", fix="try again")
        return real(*args, **kwargs)

    window.session.submit = failing_once
    _score_case(qtbot, window, "2222222222")
    settle()
    assert message_boxes and message_boxes[-1][0] == "The score was not saved"
    assert "locked" in message_boxes[-1][1]
    assert window.case_label.text() == "Case 1 of 4" and len(window.panel.values) == 10  # nothing lost
    assert window.submit_button.isEnabled() and _ratings(study) == []
    assert window.submit()  # the rater submits the same scores again
    settle()
    assert [r.total for r in _ratings(study)] == [20] and window.case_label.text() == "Case 2 of 4"


def test_submit_is_off_while_its_save_runs_and_the_next_case_waits_for_the_commit(qtbot, study, settle):
    import threading

    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    gate = threading.Event()
    real = window.session.submit

    def slow(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    window.session.submit = slow
    try:
        qtbot.keyClicks(window.panel, "2222222222")
        qtbot.keyClick(window.panel, Qt.Key.Key_Return)
        assert window.saving and not window.submit_button.isEnabled()
        qtbot.keyClick(window.panel, Qt.Key.Key_Return)  # a second Enter does not submit twice
        assert window.submit() is False
        qtbot.wait(100)
        assert window.case_label.text() == "Case 1 of 4"  # not before the commit
    finally:
        gate.set()
    settle()
    assert len(_ratings(study)) == 1 and window.case_label.text() == "Case 2 of 4"
    assert window.submit_button.isEnabled()


def test_closing_while_a_submit_runs_keeps_the_score(qtbot, study):
    import threading

    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    gate = threading.Event()
    real = window.session.submit

    def slow(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    window.session.submit = slow
    qtbot.keyClicks(window.panel, "2222222222")
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    assert window.saving
    threading.Timer(0.3, gate.set).start()
    window.close()  # waits for the commit before the window (and then the study) goes
    assert [r.total for r in _ratings(study)] == [20]
    assert not window.isVisible()
