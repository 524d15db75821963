"""Reports state only what happened (issue 12): the methods text comes from the data (raters who
scored, re-reads done, how ratings and images were obtained, whether the washout held); re-reads
made before the washout are flagged and can be left out; mid-study, the all-available estimate
stands beside the shrunken complete-case ICC and "raters who have finished" is an option; healing
agreement states its case counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest

from factories import MID_STUDY_HALF as HALF
from factories import MID_STUDY_PATIENTS as PATIENTS
from factories import mid_study as _mid_study
from factories import simulated_ratings_csv
from rushrater import stats
from rushrater.cli.main import main
from rushrater.services.agreement import agreement_report
from rushrater.services.planning import plan_reading
from rushrater.services.ratings import import_ratings
from rushrater.services.report import build_report
from rushrater.storage import queries


@pytest.fixture
def mid(make_study, tmp_path):
    return _mid_study(make_study, tmp_path)


def test_unfinished_rater_gets_the_all_available_estimate_beside_the_complete_case_one(mid):
    report = agreement_report(mid)
    cell = report.cell("day1", "all")
    assert cell["n_targets"] == HALF and cell["excluded_targets"] == PATIENTS - HALF
    first = report.ratings.first_reads
    day1 = first[first["timepoint"] == "day1"].assign(rater=lambda d: d["rater"].astype(str))
    direct = stats.icc(day1, "patient", "rater", "total")  # the independent path used by `rushrater icc`
    expected = direct.all_available.set_index("form").loc["ICC(2,1)"]
    assert cell["icc_all_available"] == pytest.approx(expected["icc"], rel=1e-9)
    assert cell["ci_low_all_available"] == pytest.approx(expected["ci_low"], rel=1e-9)
    assert cell["n_targets_all_available"] == PATIENTS and cell["n_ratings_all_available"] == 5 * PATIENTS + HALF
    attending = report.cell("day1", "attending")  # complete: nothing dropped, nothing beside it
    assert attending["excluded_targets"] == 0 and pd.isna(attending["icc_all_available"])
    assert any("R06 (10 first read(s) to do)" in n for n in report.notes)

    finished = agreement_report(mid, raters="finished")
    cell = finished.cell("day1", "all")
    assert (cell["n_targets"], cell["n_raters"], cell["excluded_targets"]) == (PATIENTS, 5, 0)
    assert finished.unfinished == {"R06": 10}


def test_cli_and_report_show_the_all_available_estimate_and_the_finished_option(mid, tmp_path, capsys):
    assert main(["agreement", str(mid.root)]) == 0
    out = capsys.readouterr().out
    available = agreement_report(mid).cell("day1", "all")["icc_all_available"]
    assert f"all data {available:.3f}" in out and "(5 excluded)" in out
    assert main(["agreement", str(mid.root), "--raters", "finished", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["raters_analysed"] == "finished" and data["unfinished_raters_left_out"] == {"R06": 10}
    doc = build_report(mid)
    table1 = next(b for b in doc.blocks if getattr(b, "caption", "").startswith("Table 1."))
    assert "Dropped" in table1.header and "All available data" in table1.header
    row = next(r for r in table1.rows if r[0] == "Day 1" and r[1] == "all")
    assert row[7] == str(PATIENTS - HALF) and row[8].startswith(f"{available:.3f} (") and row[8].endswith("; 10 cases")


def test_healing_agreement_states_its_case_counts(mid, capsys):
    report = agreement_report(mid)
    row = report.healing[(report.healing["timepoint"] == "day1") & (report.healing["group"] == "all")].iloc[0]
    assert (row["n_targets"], row["n_targets_kappa"]) == (PATIENTS, HALF)
    assert main(["agreement", str(mid.root)]) == 0
    assert "Cases (kappa)" in capsys.readouterr().out
    doc = build_report(mid)
    table6 = next(b for b in doc.blocks if getattr(b, "caption", "").startswith("Table 6."))
    assert table6.header[-1] == "Cases (κ)"
    day1 = next(r for r in table6.rows if r[0] == "Day 1" and r[1] == "all")
    assert (day1[3], day1[5]) == (str(PATIENTS), str(HALF))


def _methods(doc) -> str:
    return next(b.text for b in doc.blocks if getattr(b, "style", "") == "methods")


def _design(doc) -> dict[str, str]:
    return dict(next(b for b in doc.blocks if getattr(b, "header", None) == ["Item", "Value"]).rows)


def test_methods_text_counts_raters_who_scored_and_how_ratings_and_images_came_in(mid):
    doc = build_report(mid)
    methods, design = _methods(doc), _design(doc)
    assert methods.startswith("6 raters (3 attendings, 3 residents) scored")  # 7 enrolled, R07 never scored
    assert "R07" in design["Raters"] and "enrolled without ratings" in design["Raters"]
    assert "no rating was made on the workstation and RUSH Rater did not record the reading conditions" in methods
    assert "the workstation showed them" not in methods  # nothing was read on the workstation
    assert design["Ratings obtained"].endswith("imported from paper or legacy records")
    assert "PNG image(s) without a DICOM header" in design["Images"]
    assert design["Blinding"].startswith("no rating was made on the workstation (110 imported from paper")
    assert "order they were read in is not recorded" in design["Randomisation"]
    assert "Annex E" not in methods and "no re-reads" in design["Replicates"]


def _rereads(study, tmp_path, *, days_after: float) -> int:
    """Plan re-reads with a 28-day washout and import them as if read ``days_after`` the first read."""
    plan_reading(study, reread_fraction=0.2, washout_days=28, actor="test")
    with study.db.read() as session:
        raters = {r.id: r.code for r in queries.raters(session)}
        cases = {c.id: (c.patient.code, c.timepoint.key) for c in queries.cases(session)}
        keys = {(raters[r], *cases[c]) for r, c, _n, _a in queries.reread_assignments(session)}
        first = {(row[1], row[5], row[6]): row[11] for row in queries.current_rating_rows(session)[0]}
    keys = {k for k in keys if k in first}  # R06 has not read every case
    codes = [raters[i] for i in sorted(raters) if raters[i] != "R07"]
    csv = simulated_ratings_csv(tmp_path / "rereads.csv", study.rubric.item_keys, PATIENTS, codes, seed=2, read=2,
                                only=keys)
    frame = pd.read_csv(csv)
    frame["submitted_at"] = [
        (pd.Timestamp(first[(r, p, t)]).tz_localize(None) + timedelta(days=days_after)).isoformat()
        for r, p, t in zip(frame["rater"], frame["patient"], frame["timepoint"])]
    frame.to_csv(csv, index=False)
    import_ratings(study, csv, actor="test")
    return len(frame)


def test_rereads_before_the_washout_are_flagged_and_can_be_left_out(mid, tmp_path, capsys):
    n = _rereads(mid, tmp_path, days_after=3)
    report = agreement_report(mid)
    assert len(report.early_rereads) == n and (report.early_rereads["days_after_first_read"] < 28).all()
    pooled = report.test_retest[(report.test_retest["rater"] == "pooled") & (report.test_retest["score"] == "total")]
    assert (pooled["early_rereads"] == n).all() and (pooled["n_targets"] == n).all()
    assert any("washout" in note and "kept in test-retest" in note for note in report.notes)
    left_out = agreement_report(mid, exclude_early_rereads=True)
    assert left_out.test_retest.empty and left_out.early_rereads_excluded
    assert main(["agreement", str(mid.root), "--exclude-early-rereads", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["early_rereads_excluded"] and len(data["early_rereads"]) == n and data["test_retest"] == []
    doc = build_report(mid)
    assert f"{n} re-read(s) (read 2) scored of" in _design(doc)["Replicates"]
    assert f"{n} re-read(s) were submitted sooner than the washout after the first read and were kept" in _methods(doc)
    assert any(getattr(b, "caption", "").startswith("Re-reads submitted before the 28-day washout") for b in doc.blocks)


def test_rereads_after_the_washout_are_stated_as_observed(mid, tmp_path):
    n = _rereads(mid, tmp_path, days_after=30)
    report = agreement_report(mid)
    assert report.early_rereads.empty
    doc = build_report(mid)
    assert "every one submitted at least 28 days (the washout) after the rater's own first read" in _design(doc)["Replicates"]
    assert f"{n} case(s) were re-read by the same raters after a planned washout of 28 days" in _methods(doc)
