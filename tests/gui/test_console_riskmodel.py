"""The console's Risk model view: fitted off the GUI thread, tables, figures, the nomogram calculator, in Chinese too."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("PySide6", reason="the coordinator console needs PySide6 (pip install PySide6-Essentials)")

from factories import build_outcome_study  # noqa: E402
from followup_factory import write_events  # noqa: E402
from rushrater.services.study import create_study  # noqa: E402

pytestmark = pytest.mark.gui
SHOTS = os.environ.get("RUSHRATER_SHOTS", "/work/helpers/shots")


@pytest.fixture(scope="module")
def risk_study(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("riskgui")
    study = create_study(tmp / "study", "Rehabilitation study", actor="test")
    truth = build_outcome_study(study, tmp, n=60)
    write_events(study, truth, tmp)
    yield study
    study.close()


def _run(qtbot, view):
    view.run()
    assert view.busy and not view.run_button.isEnabled()  # the GUI thread is free while it runs
    qtbot.waitUntil(lambda: not view.busy, timeout=120_000)


def test_risk_model_tab_fits_and_the_calculator_predicts(qtbot, settle, risk_study):
    from rushrater.gui.console import ConsoleWindow
    from rushrater.services.riskmodel import run_riskmodel

    window = ConsoleWindow(risk_study)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle()  # every tab has read its choices
    view = window.riskmodel
    window.tabs.setCurrentWidget(view)
    assert [view.event_combo.itemData(i) for i in range(view.event_combo.count())] == [
        "poor_rehabilitation", "subsequent_fracture"]
    view.set_predictors(["age", "smi", "rush_month1"])
    assert view.predictors() == ["rush_month1", "smi", "age"]  # the list's order
    view.bootstrap_spin.setValue(20)
    _run(qtbot, view)
    assert view.result is not None, view.status.text()
    expected = run_riskmodel(risk_study, "poor_rehabilitation", ["rush_month1", "smi", "age"], B=20)
    assert view.terms_table.rowCount() == 3 and view.terms_table.item(2, 0).text() == "Age"
    assert view.terms_table.item(2, 1).text() == f"{expected.fit.terms[2].coef:.4f}"
    assert view.auc_table.rowCount() == 3 and view.ph_table.rowCount() == 4
    assert f"{expected.fit.concordance.concordance:.3f}" in view.summary.text()
    assert all(not label.pixmap().isNull() for label in view.figure_labels.values())
    # the calculator: the nomogram's points and survival for the entered patient
    view.set_patient({"rush_month1": 18, "smi": 40, "age": 85})
    older = view.update_calculator()
    assert older == expected.nomogram.predict({"rush_month1": 18, "smi": 40, "age": 85})
    assert "Total" in view.calculator_result.text()
    view.set_patient({"age": 65, "smi": 52})
    younger = view.update_calculator()
    assert younger["total_points"] < older["total_points"] and younger["S(6)"] > older["S(6)"]
    window.resize(1500, 1000)
    view.pages.setCurrentIndex(3)
    qtbot.wait(50)
    if os.path.isdir(SHOTS):
        window.grab().save(os.path.join(SHOTS, "riskmodel-view.png"))
        view.pages.setCurrentIndex(0)
        qtbot.wait(50)
        window.grab().save(os.path.join(SHOTS, "riskmodel-view-model.png"))


def test_a_bad_choice_is_shown_not_raised(qtbot, settle, risk_study, monkeypatch):
    from rushrater.gui.console.riskmodel import RiskModelView

    shown = []
    monkeypatch.setattr("rushrater.gui.console.riskmodel.show_error", lambda parent, title, exc: shown.append(str(exc)))
    view = RiskModelView(risk_study)
    qtbot.addWidget(view)
    view.reload()  # as the console does for each tab
    settle()
    _run(qtbot, view)  # no predictor ticked
    assert shown and "at least one predictor" in shown[0] and view.run_button.isEnabled()
    view.set_predictors(["age"])
    view.train_edit.setText("institution == 1")
    _run(qtbot, view)
    assert "both --train-where" in shown[1]


def test_the_risk_model_view_shows_no_english_in_chinese(qtbot, settle, risk_study, tmp_path_factory):
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
        from rushrater.gui.console.riskmodel import RiskModelView

        view = RiskModelView(risk_study)
        qtbot.addWidget(view)
        view.reload()  # as the console does for each tab
        settle()
        view.show()
        qtbot.waitExposed(view)
        view.set_predictors(["age", "smi"])
        view.bootstrap_spin.setValue(5)
        _run(qtbot, view)
        allowed = ALLOWED | {"AUC", "HR", "CI", "SE", "ICI", "E90", "C", "B", "SMI", "VFI", "SFI", "VSR", "RUSH",
                            "TRIPOD", "cox", "zph", "df", "p", "n", "z", "S",
                            "Harrell", "Schoenfeld"}  # people's names
        english = []
        for where, text in visible_texts(view):
            if "cell" in where:  # the data: predictor labels from the study's codebook, numbers
                continue
            words = [w for w in LATIN_WORD.findall(_strip(text)) if w not in allowed]
            if words:
                english.append((where, text))
        # Event types and variable names and labels are the study's own words.
        study_words = ("poor_rehabilitation", "subsequent_fracture", "Age", "Institution", "Sex", "BMI", "Diabetes",
                       "ASA class", "institution", "age", "sex", "bmi", "diabetes", "asa", "smi", "vfi", "sfi", "vsr",
                       "delta_rush", "slow_healing", "rush_day1", "rush_month1", "cm", "m")
        study_words = {w for name in study_words for w in LATIN_WORD.findall(name)}
        english = [(w, t) for w, t in english
                   if [x for x in LATIN_WORD.findall(_strip(t)) if x not in allowed and x not in study_words]]
        assert english == [], english
    finally:
        remove_translators(QApplication.instance())
        QLocale.setDefault(before)
