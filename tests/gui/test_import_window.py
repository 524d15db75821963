"""The import window: a folder import on a worker thread with progress and report, assigning an image
that needs it, and masking a drawn rectangle."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the import window needs PySide6")
pytest.importorskip("pyqtgraph", reason="the import window needs pyqtgraph")

import datetime  # noqa: E402

import numpy as np  # noqa: E402

from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services import staging  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402


def _export(folder, with_unclear: bool = True):
    rng = np.random.default_rng(4)
    for view in ("AP", "LAT"):
        write_dicom_radiograph(folder / f"{view}.dcm", rng.integers(200, 3000, (120, 90), dtype=np.uint16),
                               patient_id="MRN8080", patient_name="ESPERSEN^TOVE", view=view,
                               study_date=datetime.date(2025, 9, 9))
    if with_unclear:
        import pydicom

        path = folder / "unclear.dcm"
        write_dicom_radiograph(path, rng.integers(200, 3000, (120, 90), dtype=np.uint16), patient_id="MRN8080",
                               patient_name="ESPERSEN^TOVE", view="AP", study_date=datetime.date(2025, 10, 10))
        ds = pydicom.dcmread(path)
        ds.ViewPosition = ""
        ds.SeriesDescription = "PELVIS"
        ds.save_as(path)


@pytest.fixture
def import_window(qtbot, small_study, tmp_path):
    from rushrater.gui.importing import ImportWindow

    study = open_study(small_study)
    win = ImportWindow(study)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.wait_for_import()
    win.close()
    study.close()


def test_import_assign_and_redact_in_the_window(import_window, qtbot, tmp_path, message_boxes, settle):
    win = import_window
    export = tmp_path / "export"
    export.mkdir()
    _export(export)
    win.add_source(export)
    win.key_file.setText(str(tmp_path / "secure" / "key.csv"))
    win.import_button.click()
    assert win.busy() and not win.import_button.isEnabled()  # on the operation thread; one import at a time
    qtbot.waitUntil(lambda: not win.busy(), timeout=60_000)
    settle(60_000)  # and the image list it reloads
    assert message_boxes == []
    assert win.report_table.rowCount() == 3
    results = sorted(win.report_table.item(r, 2).text() for r in range(3))
    assert results == ["imported", "imported", "needs assignment"]
    assert "2 imported" in win.report_summary.text() and "1 need assignment" in win.report_summary.text()
    assert win.progress.value() == win.progress.maximum() == 3
    win.grab().save(str(tmp_path / "import-report.png"))

    # The unclear image is first in the images list; assign it as the month-1 AP.
    win.tabs.setCurrentIndex(1)
    win.select_row(0)
    settle()
    assert win.assign_button.isEnabled()
    win.timepoint_box.setCurrentText("month1")
    win.view_box.setCurrentIndex(win.view_box.findData("AP"))
    patient = win.patient_box.currentText()
    assert patient  # the import kept its patient code
    win.assign_button.click()
    settle()
    assert message_boxes == []
    assert staging.list_staged(win.study) == []

    # Draw a rectangle over "burned-in text" on the first image and mask it.
    win.select_row(0)
    settle()  # its pixels, loaded off the GUI thread
    win.preview.add_rectangle()
    drawn = win.preview.rectangles()
    assert len(drawn) == 1
    win.grab().save(str(tmp_path / "import-redact.png"))
    win.mask_image_button.click()
    settle()
    assert [title for title, *_ in message_boxes] == ["Mask permanently"]  # asked first (answered Mask)
    placed = {p.image_id: p for p in staging.list_placed(win.study)}
    assert any(p.redactions == drawn for p in placed.values())


def test_import_without_key_file_explains_what_to_do(import_window, tmp_path, message_boxes):
    export = tmp_path / "export"
    export.mkdir()
    _export(export, with_unclear=False)
    import_window.add_source(export)
    import_window.import_button.click()
    assert message_boxes and "key file" in (message_boxes[0][1] + message_boxes[0][2]).lower()
    assert not import_window.busy()


def test_closing_the_window_during_an_import_lets_the_import_finish(import_window, tmp_path, message_boxes):
    """An import is one transaction on the operation thread: closing the window waits for it and
    for what its result starts, and nothing arrives at a closed window afterwards."""
    win = import_window
    export = tmp_path / "export"
    export.mkdir()
    _export(export)
    win.add_source(export)
    win.key_file.setText(str(tmp_path / "secure" / "key.csv"))
    win.import_button.click()
    assert win.busy()
    win.close()
    assert not win.busy() and win.last_report is not None
    assert (win.last_report.imported, win.last_report.needs_assignment) == (2, 1)
    assert win.images_table.rowCount() == 9 + 3  # the lists it reloaded before it closed
    assert message_boxes == []


def test_the_study_menu_opens_the_import_window(window, small_study, qtbot, settle):
    assert window.open_study_path(small_study)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    settle()
    assert window.import_action.isEnabled()
    window.import_action.trigger()
    assert window.import_window.isVisible()
    settle()
    window.import_window.close()


def test_an_import_in_the_import_window_updates_the_start_window(window, small_study, tmp_path, qtbot, settle,
                                                                  message_boxes):
    """Issue 13: the start window's counts follow an import made in the import window (both windows
    share the study; the import's change reaches every listener), without a Refresh."""
    window.open_study_path(small_study)
    settle()
    tiles = window.study_page
    assert (tiles.patients_tile.value_label.text(), tiles.images_tile.value_label.text()) == ("3", "9")
    window.import_action.trigger()
    win = window.import_window
    export = tmp_path / "export"
    export.mkdir()
    _export(export, with_unclear=False)  # an AP and a lateral of a new patient
    win.add_source(export)
    win.key_file.setText(str(tmp_path / "secure" / "key.csv"))
    win.import_button.click()
    qtbot.waitUntil(lambda: tiles.images_tile.value_label.text() == "11", timeout=60_000)
    settle()
    assert message_boxes == []
    assert tiles.patients_tile.value_label.text() == "4"
    win.close()
