"""The study agreement report: the stored ratings give the same numbers as the statistics core and R,
re-reads stay out of the inter-rater ICC, and test-retest uses read 1 vs read 2."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from factories import AGREEMENT_RATERS, image_rows, simulated_ratings_csv, write_manifest
from rushrater import stats
from rushrater.services import audit
from rushrater.services.agreement import POOLED, agreement_report, study_ratings
from rushrater.services.imports import import_manifest
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater
from rushrater.services.ratings import correct_rating, import_ratings
from rushrater.storage import models, queries

PATIENTS = 14


def _rated_study(make_study, tmp_path, name="rated", seed=3):
    study = make_study(name)
    source = tmp_path / f"{name}-src"
    manifest = write_manifest(tmp_path / f"{name}-manifest.csv", image_rows(source, PATIENTS))
    import_manifest(study, source, manifest, actor="test")
    codes = [add_rater(study, n, g, actor="test").code for n, g, *_ in AGREEMENT_RATERS]
    plan_reading(study, seed=seed, actor="test")
    csv = simulated_ratings_csv(tmp_path / f"{name}-ratings.csv", study.rubric.item_keys, PATIENTS, codes, seed=seed)
    import_ratings(study, csv, actor="test")
    return study, csv


@pytest.fixture
def rated(make_study, tmp_path):
    return _rated_study(make_study, tmp_path)


def _expected_long(csv, study) -> pd.DataFrame:
    """The ratings CSV turned into the analysis frame by hand, without the database."""
    data = pd.read_csv(csv)
    groups = {f"R{i + 1:02d}": g for i, (_n, g, *_r) in enumerate(AGREEMENT_RATERS)}
    data["group"] = data["rater"].map(groups)
    for component in (c.key for c in study.rubric.components):
        data[component] = data[[i.key for i in study.rubric.items if i.component == component]].sum(axis=1)
    data["total"] = data[list(study.rubric.item_keys)].sum(axis=1)
    data["timepoint"] = pd.Categorical(data["timepoint"], categories=["day1", "month1"], ordered=True)
    return data


def _sorted(frame: pd.DataFrame, keys) -> pd.DataFrame:
    return frame.astype({k: str for k in keys}).sort_values(list(keys)).reset_index(drop=True)


def test_study_table_equals_the_statistics_core_on_the_raw_csv(rated):
    study, csv = rated
    report = agreement_report(study)
    scores = report.ratings.scores
    assert len(scores) == 15 and scores[0] == "total"
    assert scores[1:5] == ["cortical_bridging", "cortical_fracture_line", "trabecular_consolidation",
                           "trabecular_fracture_line"]
    expected = stats.agreement_table(
        _expected_long(csv, study), target="patient", rater="rater", timepoint="timepoint", group="group", scores=scores,
        all_available=scores[:5],
    )
    keys = ("timepoint", "group", "score", "form")
    pd.testing.assert_frame_equal(_sorted(report.icc, keys), _sorted(expected, keys), check_dtype=False)
    # 2 time points x (all, attending, resident) x 15 scores x 6 forms
    assert len(report.icc) == 2 * 3 * 15 * 6
    assert report.icc["n_targets"].eq(PATIENTS).all()
    between = stats.between_groups_table(
        _expected_long(csv, study), target="patient", rater="rater", timepoint="timepoint", group="group", scores=scores
    )
    keys = ("timepoint", "comparison", "score", "form")
    pd.testing.assert_frame_equal(_sorted(report.between_groups, keys), _sorted(between, keys), check_dtype=False)
    assert set(report.healing["group"]) == {"all", "attending", "resident"}
    assert set(report.items["score"]) == set(study.rubric.item_keys)
    assert report.bland_altman["comparison"].value_counts().to_dict() == {"pair": 2 * 15, "consensus": 2 * 6}


def _rscript_or_skip() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found: apt-get install r-base-core r-cran-psych r-cran-lme4")
    probe = subprocess.run([rscript, "-e", "suppressMessages(library(psych))"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("R package psych is missing (r-cran-psych)")
    return rscript


def test_one_cell_matches_r_psych_icc_live(rated, tmp_path):
    study, _ = rated
    report = agreement_report(study)
    data = report.ratings.first_reads
    cell = data[(data["timepoint"] == "month1") & (data["group"] == "attending")]
    wide = cell.pivot(index="patient", columns="rater", values="total").dropna(axis=1, how="all")
    exported = tmp_path / "month1_attending_total.csv"
    wide.to_csv(exported, index=False)
    rscript = _rscript_or_skip()
    # The R call that produces the expected numbers:
    code = (
        f'x <- read.csv("{exported.as_posix()}")\n'
        "res <- psych::ICC(x, lmer = FALSE)\n"
        "write.csv(res$results[, c('ICC', 'F', 'lower bound', 'upper bound')], stdout())"
    )
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    r = pd.read_csv(io.StringIO(done.stdout), index_col=0)
    # psych's row names: Single_raters_absolute = ICC1, Single_random_raters = ICC2, ...
    r_names = {"ICC(1,1)": "Single_raters_absolute", "ICC(2,1)": "Single_random_raters",
               "ICC(3,1)": "Single_fixed_raters", "ICC(1,k)": "Average_raters_absolute",
               "ICC(2,k)": "Average_random_raters", "ICC(3,k)": "Average_fixed_raters"}
    for form, r_row in r_names.items():
        ours = report.cell("month1", "attending", "total", form)
        theirs = r.loc[r_row]
        np.testing.assert_allclose(
            [ours["icc"], ours["f"], ours["ci_low"], ours["ci_high"]],
            [theirs["ICC"], theirs["F"], theirs["lower bound"], theirs["upper bound"]],
            rtol=1e-7, err_msg=form,
        )


def test_current_versions_only_and_unreadable_reads_are_excluded_and_counted(rated):
    study, _ = rated
    before = agreement_report(study)
    first = before.ratings.first_reads
    row = first[(first["rater"] == "R02") & (first["timepoint"] == "day1")].iloc[0]
    correct_rating(study, "R02", row["case"], {k: 3 for k in study.rubric.item_keys}, reason="misread", actor="test")
    corrected = study_ratings(study).first_reads
    now = corrected[(corrected["rater"] == "R02") & (corrected["case"] == row["case"])]
    assert len(now) == 1 and now["total"].iloc[0] == 30  # the new version, once
    other = first[(first["rater"] == "R05") & (first["timepoint"] == "month1")].iloc[0]
    correct_rating(study, "R05", other["case"], None, unreadable_reason="film cut off", reason="rotated", actor="test")
    report = agreement_report(study)
    assert report.counts["unreadable"] == 1
    assert any("unreadable" in note for note in report.notes)
    month_all = report.cell("month1", "all")
    assert month_all["excluded_targets"] == 1 and month_all["n_targets"] == PATIENTS - 1
    assert report.cell("month1", "attending")["excluded_targets"] == 0  # R05 is a resident


def _plan_and_reread(study, tmp_path, fraction=0.25):
    result = plan_reading(study, reread_fraction=fraction, washout_days=0, actor="test")
    with study.db.read() as session:
        raters = {r.id: r.code for r in queries.raters(session)}
        cases = {c.id: (c.patient.code, c.timepoint.key) for c in queries.cases(session)}
        keys = {(raters[r], *cases[c]) for r, c, _n, _a in queries.reread_assignments(session)}
    csv = simulated_ratings_csv(tmp_path / "rereads.csv", study.rubric.item_keys, PATIENTS, list(raters.values()),
                                seed=3, read=2, only=keys)
    import_ratings(study, csv, actor="test")
    return result, keys


def test_rereads_feed_test_retest_and_never_the_inter_rater_icc(rated, tmp_path):
    study, _ = rated
    before = agreement_report(study)
    assert before.test_retest.empty
    result, keys = _plan_and_reread(study, tmp_path)
    assert set(result.rereads_added) == {f"R0{i}" for i in range(1, 7)}
    assert all(n == round(0.25 * 2 * PATIENTS) for n in result.rereads_added.values())
    after = agreement_report(study)
    assert after.counts["rereads"] == len(keys)
    pd.testing.assert_frame_equal(after.icc, before.icc)  # re-reads never enter the inter-rater ICC
    pd.testing.assert_frame_equal(after.between_groups, before.between_groups)

    retest = after.test_retest
    assert set(retest["rater"]) == {f"R0{i}" for i in range(1, 7)} | {POOLED}
    data = after.ratings.data
    r03 = data[data["rater"] == "R03"]
    reread_cases = set(r03.loc[r03["read"] == 2, "case"])
    pairs = r03[r03["case"].isin(reread_cases)]
    direct = stats.icc(pairs, "case", "read", "total", all_available=False)
    ours = retest[(retest["rater"] == "R03") & (retest["score"] == "total")].set_index("form")
    for form in stats.FORMS:
        assert ours.loc[form, "icc"] == pytest.approx(direct.form(form)["icc"], rel=1e-12)
    assert ours.loc["ICC(2,1)", "n_targets"] == len(reread_cases)

    both = data[data["read"].isin([1, 2])].copy()
    both["pair"] = both["rater"].astype(str) + "/" + both["case"]
    both = both[both.groupby("pair")["read"].transform("nunique") == 2]
    pooled = stats.icc(both, "pair", "read", "total", all_available=False)
    got = retest[(retest["rater"] == POOLED) & (retest["score"] == "total") & (retest["form"] == "ICC(3,1)")].iloc[0]
    assert got["icc"] == pytest.approx(pooled.form("ICC(3,1)")["icc"], rel=1e-12)
    assert got["n_targets"] == len(keys)


def _reread_lists(study):
    with study.db.read() as session:
        out = {}
        for rater in queries.raters(session):
            rows = queries.assignments(session, rater.id)
            # case codes are random per study; patient and time point identify a case across studies
            out[rater.code] = [(a.position, f"{a.case.patient.code}/{a.case.timepoint.key}", a.read_number) for a in rows]
        return out


def test_reread_planning_is_reproducible_from_the_seed(make_study, tmp_path):
    lists = []
    for name in ("one", "two"):
        study, _ = _rated_study(make_study, tmp_path, name=name, seed=11)
        plan_reading(study, reread_fraction=0.3, washout_days=28, actor="test")
        lists.append(_reread_lists(study))
    assert lists[0] == lists[1]
    for code, rows in lists[0].items():
        rereads = [r for r in rows if r[2] == 2]
        first = [r for r in rows if r[2] == 1]
        assert len(rereads) == round(0.3 * len(first))
        assert min(p for p, _, _ in rereads) == max(p for p, _, _ in first) + 1  # appended after the first reads
        assert {c for _, c, _ in rereads} <= {c for _, c, _ in first}
        # a new random order, not the first-read order
        first_order = [c for _, c, _ in first if c in {c for _, c, _ in rereads}]
        assert [c for _, c, _ in rereads] != first_order or len(rereads) < 3
    # different raters re-read different subsets
    subsets = {code: frozenset(c for _, c, n in rows if n == 2) for code, rows in lists[0].items()}
    assert len(set(subsets.values())) > 1


def test_rereads_never_put_a_patient_twice_in_a_row_and_respect_the_washout(rated):
    study, _ = rated
    before = audit.now()
    result = plan_reading(study, reread_fraction=0.5, washout_days=28, actor="test")
    assert result.washout_days == 28 and result.rereads_before_first_read == 0
    again = plan_reading(study, reread_fraction=0.5, actor="test")
    assert not again.rereads_added and sorted(again.rereads_kept) == [f"R0{i}" for i in range(1, 7)]
    with study.db.read() as session:
        for rater in queries.raters(session):
            rows = queries.assignments(session, rater.id)
            patients = [a.case.patient_id for a in rows]
            assert all(a != b for a, b in zip(patients, patients[1:]))
            for a in rows:
                if a.read_number == 2:
                    available = a.available_from if a.available_from.tzinfo else a.available_from.replace(
                        tzinfo=before.tzinfo)
                    assert before + timedelta(days=28) <= available <= audit.now() + timedelta(days=28)
            # first reads are all done: during the washout nothing is due
            assert queries.next_assignments(session, rater.id, audit.now() + timedelta(days=27)) == []
            due = queries.next_assignments(session, rater.id, audit.now() + timedelta(days=28, minutes=1))
            assert due and due[0].read_number == 2
        events = [e for e in session.scalars(select(models.AuditEvent)) if e.action == "plan.extend"]
    assert events and events[-1].after["washout_days"] == 28


def test_reread_arguments_are_checked(rated):
    from rushrater.domain.errors import ValidationError

    study, _ = rated
    for kwargs in ({"reread_fraction": 0}, {"reread_fraction": 1.5}, {"washout_days": 7},
                   {"reread_fraction": 0.2, "washout_days": -1}):
        with pytest.raises(ValidationError):
            plan_reading(study, actor="test", **kwargs)
