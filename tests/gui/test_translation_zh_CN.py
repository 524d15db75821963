"""Simplified Chinese: with the zh_CN translation loaded, no visible string of the reading
workstation, its login dialog or the start window is left in English, the rubric included.

The .ts source is compiled with pyside6-lrelease into a temporary folder, as the build does."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the translation tests need PySide6")

import html  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from factories import login_rater  # noqa: E402
from rushrater.services.study import open_study  # noqa: E402

pytestmark = pytest.mark.gui

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "rushrater_zh_CN.ts"
# Words a Chinese interface keeps in Latin letters: names of the score and statistics, units,
# keyboard keys, and file formats.
ALLOWED = {
    "RUSH", "AP", "ICC", "CI", "PIN", "Qt", "Enter", "Tab", "Backspace", "Esc", "Ctrl", "Shift",
    "PgUp", "PgDn", "F5", "F11", "CSV", "DICOM", "PACS", "VOI", "LUT", "mm", "ms",
    "CT", "T12", "SMI", "VFI", "SFI", "VSR",
    "English",  # the language menu names each language in itself
    "PostgreSQL",  # a product name (File > Open database study…)
    "STL",  # the 3D bone view exports STL (a file format)
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


@pytest.fixture(scope="module")
def zh_qm(tmp_path_factory) -> Path:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed with PySide6")
    folder = tmp_path_factory.mktemp("qm")
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(folder / "rushrater_zh_CN.qm")], check=True)
    return folder


@pytest.fixture
def chinese(qapp, zh_qm):
    from rushrater.gui.i18n import install_translators, remove_translators
    from rushrater.gui.qt import QLocale

    before = QLocale()
    loaded = install_translators(qapp, "zh_CN", zh_qm)
    assert any(t.filePath().endswith("rushrater_zh_CN.qm") for t in loaded)
    yield
    remove_translators(qapp)
    QLocale.setDefault(before)


def _strip(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) for every string a user can see in ``window``: labels, buttons, titles,
    tooltips, placeholders, combo items, tab and header titles, and every menu entry."""
    from rushrater.gui.qt import (
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QMainWindow,
        QMenu,
        QTabWidget,
        QWidget,
    )
    from PySide6.QtWidgets import QAbstractButton

    found: list[tuple[str, str]] = [("window title", window.windowTitle())]
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        name = type(widget).__name__
        if widget.toolTip():
            found.append((f"{name} tooltip", widget.toolTip()))
        if isinstance(widget, QLabel):
            found.append((name, widget.text()))
        elif isinstance(widget, QAbstractButton):
            found.append((name, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        elif isinstance(widget, QLineEdit):
            found.append((f"{name} placeholder", widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            found += [(name, widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QTabWidget):
            found += [(name, widget.tabText(i)) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            from rushrater.gui.qt import QModelIndex, Qt

            root = QModelIndex()
            try:
                columns = model.columnCount(root)
            except TypeError:  # a list model keeps columnCount private: one column
                columns = 1
            for section in range(columns):
                found.append((f"{name} header", str(model.headerData(section, Qt.Orientation.Horizontal) or "")))
                found.append((f"{name} header tip", str(model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) or "")))
            for row in range(model.rowCount(root)):
                for column in range(columns):
                    found.append((f"{name} cell", str(model.index(row, column).data() or "")))
    if isinstance(window, QMainWindow):
        menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
        found += [("menu", a.text()) for a in window.menuBar().actions()]
        while menus:
            menu: QMenu = menus.pop()
            for action in menu.actions():
                found += [("menu entry", action.text()), ("menu tip", action.statusTip() or "")]
                if action.menu() is not None:
                    menus.append(action.menu())
    return [(where, text) for where, text in found if text and text.strip()]


def untranslated(texts: list[tuple[str, str]], data: list[str]) -> list[tuple[str, str]]:
    """The strings that still contain an English word once user data (study title, rater names and
    groups, codes, time points, folders) and the allowed tokens are taken out."""
    bad = []
    for where, text in texts:
        rest = _strip(text)
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, " ")
        words = [w for w in LATIN_WORD.findall(rest) if w not in ALLOWED]
        if words:
            bad.append((where, text))
    return bad


def _study_data(study) -> list[str]:
    from rushrater.services.raters import list_raters

    data = [study.title, str(study.root), str(study.root.parent), "day1", "month1"]  # the small study's time points
    for rater in list_raters(study):
        data += [rater.name, rater.code, rater.group]
    return data


def _show(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)


def test_the_workstation_shows_no_english_in_chinese(qtbot, chinese, small_study, tmp_path):
    from rushrater.gui.workstation import WorkstationWindow

    study = open_study(small_study)
    try:
        window = WorkstationWindow(login_rater(study, "R02"))
        _show(qtbot, window)
        qtbot.waitUntil(lambda: window.case is not None and window.viewers["AP"].prepared is not None, timeout=10_000)
        texts = visible_texts(window)
        # the rubric in Chinese, from the database's English wording
        assert window.panel.definition_title.text() == "皮质骨桥接 — 内侧"
        assert "骨桥接" in window.panel.definition.text()
        assert window.case_label.text() == "第 1 / 4 例"
        # every item highlighted in turn: each definition and anchor is translated
        for _ in study.rubric.items:
            texts += [("definition", window.panel.definition_title.text()), ("definition", window.panel.definition.text())]
            window.panel.move(1)
        qtbot.keyClicks(window.panel, "2")
        texts += visible_texts(window)
        qtbot.keyClick(window.panel, __import__("rushrater.gui.qt", fromlist=["Qt"]).Qt.Key.Key_Return)
        assert window.missing_note.isVisible()
        texts += visible_texts(window)
        assert untranslated(texts, _study_data(study)) == [], untranslated(texts, _study_data(study))
        shot = tmp_path / "workstation-zh_CN.png"
        assert window.grab().save(str(shot))
        if os.environ.get("RUSHRATER_SCREENSHOTS"):
            window.grab().save(str(Path(os.environ["RUSHRATER_SCREENSHOTS"]) / "workstation-zh_CN.png"))
        window.close()
    finally:
        study.close()


def test_the_login_dialog_shows_no_english_in_chinese(qtbot, chinese, small_study, settings, settle):
    from rushrater.gui.workstation import LoginDialog

    dialog = LoginDialog(settings, study_path=small_study)
    _show(qtbot, dialog)
    settle()  # the study opens on the operation thread
    study = open_study(small_study)
    try:
        assert untranslated(visible_texts(dialog), _study_data(study)) == []
    finally:
        study.close()
        dialog.reject()


def test_the_start_window_shows_no_english_in_chinese(qtbot, chinese, settings, small_study, tmp_path, settle):
    from rushrater.gui.start import StartWindow

    window = StartWindow(settings, demo_path=tmp_path / "demo")
    _show(qtbot, window)
    start_page = visible_texts(window)
    assert window.open_study_path(small_study)
    settle()  # opened off the GUI thread
    assert window.pages.currentWidget() is window.study_page
    study = open_study(small_study)
    try:
        assert untranslated(start_page + visible_texts(window), _study_data(study)) == []
    finally:
        study.close()
        window.wait_for_background_work(10_000)
        window.close()


def test_untranslated_strings_are_found():
    # The check itself: English is caught, Chinese, allowed tokens and study data are not.
    texts = [("label", "Case 1 of 4"), ("label", "第 1 / 4 例"), ("label", "RUSH 总分 (Enter)"), ("label", "Dr Ada")]
    assert untranslated(texts, ["Dr Ada"]) == [("label", "Case 1 of 4")]


def test_the_app_starts_in_the_language_chosen_in_the_preferences(qapp, zh_qm, monkeypatch):
    from rushrater.gui import app as app_module
    from rushrater.gui import i18n
    from rushrater.gui.qt import QCoreApplication, QLocale
    from rushrater.services.preferences import PreferenceStore

    PreferenceStore().set_language("zh_CN")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", zh_qm)
    before = QLocale()
    qapp._rushrater_translators = None  # as at a fresh start
    try:
        app_module._install_translators(qapp)
        assert QCoreApplication.translate("ScoringPanel", "Trabecular bone — both views") == "骨小梁 — 两个体位"
        assert QLocale().name() == "zh_CN"
    finally:
        i18n.remove_translators(qapp)
        QLocale.setDefault(before)
    assert QCoreApplication.translate("ScoringPanel", "Trabecular bone — both views") == "Trabecular bone — both views"


def test_the_failed_image_state_and_the_pin_check_show_no_english_in_chinese(qtbot, chinese, small_study):
    from rushrater.gui.workstation import WorkstationWindow
    from rushrater.gui.workstation.dialogs import PinCheckDialog

    study = open_study(small_study)
    try:
        session = login_rater(study, "R02")
        key, _sha = session._files[session.current().images[0].id]
        study.images.path(key).write_bytes(b"damaged")
        window = WorkstationWindow(login_rater(study, "R02"))
        _show(qtbot, window)
        qtbot.waitUntil(lambda: window.images_failed, timeout=10_000)
        # The stored error message itself is the core's (English) text: only the frame is checked.
        texts = [t for t in visible_texts(window) if "stored image" not in t[1]]
        assert "无法阅片：图像加载失败" in window.failed_note.text()
        dialog = PinCheckDialog("Dr Alan Turing", window)
        _show(qtbot, dialog)
        texts += visible_texts(dialog)
        assert untranslated(texts, _study_data(study)) == [], untranslated(texts, _study_data(study))
        dialog.reject()
        window.close()
    finally:
        study.close()
