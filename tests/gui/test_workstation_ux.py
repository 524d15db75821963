"""The workstation as a rater at a shared or kiosk workstation expects it (issue 17), keyboard only:
pause and log out hide the images, Ctrl+Q quits without losing anything, the missing-items state
keeps the current item visible and its list current, the correction banner goes after Esc, dialogs
are readable, the RUSH subtotals are shown, and the magnifier leaves no stale lens.

Screenshots go to $RUSHRATER_SCREENSHOTS when it is set."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the reading workstation needs PySide6")

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from factories import RATER_PIN, login_rater  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402
from rushrater.storage import queries  # noqa: E402

RATER = "R02"


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


def _ctrl(qtbot, widget, key):
    from rushrater.gui.qt import Qt

    qtbot.keyClick(widget, key, Qt.KeyboardModifier.ControlModifier)


def _shot(widget, name: str) -> None:
    folder = os.environ.get("RUSHRATER_SCREENSHOTS")
    if folder:
        assert widget.grab().save(str(Path(folder) / name))


def _ratings(study):
    with study.db.read() as s:
        rater = queries.rater_by_code_or_name(s, RATER)
        return [r for r in queries.current_ratings(s) if r.rater_id == rater.id]


def test_pause_hides_images_and_scores_stops_the_clock_and_space_resumes(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    qtbot.keyClicks(window.panel, "22")
    window.clock.set_focused(True)  # as if the window were in front (offscreen it never is)
    _ctrl(qtbot, window.panel, Qt.Key.Key_P)
    assert window.paused and window.pages.currentWidget() is window.paused_page
    assert not window.viewers["AP"].isVisible() and not window.side_widget.isVisible()
    assert "Space" in window.paused_page.text() and window.pause_button.isChecked()
    _shot(window, "workstation-paused-en.png")
    frozen = window.clock.seconds()
    qtbot.wait(300)
    assert window.clock.seconds() == pytest.approx(frozen, abs=0.02)  # time stopped
    qtbot.keyClicks(window.focusWidget() or window, "33")  # keys while paused score nothing
    assert len(window.panel.values) == 2
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Space)
    assert not window.paused and window.viewers["AP"].isVisible() and window.side_widget.isVisible()
    assert not window.pause_action.isChecked() and len(window.panel.values) == 2
    qtbot.keyClicks(window.panel, "3")  # scoring goes on where it was
    assert len(window.panel.values) == 3


def test_ctrl_q_asks_about_an_unsubmitted_case_then_quits_keeping_what_was_submitted(qtbot, study, modal):
    from rushrater.gui.qt import QMessageBox, Qt

    window = _open(qtbot, study)
    qtbot.keyClicks(window.panel, "2231231123")
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    _wait_images(qtbot, window)
    qtbot.keyClicks(window.panel, "22")  # the second case, not submitted

    def keep_reading(box: QMessageBox):
        box.button(QMessageBox.StandardButton.NoButton)  # noqa: B018 (custom buttons only)
        [b for b in box.buttons() if b.text() == "Keep reading"][0].click()

    shown = modal(lambda: _ctrl(qtbot, window.panel, Qt.Key.Key_Q), keep_reading)
    assert isinstance(shown["dialog"], QMessageBox) and window.isVisible()
    assert len(window.panel.values) == 2  # nothing lost by asking

    def leave(box: QMessageBox):
        [b for b in box.buttons() if b.text() == "Leave without submitting"][0].click()

    modal(lambda: _ctrl(qtbot, window.panel, Qt.Key.Key_Q), leave)
    assert not window.isVisible()
    assert len(_ratings(study)) == 1  # the submitted case is stored, the unsubmitted one is not


def test_ctrl_w_logs_out_hides_the_case_and_brings_back_the_login(qtbot, small_study, modal, settle):
    from rushrater.gui.qt import QApplication, Qt
    from rushrater.gui.workstation import LoginDialog, WorkstationWindow, open_workstation
    from rushrater.services.raters import set_open_workstation

    with open_study(small_study) as study:
        set_open_workstation(study, RATER, True, actor="test")
    ended = []
    window = open_workstation(study_path=small_study, rater=RATER, on_end=lambda: ended.append("end"))
    _wait_images(qtbot, window)
    seen = {}
    window.ended.connect(lambda logged_out: seen.update(
        logged_out=logged_out, page=window.pages.currentWidget() is window.blank, values=dict(window.panel.values)))

    def log_in_as_the_next_rater(dialog):
        seen["dialog"] = dialog
        settle()  # the study opens on the operation thread
        dialog.accept()
        settle()  # the dialog closes once the login succeeded

    def log_out():
        _ctrl(qtbot, window.panel, Qt.Key.Key_W)
        qtbot.wait(300)  # the login comes back once the window has gone

    shown = modal(log_out, log_in_as_the_next_rater)
    assert isinstance(shown["dialog"], LoginDialog)
    assert seen["logged_out"] is True and seen["page"] and seen["values"] == {}
    again = [w for w in QApplication.topLevelWidgets() if isinstance(w, WorkstationWindow) and w.isVisible()]
    assert len(again) == 1 and again[0] is not window
    _wait_images(qtbot, again[0])
    assert ended == []
    again[0].quit()
    assert ended == ["end"]  # leaving for good ends `rushrater read`


def _rgb(image, x, y):
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def test_after_submit_with_items_missing_the_current_item_stands_out_and_the_list_follows(qtbot, study):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    qtbot.keyClicks(window.panel, "22")
    qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    assert window.missing_note.isVisible() and "Still to score (8)" in window.missing_note.text()
    keys = window.panel.keys
    current, other = window.panel.rows[keys[2]], window.panel.rows[keys[3]]
    assert current.current and current.property("missing") and other.property("missing")
    a, b = current.grab().toImage(), other.grab().toImage()
    edge_current, edge_other = _rgb(a, 1, a.height() // 2), _rgb(b, 1, b.height() // 2)
    assert edge_current != edge_other  # the current item's outline is not the amber of the others
    assert edge_current[2] > edge_current[0] and edge_other[0] > edge_other[2]  # blue vs amber
    qtbot.keyClicks(window.panel, "3")
    assert "Still to score (7)" in window.missing_note.text()
    # The four RUSH subtotals beside the total, as the sheet has them
    bridging = window.subtotal_labels["cortical_bridging"].text()
    assert bridging.endswith("/ 12") and bridging != "– / 12"
    assert window.subtotal_labels["trabecular_fracture_line"].text() == "– / 3"
    _shot(window, "workstation-missing-items-en.png")
    qtbot.keyClicks(window.panel, "1111111")
    assert not window.missing_note.isVisible()


def test_the_subtotals_follow_the_rubric_components(qtbot, study):
    window = _open(qtbot, study)
    digits = "2231231123"
    qtbot.keyClicks(window.panel, digits)
    values = dict(zip(window.panel.keys, map(int, digits)))
    assert window.panel.values == values
    score = study.rubric.score(values)
    for component in study.rubric.components:
        high = study.rubric.component_range(component.key)[1]
        assert window.subtotal_labels[component.key].text() == f"{score.subtotals[component.key]} / {high}"
    assert window.total_label.text() == f"Total {score.total}"


def test_the_changing_banner_goes_away_after_esc(qtbot, study, modal, settle):
    from rushrater.gui.qt import Qt

    window = _open(qtbot, study)
    for _ in range(4):
        _wait_images(qtbot, window)
        qtbot.keyClicks(window.panel, "2231231123")
        qtbot.keyClick(window.panel, Qt.Key.Key_Return)
    settle()
    assert window.case is None

    def pin(dialog):
        qtbot.keyClicks(dialog.pin, RATER_PIN)
        qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)

    modal(lambda: qtbot.keyClick(window, Qt.Key.Key_Backspace), pin)
    settle()
    assert window.case is not None and window.case.correcting and window.correcting_label.isVisible()
    qtbot.keyClick(window.panel, Qt.Key.Key_Escape)
    settle()
    assert window.case is None and not window.correcting_label.isVisible()


def _contrast(image) -> float:
    """WCAG contrast ratio between the commonest colour (the background) and the one farthest from it."""
    from collections import Counter

    def luminance(rgb):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(v) for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    pixels = Counter(_rgb(image, x, y) for x in range(image.width()) for y in range(image.height()))
    background = luminance(pixels.most_common(1)[0][0])
    text = max((luminance(p) for p in pixels), key=lambda lum: abs(lum - background))
    light, dark = max(background, text), min(background, text)
    return (light + 0.05) / (dark + 0.05)


def test_the_unreadable_dialogs_prompt_is_readable(qtbot, study, modal):
    from rushrater.gui.qt import QLabel, Qt

    window = _open(qtbot, study)
    found = {}

    def measure(dialog):
        qtbot.waitExposed(dialog)
        label = dialog.findChildren(QLabel)[0]
        found["prompt"] = label.text()
        found["contrast"] = _contrast(dialog.grab(label.geometry()).toImage())
        _shot(dialog, "workstation-unreadable-dialog-en.png")
        dialog.reject()

    modal(lambda: qtbot.keyClick(window.panel, Qt.Key.Key_U), measure)
    assert found["prompt"].startswith("Why can this case not be scored?")
    assert found["contrast"] >= 4.5, found  # WCAG AA for body text


def test_the_magnifier_leaves_no_lens_on_the_other_view_and_one_view_shows_its_state(qtbot, study):
    from rushrater.gui.qt import QEvent, QApplication, Qt

    window = _open(qtbot, study)
    ap, lat = window.viewers["AP"], window.viewers["LAT"]
    qtbot.keyClick(window.panel, Qt.Key.Key_M)
    ap._on_mouse_moved(ap.item.mapToScene(ap.item.boundingRect().center()))
    assert ap.loupe.isVisible()
    lat._on_mouse_moved(lat.item.mapToScene(lat.item.boundingRect().center()))
    assert lat.loupe.isVisible() and not ap.loupe.isVisible()  # one lens, where the pointer is
    QApplication.sendEvent(lat.view.viewport(), QEvent(QEvent.Type.Leave))
    assert not lat.loupe.isVisible()
    single = window.tool_buttons["single"]
    assert not single.isChecked()
    qtbot.keyClick(window.panel, Qt.Key.Key_V)
    assert single.isChecked() and not lat.isVisible()
    qtbot.keyClick(window.panel, Qt.Key.Key_V)
    assert single.isChecked() and not ap.isVisible()
    qtbot.keyClick(window.panel, Qt.Key.Key_V)
    assert not single.isChecked() and ap.isVisible() and lat.isVisible()
