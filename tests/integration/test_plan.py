"""Reading plans: reproducible from the seed, independent per rater, no patient twice in a row."""

import pytest

from factories import image_rows, write_manifest
from rushrater.domain.errors import PlanError, ValidationError
from rushrater.services.imports import import_manifest
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.raters import add_rater
from rushrater.services.ratings import submit_rating
from rushrater.services.status import study_status
from rushrater.storage import queries

from factories import full_scores


def _patients_in_order(study, rater):
    with study.db.read() as session:
        r = queries.rater_by_code_or_name(session, rater)
        return [a.case.patient.code for a in queries.assignments(session, r.id)]


def _lists(study):
    return {r: [c for _, c, _ in reading_list(study, r)] for r in ("R01", "R02", "R03")}


def test_every_rater_gets_every_case_in_an_independent_order(populated_study):
    result = plan_reading(populated_study, seed=42)
    assert result.seed == 42 and result.new_plan and result.raters_planned == ["R01", "R02", "R03"]
    lists = _lists(populated_study)
    assert all(len(cases) == 12 and len(set(cases)) == 12 for cases in lists.values())
    assert set(lists["R01"]) == set(lists["R02"]) == set(lists["R03"])
    assert len({tuple(v) for v in lists.values()}) == 3  # independent orders
    for rater in lists:
        patients = _patients_in_order(populated_study, rater)
        assert all(a != b for a, b in zip(patients, patients[1:])), patients
    assert study_status(populated_study)["plan"]["seed"] == 42


def test_same_seed_same_order(populated_study):
    plan_reading(populated_study, seed=42)
    first = _lists(populated_study)
    plan_reading(populated_study, seed=7, replan=True)
    assert _lists(populated_study) != first
    plan_reading(populated_study, seed=42, replan=True)
    assert _lists(populated_study) == first


def test_seed_is_recorded_when_not_given(populated_study):
    result = plan_reading(populated_study)
    assert study_status(populated_study)["plan"]["seed"] == result.seed


def test_planning_again_keeps_lists_and_adds_new_raters_and_cases(populated_study, tmp_path):
    plan_reading(populated_study, seed=3)
    before = _lists(populated_study)
    assert not plan_reading(populated_study).changed
    add_rater(populated_study, "Dr New", "attending")
    source = tmp_path / "more"
    rows = [(f, p.replace("P00", "Q00"), t, v) for f, p, t, v in image_rows(source, 2, first_seed=1000)]
    import_manifest(populated_study, source, write_manifest(tmp_path / "more.csv", rows))
    result = plan_reading(populated_study)
    assert result.raters_planned == ["R04"]
    assert result.cases_appended == {"R01": 4, "R02": 4, "R03": 4}
    after = _lists(populated_study)
    for rater, cases in before.items():
        assert after[rater][:12] == cases and len(after[rater]) == 16
    for rater in ("R01", "R02", "R03", "R04"):
        patients = _patients_in_order(populated_study, rater)
        assert all(a != b for a, b in zip(patients, patients[1:]))


def test_replan_refused_once_ratings_exist(populated_study):
    plan_reading(populated_study, seed=1)
    first = reading_list(populated_study, "R01")[0][1]
    submit_rating(populated_study, "R01", first, full_scores(populated_study))
    with pytest.raises(PlanError, match="cannot be discarded"):
        plan_reading(populated_study, seed=2, replan=True)
    with pytest.raises(PlanError, match="already planned with seed 1"):
        plan_reading(populated_study, seed=2)


def test_plan_without_raters_or_cases(make_study, populated_study):
    empty = make_study("empty")
    with pytest.raises(PlanError, match="no raters"):
        plan_reading(empty)
    add_rater(empty, "A", "resident")
    with pytest.raises(PlanError, match="no case has both"):
        plan_reading(empty)
    with pytest.raises(ValidationError, match="out of range"):
        plan_reading(populated_study, seed=-1)


def test_cases_missing_a_view_are_left_out_and_reported(study, tmp_path):
    source = tmp_path / "src"
    rows = image_rows(source, 3)
    rows = rows[:-1]  # P003 month1 has no lateral image
    import_manifest(study, source, write_manifest(tmp_path / "m.csv", rows))
    add_rater(study, "A", "resident")
    result = plan_reading(study, seed=5)
    assert result.cases_planned == 5 and len(result.incomplete_cases) == 1
