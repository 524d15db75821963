"""File ▸ Open database study…: a study on the local PostgreSQL server, opened by its address."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the GUI tests need PySide6 (pip install PySide6-Essentials)")

import pgserver
from rushrater.gui.start.database_dialog import OpenDatabaseDialog
from rushrater.services.multisite import migrate_study

pytestmark = pytest.mark.skipif(pgserver.server_problem() is not None, reason=str(pgserver.server_problem()))


@pytest.fixture
def server_study(small_study):
    url = pgserver.create_database()
    migrate_study(str(small_study), url, actor="test")
    yield url
    pgserver.drop_database(url.rsplit("/", 1)[1])


def test_open_database_study_from_the_file_menu(window, server_study, modal, tmp_path, settle):
    def handle(dialog: OpenDatabaseDialog) -> None:
        dialog.url_edit.setText(server_study.replace("postgresql+psycopg://", "postgresql://"))
        dialog.grab().save(str(tmp_path / "open-database.png"))
        dialog.accept()

    result = modal(window.open_database_action.trigger, handle)
    assert result["error"] is None and not result["left_open"]
    settle()  # opened off the GUI thread
    assert window.study is not None and window.study.url is not None
    assert window.study.title == "GUI test study"
    assert window.study.images.keys()  # the images come from the server


def test_an_address_that_is_not_postgresql_is_refused_in_the_dialog(qtbot):
    dialog = OpenDatabaseDialog()
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("/home/me/study")
    dialog.accept()
    assert dialog.result() == 0 and not dialog.error_label.isHidden()
    assert "not a PostgreSQL study address" in dialog.error_label.text()


def test_an_unreachable_server_shows_the_cause(window, message_boxes, settle):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window.open_study_path(f"postgresql+psycopg://postgres@127.0.0.1:{port}/study")
    settle()
    assert window.study is None
    assert any(f"127.0.0.1:{port}" in " ".join(box) for box in message_boxes)
