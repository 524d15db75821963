"""The reliability report's outcome section (the paper's Tables 1–3, issue 14) and TRIPOD-style
risk-model section (issue 15): present when the study has the data and the coordinator chose a
model, one line saying what is missing otherwise, never a failure."""

from __future__ import annotations

import pytest

from factories import build_outcome_study
from followup_factory import write_events
from rushrater.cli.main import main
from rushrater.services import outcome_report, outcomes, riskmodel, riskmodel_report
from rushrater.services.report import Figure, Heading, Para, Table, build_report, render_html


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from rushrater.services.study import create_study

    tmp = tmp_path_factory.mktemp("report-outcomes")
    study = create_study(tmp / "study", "Outcomes report", "day1,month1", actor="test")
    truth = build_outcome_study(study, tmp, n=60)
    write_events(study, truth, tmp)
    yield study
    study.close()


def _section(doc, title: str) -> list:
    """The blocks of one level-1 section."""
    start = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.level == 1 and b.text.startswith(title))
    end = next((i for i, b in enumerate(doc.blocks) if i > start and isinstance(b, Heading) and b.level == 1),
               len(doc.blocks))
    return doc.blocks[start:end]


def _cells(blocks) -> list[list[str]]:
    return [row for b in blocks if isinstance(b, Table) for row in [b.header, *b.rows]]


def test_outcome_section_is_the_outcome_analysis_tables(study):
    request = outcomes.OutcomeRequest(by="institution", covariates=["age", "sex", "bmi"])
    risk = riskmodel.RiskRequest("poor_rehabilitation", ["age", "smi"], B=20, seed=5)
    notes: list[str] = []
    doc = build_report(study, outcome=request, risk=risk, notes=notes)
    assert notes == []
    section = _section(doc, "9. Outcome analysis")
    # the same tables, block for block, as outcome_report builds from run_outcomes
    expected = outcome_report.outcome_blocks(request.run(study), with_figures=False)
    assert _cells(section) == _cells(expected)
    captions = [b.caption for b in section if isinstance(b, Table)]
    assert sum(c.startswith("Table 1. Baseline") for c in captions) == 2  # one per institution
    assert [b.text for b in section if isinstance(b, Heading) and b.level == 2][0].startswith("Centre A (n = 30")
    assert sum(isinstance(b, Figure) for b in section) == 8  # ROC, forest, Love, scatter per stratum

    risk_blocks = _section(doc, "10. Risk model: poor_rehabilitation")
    tripod = riskmodel_report.riskmodel_blocks(risk.run(study), with_figures=False)
    assert _cells(risk_blocks) == _cells(tripod)
    assert any(isinstance(b, Para) and "events per predictor" in b.text for b in risk_blocks)
    html = render_html(doc)
    assert "Table R1. The full model" in html and "Table 3. Spearman correlation" in html


def test_without_a_chosen_model_the_risk_section_is_one_line_naming_the_event_types(study):
    notes: list[str] = []
    doc = build_report(study, notes=notes)
    section = _section(doc, "10. Risk model")
    assert len(section) == 2 and isinstance(section[1], Para)
    assert section[1].text.startswith("No risk model chosen. Follow-up events recorded: poor_rehabilitation (")
    assert "--risk-event TYPE --risk-predictors A,B" in section[1].text
    assert notes == [section[1].text]
    # the outcome section is there with the default choices
    assert any(isinstance(b, Table) for b in _section(doc, "9. Outcome analysis"))


def test_a_model_the_data_cannot_give_is_one_line_not_a_failure(study):
    notes: list[str] = []
    doc = build_report(study, risk=riskmodel.RiskRequest("revision", ["age"]), notes=notes)
    line = _section(doc, "10. Risk model")[1].text
    assert line.startswith("No risk model of revision: no follow-up records of event type 'revision'")
    assert notes == [line]


def test_a_study_without_the_data_says_what_is_missing(make_study, tmp_path):
    from test_export_formats import rated_study

    rated = rated_study(make_study, tmp_path, name="plain")
    notes: list[str] = []
    doc = build_report(rated, notes=notes)
    assert [b.text for b in _section(doc, "9. Outcome analysis")[1:]] == [
        "No outcome analysis: the study has no CT body composition (rushrater bodycomp); no clinical data "
        "(rushrater clinical import)."]
    assert [b.text for b in _section(doc, "10. Risk model")[1:]] == [
        "No risk model: the study has no follow-up events (rushrater clinical events)."]
    assert len(notes) == 2


def test_cli_report_with_risk_options(study, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(study.root), "--out", str(out), "--outcome-covariates", "age,sex",
                 "--risk-event", "poor_rehabilitation", "--risk-predictors", "age,smi", "--risk-at", "1,3"]) == 0
    printed = capsys.readouterr().out
    assert "Wrote the reliability report" in printed and "note:" not in printed
    html = out.read_text()
    assert "9. Outcome analysis" in html and "10. Risk model: poor_rehabilitation" in html
    with pytest.raises(SystemExit) as stop:
        main(["report", str(study.root), "--out", str(tmp_path / "r2.html"), "--risk-event", "poor_rehabilitation"])
    assert stop.value.code == 2 and "--risk-predictors" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["report", str(study.root), "--out", str(tmp_path / "r3.html"), "--risk-event", "poor_rehabilitation",
              "--risk-predictors", "age", "--risk-at", "1,soon"])
    assert stop.value.code == 2 and "--risk-at '1,soon' is not a list of times" in capsys.readouterr().err
    assert not (tmp_path / "r2.html").exists() and not (tmp_path / "r3.html").exists()
