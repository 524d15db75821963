"""``rushrater riskmodel`` (issue 15): the analysis table joined with follow-up events, a Cox model with
discrimination, calibration, validation and a TRIPOD-style report section."""

import json

import pandas as pd
import pytest

from factories import build_outcome_study
from followup_factory import write_events
from rushrater.cli.main import main
from rushrater.domain.errors import RushRaterError
from rushrater.services import riskmodel
from rushrater.services.riskmodel_report import riskmodel_blocks
from rushrater.stats.cox import cox_fit


@pytest.fixture(scope="module")
def risk_study(tmp_path_factory):
    from rushrater.services.study import create_study

    tmp = tmp_path_factory.mktemp("risk")
    study = create_study(tmp / "study", "Risk", "day1,month1", actor="test")
    truth = build_outcome_study(study, tmp, n=80)
    write_events(study, truth, tmp)
    yield study, truth, tmp
    study.close()


def test_model_is_the_stats_core_fit_on_the_joined_table(risk_study):
    study, truth, _ = risk_study
    source = riskmodel.riskmodel_data(study, "poor_rehabilitation", ["age", "smi", "rush_month1"])
    assert len(source.data) == 80 and source.with_record == 80 and not source.incomplete
    model = riskmodel.run_riskmodel(source=source, times=[1, 3, 6], B=20, seed=7)
    # the same numbers as coxph on the joined CSV (the stats core is checked against R in its own tests)
    direct = cox_fit(source.data, "time", "status", ["age", "smi", "rush_month1"])
    assert [t.coef for t in model.fit.terms] == pytest.approx([t.coef for t in direct.terms], rel=1e-12)
    # the simulation: hazard rises with age, falls with SMI
    coefs = {t.term: t.coef for t in model.fit.terms}
    assert coefs["age"] > 0 and coefs["smi"] < 0
    assert 0.6 < model.fit.concordance.concordance < 0.95
    assert [a.t for a in model.tdroc.times] == [1, 3, 6]
    assert model.optimism.seed == 7 and model.optimism.c_apparent == pytest.approx(model.fit.concordance.concordance)
    assert [len(c.groups) for c in model.calibrations] == [5, 5, 5]  # m = n / 5 by default
    again = riskmodel.run_riskmodel(source=source, times=[1, 3, 6], B=20, seed=7)
    assert again.to_json() == model.to_json()  # same seed, same numbers
    payload = model.to_json()
    json.dumps(payload, allow_nan=False)
    assert payload["events_per_predictor"] == pytest.approx(model.fit.events / 3)
    assert payload["nomogram"]["axes"][0]["predictor"] == "age"


def test_time_is_months_after_surgery_and_status_the_record(risk_study):
    study, truth, tmp = risk_study
    source = riskmodel.riskmodel_data(study, "poor_rehabilitation", ["age"])
    sheet = pd.read_csv(tmp / "follow-up.csv")
    rehab = sheet[sheet["event"] == "poor_rehabilitation"].set_index("patient")
    row = source.data.set_index("patient").loc["P001"]
    assert row["time"] == pytest.approx(rehab.loc["P001", "day"] / (365.25 / 12))
    assert row["status"] == rehab.loc["P001", "status"]


def test_few_events_per_predictor_is_warned_and_shown_in_the_section(risk_study):
    study, _, _ = risk_study
    preds = ["age", "smi", "vfi", "sfi", "bmi", "diabetes", "rush_month1", "delta_rush"]
    model = riskmodel.run_riskmodel(study, "subsequent_fracture", preds, times=[3, 6], B=5)
    assert model.events_per_predictor < 10
    assert any("per predictor" in w for w in model.warnings)
    text = " ".join(getattr(b, "text", "") for b in riskmodel_blocks(model, with_figures=False))
    assert "likely overfitted" in text


def test_train_and_validate_on_institutions(risk_study):
    study, _, _ = risk_study
    model = riskmodel.run_riskmodel(study, "poor_rehabilitation", ["age", "smi"], times=[3, 6], B=10,
                                    train_where="institution == 1", validate_where="institution == 2")
    assert model.train_n == 40 and model.validation.validate_n == 40
    assert model.fit.n == 40
    assert 0 < model.validation.c_validate < 1


