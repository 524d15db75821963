"""The import window from the keyboard (issue 17): no file count before an import, Add files…
beside Add folder…, Assign confirms and moves to the next image to assign, and a permanent mask is
asked about first and shows in the Masked column."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the import window needs PySide6")
pytest.importorskip("pyqtgraph", reason="the import window needs pyqtgraph")

import datetime  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from rushrater.imaging.writers import write_dicom_radiograph  # noqa: E402
from rushrater.services import staging  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402

pytestmark = pytest.mark.gui


def _export_two_unclear(folder: Path) -> list[Path]:
    """An AP and a lateral, and two images without a view (they need assignment)."""
    import pydicom

    rng = np.random.default_rng(5)
    files = []
    for name, view, day in (("AP", "AP", 9), ("LAT", "LAT", 9), ("u1", "AP", 10), ("u2", "LAT", 10)):
        path = folder / f"{name}.dcm"
        write_dicom_radiograph(path, rng.integers(200, 3000, (120, 90), dtype=np.uint16), patient_id="MRN8081",
                               patient_name="ESPERSEN^TOVE", view=view, study_date=datetime.date(2025, 9, day))
        if name.startswith("u"):
            ds = pydicom.dcmread(path)
            ds.ViewPosition = ""
            ds.SeriesDescription = "PELVIS"
            ds.save_as(path)
        files.append(path)
    return files


@pytest.fixture
def import_window(qtbot, small_study):
    from rushrater.gui.importing import ImportWindow

    study = open_study(small_study)
    win = ImportWindow(study)
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    yield win
    win.wait_for_import()
    win.close()
    study.close()


def _press(qtbot, widget, key, modifier) -> None:
    """A mnemonic or shortcut press: a button's shortcut clicks it through animateClick (~100 ms later)."""
    qtbot.keyClick(widget, key, modifier)
    qtbot.wait(300)


def _shot(win, name: str) -> None:
    folder = os.environ.get("RUSHRATER_SCREENSHOTS")
    if folder:
        win.grab().save(str(Path(folder) / name))


def test_import_window_from_the_keyboard(import_window, qtbot, tmp_path, monkeypatch, modal, settle):
    from rushrater.gui.qt import QFileDialog, Qt

    win = import_window
    alt = Qt.KeyboardModifier.AltModifier
    assert not win.progress.isTextVisible()  # no "0 of 100 files" before anything is chosen
    assert "0 of" not in win.progress.text() or not win.progress.isTextVisible()

    export = tmp_path / "export"
    export.mkdir()
    files = _export_two_unclear(export)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    _press(qtbot, win, Qt.Key.Key_L, alt)  # Add fi&les…
    assert [win.sources.item(i).text() for i in range(win.sources.count())] == [str(f) for f in files]
    win.key_file.setText(str(tmp_path / "secure" / "key.csv"))
    _press(qtbot, win, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not win.busy(), timeout=60_000)
    settle(60_000)
    win.activateWindow()  # the import's progress dialog had the focus; offscreen Qt gives none back
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    assert win.progress.isTextVisible() and win.progress.text() == "4 of 4 files"
    assert win.tabs.currentIndex() == 1  # images to assign: the window goes there

    pending = [entry.item for kind, entry in win.rows if kind == "staged"]
    assert len(pending) == 2
    win.select_row(0)
    settle()
    win.timepoint_box.setCurrentText("month1")
    win.view_box.setCurrentIndex(win.view_box.findData("AP"))
    _press(qtbot, win, Qt.Key.Key_A, alt)  # &Assign
    settle()
    assert f"Item {pending[0]} assigned" in win.progress_label.text()
    kind, entry = win.selected()
    assert kind == "staged" and entry.item == pending[1]  # the next image to assign is selected
    _shot(win, "import-window-en.png")

    # Draw a rectangle on it (Ctrl+D) and mask it (Alt+M): asked first; Esc cancels, Mask masks.
    _press(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(win.preview.rectangles()) == 1
    result = modal(lambda: _press(qtbot, win, Qt.Key.Key_M, alt),
                   lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    assert result["dialog"] is not None and not result["left_open"]
    assert staging.list_staged(win.study)[0].redactions == ()
    row = win.rows.index(win.selected())
    assert win.images_table.item(row, 6).text() == ""
    def mask(box):
        box.activateWindow()
        qtbot.waitUntil(box.isActiveWindow, timeout=3000)
        _press(qtbot, box, Qt.Key.Key_M, alt)  # the box's "&Mask" button

    win.activateWindow()  # offscreen Qt gives no window the focus back when a box closes
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    second = modal(lambda: _press(qtbot, win, Qt.Key.Key_M, alt), mask)
    assert second["error"] is None and second["dialog"] is not None, second
    settle()
    assert len(staging.list_staged(win.study)[0].redactions) == 1
    row = next(i for i, (k, e) in enumerate(win.rows) if k == "staged")
    assert win.images_table.item(row, 6).text() == "1"  # the Masked column shows it


def test_the_import_window_shows_no_english_in_chinese(qtbot, qapp, small_study, tmp_path):
    from test_translation_zh_CN import untranslated

    from rushrater.gui.i18n import install_translators, remove_translators
    from rushrater.gui.importing import ImportWindow
    from rushrater.gui.qt import QLocale

    before = QLocale()
    assert install_translators(qapp, "zh_CN")
    study = open_study(small_study)
    try:
        win = ImportWindow(study)
        qtbot.addWidget(win)
        win.resize(1200, 760)
        win.show()
        qtbot.waitExposed(win)
        data = [study.title, "month1", "day1"] + [p.patient for p in staging.list_placed(study)]
        buttons = [win.add_files_button.text(), win.remove_source_button.text()]
        assert untranslated([("button", b) for b in buttons], data) == []
        win.tabs.setCurrentIndex(1)
        win.wait_for_import()
        win.select_row(0)
        win.wait_for_import()
        _shot(win, "import-window-zh_CN.png")
        win.close()
    finally:
        study.close()
        remove_translators(qapp)
        QLocale.setDefault(before)
