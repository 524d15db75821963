"""The ratings CSV refuses what it used to guess at: "2.0", " 3 ", Arabic-Indic digits, re-reads with
no first read or no assignment, times out of order or out of range, absurd active times (issue 18)."""

import pytest

from factories import full_scores
from rushrater.domain.errors import InputFileError
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import import_ratings, submit_rating
from rushrater.storage import queries


@pytest.fixture
def planned(populated_study):
    plan_reading(populated_study, seed=11, actor="test")
    return populated_study


def _csv(tmp_path, study, rows, extra=()):
    keys = study.rubric.item_keys
    lines = [",".join(["rater", "case", *keys, *extra])] + [",".join(row) for row in rows]
    path = tmp_path / "paper.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _refused(study, path, match):
    with pytest.raises(InputFileError) as err:
        import_ratings(study, path, actor="test")
    problems = err.value.problems
    assert len(problems) == 1 and problems[0].line == 2, problems
    assert match in problems[0].message, problems[0].message
    with study.db.read() as session:
        assert not queries.rated_keys(session)


@pytest.mark.parametrize(
    "item, match",
    [("2.0", "'2.0'"), (" 3 ", "' 3 '"), ("\u0663", "plain digits"), ("\u0662", "plain digits"), ("+2", "'+2'")],
)
def test_item_values_must_be_plain_digits(planned, tmp_path, item, match):
    case = reading_list(planned, "R01")[0][1]
    _refused(planned, _csv(tmp_path, planned, [["R01", case, item, *["2"] * 9]]), match)


@pytest.mark.parametrize("extra, value, match", [
    ("read", "\u0661", "read is"),
    ("read", " 1", "read is"),
    ("total", "20.0", "total is"),
    ("started_at", "0001-01-01T00:00:00", "outside 1980-01-01 to today"),
    ("submitted_at", "2999-01-01T00:00:00", "outside 1980-01-01 to today"),
    ("active_seconds", "1e308", "active_seconds '1e308'"),
    ("active_seconds", "nan", "active_seconds 'nan'"),
    ("active_seconds", "\u0663\u0660", "active_seconds"),
    ("active_seconds", "90000", "from 0 to 86400"),
])
def test_optional_columns_are_bounded(planned, tmp_path, extra, value, match):
    case = reading_list(planned, "R01")[0][1]
    _refused(planned, _csv(tmp_path, planned, [["R01", case, *["2"] * 10, value]], (extra,)), match)


def test_started_after_submitted_is_refused(planned, tmp_path):
    case = reading_list(planned, "R01")[0][1]
    row = ["R01", case, *["2"] * 10, "2025-03-01T11:00:00", "2025-03-01T10:00:00"]
    _refused(planned, _csv(tmp_path, planned, [row], ("started_at", "submitted_at")), "is after submitted_at")


def test_a_read_number_with_no_assignment_is_refused(planned, tmp_path):
    case = reading_list(planned, "R01")[0][1]
    submit_rating(planned, "R01", case, full_scores(planned))
    with pytest.raises(InputFileError) as err:
        import_ratings(planned, _csv(tmp_path, planned, [["R01", case, *["2"] * 10, "2"]], ("read",)), actor="test")
    assert "no read 2 of case" in err.value.problems[0].message and "reading plan" in err.value.problems[0].message


def test_a_reread_with_no_first_read_is_refused(populated_study, tmp_path):
    study = populated_study
    plan_reading(study, seed=2, reread_fraction=0.5, washout_days=0, actor="test")
    with study.db.read() as session:
        raters = {r.id: r.code for r in queries.raters(session)}
        cases = {c.id: c.code for c in queries.cases(session)}
        rater_id, case_id, read, _ = queries.reread_assignments(session)[0]
    row = [raters[rater_id], cases[case_id], *["2"] * 10, str(read)]
    _refused(study, _csv(tmp_path, study, [row], ("read",)), "has no read 1")
    # With the first read in the same file, both are stored.
    first = [raters[rater_id], cases[case_id], *["2"] * 10, "1"]
    assert import_ratings(study, _csv(tmp_path, study, [row, first], ("read",)), actor="test") == 2


def test_plain_rows_still_import(planned, tmp_path):
    cases = [c for _, c, _ in reading_list(planned, "R01")][:3]
    rows = [["R01", c, *["3"] * 10, "30", "2025-03-01T10:00:00Z", "41.5"] for c in cases]
    assert import_ratings(planned, _csv(tmp_path, planned, rows, ("total", "submitted_at", "active_seconds")),
                          actor="test") == 3


def test_a_submit_between_checking_and_writing_stops_the_whole_import(planned, tmp_path, monkeypatch):
    """Rows are validated without the write lock; a rating submitted meanwhile is caught inside the
    write transaction and nothing of the file is stored."""
    from rushrater.domain.errors import DuplicateError
    from rushrater.services import ratings

    cases = [c for _, c, _ in reading_list(planned, "R01")][:3]
    path = _csv(tmp_path, planned, [["R01", c, *["2"] * 10] for c in cases])
    original = ratings._store_imported

    def submit_first(*args, **kwargs):
        submit_rating(planned, "R01", cases[1], full_scores(planned, 3))  # a rater at a workstation
        return original(*args, **kwargs)

    monkeypatch.setattr(ratings, "_store_imported", submit_first)
    with pytest.raises(DuplicateError, match="submitted at a workstation while it was being checked"):
        import_ratings(planned, path, actor="test")
    with planned.db.read() as session:
        assert len(queries.rated_keys(session)) == 1  # only the workstation's rating