def test_bad_requests_get_clear_messages(risk_study):
    study, _, _ = risk_study
    with pytest.raises(RushRaterError, match="(?s)no predictor .weight.*choose from"):
        riskmodel.riskmodel_data(study, "poor_rehabilitation", ["age", "weight"])
    with pytest.raises(RushRaterError, match="(?s)no follow-up records of event type .revision.*poor_rehabilitation"):
        riskmodel.riskmodel_data(study, "revision", ["age"])
    with pytest.raises(RushRaterError, match="collinear|constant"):
        source = riskmodel.riskmodel_data(study, "poor_rehabilitation", ["smi"])
        source.data["smi2"] = source.data["smi"] * 2
        source.predictors.append("smi2")
        riskmodel.run_riskmodel(source=source, B=0)
    with pytest.raises(RushRaterError, match="both --train-where"):
        riskmodel.run_riskmodel(study, "poor_rehabilitation", ["age"], train_where="institution == 1")


def test_cli_json_text_and_pdf_report(risk_study, capsys):
    study, _, tmp = risk_study
    args = ["riskmodel", str(study.location), "--event", "poor_rehabilitation", "--predictors", "age,smi",
            "--at", "1,3,6", "--bootstrap", "10"]
    assert main(args + ["--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["cox"]["n"] == 80 and len(payload["auc"]) == 3 and payload["seed"] is not None
    out = tmp / "risk.pdf"
    assert main(args + ["--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Harrell's C" in text and "Time-dependent AUC" in text
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 20_000
    html = tmp / "risk.html"
    assert main(args + ["--out", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    for words in ("events per predictor", "Table R1", "Table R3", "Nomogram", "Schoenfeld", "<svg"):
        assert words in page, words
    capsys.readouterr()
    assert main(["riskmodel", str(study.location), "--event", "poor_rehabilitation", "--predictors", "nope"]) == 1
    assert "no predictor 'nope'" in capsys.readouterr().err


@pytest.mark.r
@pytest.mark.skipif(__import__("shutil").which("Rscript") is None, reason="R is not installed")
def test_the_r_script_reproduces_the_model_in_r(risk_study, tmp_path, capsys):
    import subprocess

    study, _, _ = risk_study
    folder = tmp_path / "r"
    args = ["riskmodel", str(study.location), "--event", "poor_rehabilitation", "--predictors", "age,smi,rush_month1",
            "--at", "1,3,6", "--bootstrap", "40", "--json", "--r-script", str(folder),
            "--train-where", "institution == 1", "--validate-where", "institution == 2"]
    assert main(args) == 0
    ours = json.loads(capsys.readouterr().out)
    run = subprocess.run(["Rscript", "riskmodel.R"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    r = json.loads((folder / "riskmodel_r.json").read_text())
    for term in ours["cox"]["terms"]:
        assert r["coef"][term["term"]] == pytest.approx(term["coef"], abs=1e-7)
        assert r["se"][term["term"]] == pytest.approx(term["se"], abs=1e-7)
    assert r["concordance"] == pytest.approx(ours["cox"]["concordance"], abs=1e-9)
    assert r["concordance_se"] == pytest.approx(ours["cox"]["concordance_se"], abs=1e-7)
    for ph in ours["cox"]["ph_test"]:
        assert r["ph"][ph["term"]] == pytest.approx(ph["p"], abs=1e-6)
    for a in ours["auc"]:
        assert r["auc"][f"{a['t']:g}"] == pytest.approx(a["auc"], abs=1e-9)
    assert r["c_validate"] == pytest.approx(ours["validation"]["c_validate"], abs=1e-9)
    # bootstrap: the same estimand, different random numbers (R's are not numpy's)
    assert r["c_corrected"] == pytest.approx(ours["bootstrap"]["c_corrected"], abs=0.05)
    assert (folder / "riskmodel_nomogram.pdf").stat().st_size > 2000
    data = (folder / "riskmodel_data.csv").read_text()
    assert data.splitlines()[0] == "patient,time,status,age,smi,rush_month1,set"


def test_an_event_type_without_events_is_a_clear_message(risk_study, tmp_path):
    from rushrater.services.followup import import_events

    study, truth, _ = risk_study
    sheet = tmp_path / "revisions.csv"
    pd.DataFrame({"patient": truth["patient"], "event": "revision", "status": 0, "day": 200}).to_csv(sheet, index=False)
    import_events(study, sheet, code_column="patient", actor="test")
    with pytest.raises(RushRaterError, match="(?i)no events"):
        riskmodel.run_riskmodel(study, "revision", ["age"], B=0)
