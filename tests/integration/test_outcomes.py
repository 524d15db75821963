"""The outcome analysis of a study (issue 14): the per-patient table and Tables 1–3 per stratum."""

import json

import numpy as np
import pandas as pd
import pytest

from factories import build_outcome_study
from rushrater import stats
from rushrater.services import outcomes
from rushrater.services.consensus import add_panel_member, record_consensus


@pytest.fixture
def outcome_study(make_study, tmp_path):
    study = make_study("outcomes")
    truth = build_outcome_study(study, tmp_path, n=60)
    return study, truth


def test_analysis_table_has_rush_sources_delta_group_indices_and_clinical(outcome_study):
    study, truth = outcome_study
    table = outcomes.analysis_table(study)
    data = table.data.set_index("patient")
    assert table.timepoint == "month1" and table.cutoff == 18 and table.delta == ("day1", "month1")
    assert list(table.indices) == ["smi", "vfi", "sfi", "vsr"]
    assert table.clinical == ["institution", "age", "sex", "bmi", "diabetes", "asa"]
    assert len(data) == 60 and (data["rush_source_month1"] == "mean of 3 first read(s)").all()
    assert np.allclose(data["rush_month1"], truth.set_index("patient")["total_month1"], atol=1.0)
    assert np.allclose(data["delta_rush"], data["rush_month1"] - data["rush_day1"])
    assert ((data["rush_month1"] < 18) == (data["slow_healing"] == 1)).all()
    assert np.allclose(data["smi"], truth.set_index("patient")["smi"])
    assert data.loc["P001", "institution"] == 1 and data.loc["P002", "institution"] == 2

    # a saved consensus replaces the raters' mean, and says so
    case = _case_of(study, "P001", "month1")
    add_panel_member(study, "Dr Panel", actor="test")
    record_consensus(study, case, total=25, method="adjudicated", decided_by="Dr Panel", note="all raters missed the callus",
                     confirm_contradiction=True, actor="test")
    again = outcomes.analysis_table(study, cutoff=20, timepoint="day1").data.set_index("patient")
    assert again.loc["P001", "rush_month1"] == 25 and again.loc["P001", "rush_source_month1"] == "consensus"
    assert (again["slow_healing"] == (again["rush_day1"] < 20)).all()


def _case_of(study, patient, tp):
    from rushrater.storage import queries

    with study.db.read() as session:
        return next(c.code for c in queries.cases(session) if c.patient.code == patient and c.timepoint.key == tp)


def test_the_whole_analysis_per_institution_equals_the_stats_on_the_table(outcome_study):
    study, _ = outcome_study
    report = outcomes.run_outcomes(study, by="institution", covariates=["age", "sex", "bmi", "diabetes"])
    assert [s.name for s in report.strata] == ["Centre A", "Centre B"]
    data = report.table.data
    for stratum, level in zip(report.strata, (1, 2)):
        part = data[data["institution"] == level].reset_index(drop=True)
        assert stratum.n == len(part) == 30
        # the numbers are exactly the stats core's on the stratum's rows
        direct = stats.logistic(part, "slow_healing", ["smi"])
        assert stratum.univariable[0].terms["or"].tolist() == direct.terms["or"].tolist()
        roc = stats.roc(part, "slow_healing", ["smi", "vfi", "sfi", "vsr"])
        pd.testing.assert_frame_equal(stratum.roc.markers, roc.markers)
        corr = stats.correlate(part, "delta_rush", ["smi", "vfi", "sfi", "vsr"])
        pd.testing.assert_frame_equal(stratum.correlation.rows, corr.rows)
        matched = stats.match(part, "slow_healing", ["age", "sex", "bmi", "diabetes"], caliper=0.05, id_column="patient")
        assert stratum.matching.pairs == matched.pairs
        assert len(stratum.adjusted) == 4 and stratum.adjusted[0].predictors == ["smi", "age", "sex", "bmi", "diabetes"]
        tables = outcomes.paper_tables(stratum, report.table)
        assert list(tables["table3"]["index"]) == ["SMI (cm²/m²)", "VFI (cm²/m²)", "SFI (cm²/m²)", "VSR"]
        assert tables["table1"]["variable"].tolist()[0] == "Age"
    # the simulated effect is found: lower SMI, slower healing
    pooled = outcomes.run_outcomes(study, covariates=["age", "sex"])
    smi = pooled.strata[0].univariable[0].terms.iloc[1]
    assert smi["or"] < 1 and smi["p"] < 0.05
    assert pooled.strata[0].roc.markers.set_index("marker").loc["smi", "direction"] == ">"
    json.dumps(pooled.to_dict())  # JSON-clean


def test_bad_choices_give_clear_messages_or_notes(outcome_study):
    from rushrater.domain.errors import RushRaterError

    study, _ = outcome_study
    with pytest.raises(RushRaterError, match="no variable 'centre'"):
        outcomes.run_outcomes(study, by="centre")
    with pytest.raises(RushRaterError, match="unknown covariate"):
        outcomes.run_outcomes(study, covariates=["weight"])
    with pytest.raises(RushRaterError, match="no time point"):
        outcomes.analysis_table(study, timepoint="year1")
    # everyone slow with a cut-off of 31: a note, no crash
    report = outcomes.run_outcomes(study, cutoff=31)
    assert "same healing group" in report.strata[0].notes[0]


def test_cli_prints_tables_json_and_writes_the_report(outcome_study, tmp_path, capsys):
    from rushrater.cli.main import main

    study, _ = outcome_study
    path = str(study.root)
    assert main(["outcomes", path, "--by", "institution", "--covariates", "age,sex,bmi"]) == 0
    out = capsys.readouterr().out
    assert "=== Centre A: n = 30" in out and "Table 3." in out and "AUC (95% CI)" in out
    assert main(["outcomes", path, "--covariates", "age,sex", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    stratum = data["strata"][0]
    assert data["cutoff"] == 18 and data["timepoint"] == "month1" and len(data["patients"]) == 60
    assert {m["marker"] for m in stratum["roc"]["markers"]} == {"smi", "vfi", "sfi", "vsr"}
    assert stratum["univariable"][0]["terms"][1]["term"] == "smi"
    for suffix in ("html", "pdf"):
        out_path = tmp_path / f"outcomes.{suffix}"
        assert main(["outcomes", path, "--by", "institution", "--covariates", "age,sex", "--out", str(out_path)]) == 0
        assert out_path.stat().st_size > 10_000
    html = (tmp_path / "outcomes.html").read_text(encoding="utf-8")
    assert "Table 1. Baseline" in html and "<svg" in html and "Centre B" in html
    assert main(["outcomes", path, "--out", str(tmp_path / "outcomes.pdf")]) == 1  # exists: refused
    assert "--force" in capsys.readouterr().err
    assert main(["outcomes", path, "--delta", "day1"]) == 1
    assert main(["outcomes", path, "--covariates", "age,sex", "--r-script", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "outcomes.R").is_file() and (tmp_path / "r" / "patients.csv").is_file()
