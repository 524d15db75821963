"""Desktop integration in the app: the language override menu, study links opened from the start
window and from a macOS file-open event."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the desktop integration tests need PySide6")

pytestmark = pytest.mark.gui


def test_the_language_menu_keeps_the_override_in_the_preferences(window):
    from rushrater.services.preferences import PreferenceStore

    codes = {action.data(): action for action in window.language_menu.actions()}
    assert set(codes) == {"", "en", "zh_CN"} and codes[""].isChecked()
    codes["zh_CN"].trigger()
    assert PreferenceStore().load().language == "zh_CN"
    assert "next time" in window.statusBar().currentMessage()


def test_a_double_clicked_study_link_opens_the_study(window, small_study, message_boxes, settle):
    from rushrater.services.study_link import write_study_link

    link = write_study_link(small_study)
    assert window.open_study_path(link)  # started
    settle()
    assert window.study.root.resolve() == small_study.resolve()
    assert message_boxes == []


def test_a_file_open_event_opens_the_linked_study(window, small_study, message_boxes, settle):
    # macOS delivers a study link double-clicked in Finder as a file-open event.
    from PySide6.QtGui import QFileOpenEvent

    from rushrater.gui.app import _FileOpenFilter
    from rushrater.services.study_link import write_study_link

    link = write_study_link(small_study)
    assert _FileOpenFilter(window).eventFilter(None, QFileOpenEvent(str(link)))
    settle()
    assert window.study.root.resolve() == small_study.resolve()
    assert message_boxes == []
