"""The console's Outcomes view: run off the GUI thread, Tables 1–3 and the figures per stratum, in Chinese too."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")

from factories import build_outcome_study  # noqa: E402
from rushrater.services.study import create_study  # noqa: E402

pytestmark = pytest.mark.gui
SHOTS = os.environ.get("RUSHRATER_SHOTS", "/work/helpers/shots")


@pytest.fixture
def outcome_study(tmp_path):
    study = create_study(tmp_path / "study", "Outcome study", actor="test")
    build_outcome_study(study, tmp_path, n=60)
    yield study
    study.close()


def _run(qtbot, view):
    view.run()
    assert view.busy and not view.run_button.isEnabled()  # the GUI thread is free while it runs
    qtbot.waitUntil(lambda: not view.busy, timeout=120_000)


def test_outcomes_tab_shows_tables_and_figures_per_institution(qtbot, settle, outcome_study):
    from rushrater.gui.console import ConsoleWindow

    window = ConsoleWindow(outcome_study)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()  # every tab has read its choices
    view = window.outcomes
    window.tabs.setCurrentWidget(view)
    assert view.by_combo.currentData() == "institution"
    assert view.timepoint_combo.currentData() == "month1"
    view.covariates_edit.setText("age, sex, bmi")
    _run(qtbot, view)
    assert [view.stratum_combo.itemText(i) for i in range(view.stratum_combo.count())] == ["Centre A", "Centre B"]
    assert "n = 30" in view.status.text()
    table3 = view.tables["table3"]
    headers = [table3.horizontalHeaderItem(c).text() for c in range(table3.columnCount())]
    assert "AUC (95% CI)" in headers and table3.rowCount() == 4
    assert table3.item(0, 0).text() == "SMI (cm²/m²)"
    first_auc = table3.item(0, headers.index("AUC (95% CI)")).text()
    assert all(not view.figure_labels[k].pixmap().isNull() for k in view.figure_labels)
    view.stratum_combo.setCurrentIndex(1)
    assert table3.item(0, headers.index("AUC (95% CI)")).text() != first_auc  # Centre B's own numbers
    window.resize(1500, 1000)
    view.pages.setCurrentIndex(3)
    qtbot.wait(50)
    if os.path.isdir(SHOTS):
        window.grab().save(os.path.join(SHOTS, "outcomes-view.png"))
        view.pages.setCurrentIndex(1)
        qtbot.wait(50)
        window.grab().save(os.path.join(SHOTS, "outcomes-view-table2.png"))


def test_a_bad_choice_is_shown_not_raised(qtbot, settle, outcome_study, monkeypatch):
    from rushrater.gui.console.outcomes import OutcomesView

    shown = []
    monkeypatch.setattr("rushrater.gui.console.outcomes.show_error", lambda parent, title, exc: shown.append(str(exc)))
    view = OutcomesView(outcome_study)
    qtbot.addWidget(view)
    view.reload()  # as the console does for each tab
    settle()
    view.covariates_edit.setText("weight")
    _run(qtbot, view)
    assert shown and "unknown covariate" in shown[0] and view.run_button.isEnabled()


def test_the_outcomes_view_shows_no_english_in_chinese(qtbot, settle, outcome_study, tmp_path_factory):
    import subprocess
    import sys
    from pathlib import Path

    from rushrater.gui.i18n import install_translators, remove_translators
    from rushrater.gui.qt import QApplication, QLocale
    from test_translation_zh_CN import ALLOWED, LATIN_WORD, TS, _strip, visible_texts

    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed with PySide6")
    folder = tmp_path_factory.mktemp("qm")
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(folder / "rushrater_zh_CN.qm")], check=True)
    before = QLocale()
    install_translators(QApplication.instance(), "zh_CN", folder)
    try:
        from rushrater.gui.console.outcomes import OutcomesView

        view = OutcomesView(outcome_study)
        qtbot.addWidget(view)
        view.reload()  # as the console does for each tab
        settle()
        view.show()
        qtbot.waitExposed(view)
        view.covariates_edit.setText("age, sex")
        _run(qtbot, view)
        allowed = ALLOWED | {"ROC", "AUC", "OR", "SMD", "PPV", "NPV", "p", "n", "r"}
        english = []
        for where, text in visible_texts(view):
            if "cell" in where:  # the data: variable labels from the study's codebook, numbers
                continue
            words = [w for w in LATIN_WORD.findall(_strip(text)) if w not in allowed]
            if words:
                english.append((where, text))
        # Stratum names and variable labels come from the codebook (the study's own words).
        english = [(w, t) for w, t in english if t not in ("Centre A", "Centre B", "Institution", "Sex", "Diabetes", "ASA class")]
        assert english == []
    finally:
        remove_translators(QApplication.instance())
        QLocale.setDefault(before)
