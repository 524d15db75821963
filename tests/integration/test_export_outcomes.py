"""Clinical variables and follow-up events join every export (issues 14, 15), each export's codebook
still describes exactly its own files, and the R export carries the outcome and risk-model scripts
that reproduce the analysis in R (run live with Rscript)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pandas as pd
import pytest

from factories import build_outcome_study
from followup_factory import write_events
from rushrater.cli.main import main
from rushrater.domain.errors import RushRaterError
from rushrater.services import outcome_r, outcomes, riskmodel
from rushrater.services.export import FORMATS, export_study

pyreadstat = pytest.importorskip("pyreadstat")

COVARIATES = ["age", "sex", "bmi", "diabetes", "asa"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from rushrater.services.study import create_study

    tmp = tmp_path_factory.mktemp("export-outcomes")
    study = create_study(tmp / "study", "Outcomes export", "day1,month1", actor="test")
    truth = build_outcome_study(study, tmp, n=60)
    write_events(study, truth, tmp)
    yield study, truth
    study.close()


def _read(path) -> pd.DataFrame:
    if path.suffix == ".sav":
        return pyreadstat.read_sav(str(path))[0]
    if path.suffix == ".dta":
        return pyreadstat.read_dta(str(path))[0]
    return pd.read_csv(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_codebook_describes_exactly_the_files_with_clinical_data_and_events(study, tmp_path, fmt):
    study, truth = study
    risk = riskmodel.RiskRequest("poor_rehabilitation", ["age", "smi"], B=10) if fmt == "r" else None
    export_study(study, fmt, tmp_path / "x", risk=risk)
    if fmt == "xlsx":
        sheets = pd.read_excel(tmp_path / "x.xlsx", sheet_name=None)
        codebook = sheets.pop("codebook")
        assert set(zip(codebook["sheet"], codebook["variable"])) == {
            (name, str(c)) for name, frame in sheets.items() for c in frame.columns}
        patients = sheets["patients"]
    else:
        root = tmp_path / "x" if fmt in ("r", "spss", "stata") else tmp_path
        codebooks = [p for p in root.iterdir() if p.name.endswith("codebook.csv")]
        codebook = pd.read_csv(codebooks[0], keep_default_na=False)
        data = [p for p in root.iterdir() if p.suffix in (".csv", ".sav", ".dta") and p not in codebooks]
        assert set(zip(codebook["file"], codebook["variable"])) == {(p.name, str(c)) for p in data for c in _read(p).columns}
        patients = _read(next(p for p in data if p.stem.endswith("patients")))
        if fmt == "r":
            assert {"outcome_data.csv", "riskmodel_data.csv", "outcomes.R", "riskmodel.R", "analysis.R"} <= {
                p.name for p in root.iterdir()}
    # clinical variables (sex twice: the CT module's and the sheet's) and the events, per patient
    for column in ("institution", "age", "clinical_sex", "bmi", "diabetes", "asa", "sex", "smi",
                   "poor_rehabilitation_day", "poor_rehabilitation_status",
                   "subsequent_fracture_day", "subsequent_fracture_status"):
        assert column in patients.columns, column
    joined = patients.set_index("patient").join(truth.set_index("patient").add_suffix("_truth"))
    assert (joined["age"] == joined["age_truth"]).all()
    assert (joined["diabetes"] == joined["diabetes_truth"]).all()
    assert set(joined["poor_rehabilitation_status"]) <= {0, 1}
    row = codebook[codebook["variable"] == "diabetes"].iloc[0]
    assert row["label"] == "Clinical: Diabetes" and row["values"] == "0 = No; 1 = Yes" and row["measure"] == "nominal"


def test_sav_and_dta_label_the_clinical_variables_and_events(study, tmp_path):
    study, _ = study
    export_study(study, "sav", tmp_path / "x")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "x_patients.sav"))
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["age"].startswith("Clinical: Age") and labels["asa"] == "Clinical: ASA class"
    assert meta.variable_value_labels["diabetes"] == {0: "No", 1: "Yes"}
    assert meta.variable_value_labels["asa"] == {1: "I-II", 2: "III-IV"}
    assert meta.variable_value_labels["poor_rehabilitation_status"][1] == "event"
    assert meta.variable_measure["age"] == "scale" and meta.variable_measure["diabetes"] == "nominal"
    assert meta.original_variable_types["diabetes"] == "F1.0"
    assert labels["poor_rehabilitation_day"].startswith("Follow-up: days from surgery")
    export_study(study, "dta", tmp_path / "y")
    _, meta = pyreadstat.read_dta(str(tmp_path / "y_patients.dta"))
    assert meta.variable_value_labels["diabetes"] == {0: "No", 1: "Yes"}
    assert dict(zip(meta.column_names, meta.column_labels))["bmi"].startswith("Clinical: BMI")


def test_r_export_without_the_data_says_what_is_missing(tmp_path, make_study):
    from test_export_formats import rated_study

    rated = rated_study(make_study, tmp_path, name="plain")
    notes: list[str] = []
    export_study(rated, "r", tmp_path / "r", notes=notes)
    assert not (tmp_path / "r" / "outcomes.R").exists()
    assert notes == ["no outcome script (outcomes.R): the study has no CT body composition (rushrater bodycomp); "
                     "no clinical data (rushrater clinical import)"]


def test_a_risk_model_the_study_cannot_give_is_a_clear_error_and_nothing_is_written(study, tmp_path):
    study, _ = study
    with pytest.raises(RushRaterError, match="no follow-up records of event type 'revision'"):
        export_study(study, "r", tmp_path / "r", risk=riskmodel.RiskRequest("revision", ["age"]))
    with pytest.raises(RushRaterError, match="no predictor 'weight'"):
        export_study(study, "r", tmp_path / "r", risk=riskmodel.RiskRequest("poor_rehabilitation", ["weight"]))
    assert not (tmp_path / "r").exists()


def test_cli_export_risk_options(study, tmp_path, capsys):
    study, _ = study
    path = str(study.root)
    out = tmp_path / "r"
    assert main(["export", path, "--format", "r", "--out", str(out), "--outcome-covariates", "age,sex",
                 "--risk-event", "poor_rehabilitation", "--risk-predictors", "age,smi", "--risk-at", "1,3"]) == 0
    assert "times <- c(1, 3)" in (out / "riskmodel.R").read_text()
    assert 'covs <- c("age", "sex")' in (out / "outcomes.R").read_text()
    capsys.readouterr()
    # the risk model belongs in the R folder only
    with pytest.raises(SystemExit) as stop:
        main(["export", path, "--format", "csv", "--out", str(tmp_path / "c.csv"), "--risk-event", "poor_rehabilitation",
              "--risk-predictors", "age"])
    assert stop.value.code == 2
    assert "--risk-event" in capsys.readouterr().err


@pytest.mark.r
@pytest.mark.slow
def test_the_exported_r_folder_reproduces_the_outcome_numbers_and_the_risk_model(study, tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found; install r-base-core r-cran-matchit r-cran-proc r-cran-rms r-cran-riskregression")
    study, _ = study
    request = outcomes.OutcomeRequest(by="institution", covariates=COVARIATES, caliper=None)
    risk = riskmodel.RiskRequest("poor_rehabilitation", ["age", "smi"], times=(1.0, 3.0), B=20, seed=3)
    folder = tmp_path / "statistician"
    export_study(study, "r", folder, outcome=request, risk=risk)
    moved = tmp_path / "moved"  # the folder works wherever the statistician puts it
    shutil.move(folder, moved)
    done = subprocess.run([rscript, "outcomes.R"], cwd=moved, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    theirs = pd.read_csv(moved / "outcomes-r.csv")
    ours = outcome_r.outcome_numbers(request.run(study))
    both = ours.merge(theirs, on=["stratum", "analysis", "term", "statistic"], suffixes=("", "_r"))
    assert len(both) == len(ours) > 400 and set(both["stratum"]) == {"Centre A", "Centre B"}
    estimates = {"or", "r", "n", "auc", "threshold", "sensitivity", "specificity", "ppv", "npv", "smd_before",
                 "smd_after", "chi2"}
    for row in both.itertuples():
        tolerance = 1e-6 if row.statistic in estimates else 1e-4
        assert row.value == pytest.approx(row.value_r, rel=tolerance, abs=tolerance), row

    done = subprocess.run([rscript, "riskmodel.R"], cwd=moved, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    r = json.loads((moved / "riskmodel_r.json").read_text())
    model = risk.run(study)
    coefs = {t.term: t.coef for t in model.fit.terms}
    assert coefs == pytest.approx(r["coef"], rel=1e-6)
    assert model.fit.concordance.concordance == pytest.approx(r["concordance"], abs=1e-6)
    for a in model.tdroc.times:
        assert a.auc == pytest.approx(r["auc"][f"{a.t:g}"], abs=1e-4)
