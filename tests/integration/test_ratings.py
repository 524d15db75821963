"""Submitting, correcting and importing ratings; constraints enforced by the database itself."""

import sqlite3

import pytest

from factories import full_scores
from rushrater.domain.errors import DuplicateError, InputFileError, NotFoundError, ValidationError
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import correct_rating, import_ratings, submit_rating
from rushrater.services.status import study_status
from rushrater.storage import queries


def _first_case(study, rater="R01"):
    return reading_list(study, rater)[0][1]


def _rating_rows(study):
    with sqlite3.connect(study.root / "study.db") as con:
        return con.execute("SELECT count(*) FROM rating").fetchone()[0]


@pytest.fixture
def planned(populated_study):
    plan_reading(populated_study, seed=11, actor="test")
    return populated_study


def test_submit_validates_computes_and_stores_everything(planned):
    case = _first_case(planned)
    values = full_scores(planned, 2) | {"bridging_medial": 3, "trab_fxline": 1}
    rating = submit_rating(planned, "R01", case, values, active_seconds=41.5, viewer_state={"window": [2000, 4000]})
    assert rating.total == 20 and rating.version == 1 and rating.read_number == 1
    assert rating.subtotals == {
        "cortical_bridging": 9,
        "cortical_fracture_line": 8,
        "trabecular_consolidation": 2,
        "trabecular_fracture_line": 1,
    }
    # Committed when the call returned: a fresh connection sees it.
    with sqlite3.connect(planned.root / "study.db") as con:
        total, secs, rater = con.execute(
            "SELECT total, active_seconds, rater.code FROM rating JOIN rater ON rater.id = rating.rater_id"
        ).fetchone()
        assert (total, secs, rater) == (20, 41.5, "R01")
        assert con.execute("SELECT count(*) FROM rating_score").fetchone()[0] == 10
        actions = [r[0] for r in con.execute("SELECT action FROM audit_event")]
        assert "rating.submit" in actions
    status = {r["code"]: r for r in study_status(planned)["raters"]}
    assert status["R01"]["done"] == 1 and status["R01"]["remaining"] == 11


@pytest.mark.parametrize("bad", [0, 4])
def test_item_value_0_or_4_is_refused_and_nothing_stored(planned, bad):
    values = full_scores(planned) | {"fxline_posterior": bad}
    with pytest.raises(ValidationError, match="fxline_posterior"):
        submit_rating(planned, "R01", _first_case(planned), values)
    assert _rating_rows(planned) == 0


def test_incomplete_form_is_refused(planned):
    values = full_scores(planned)
    del values["trab_consolidation"]
    with pytest.raises(ValidationError, match="missing item.*trab_consolidation"):
        submit_rating(planned, "R01", _first_case(planned), values)


def test_second_first_read_is_refused_a_correction_is_a_new_version(planned):
    case = _first_case(planned)
    first = submit_rating(planned, "R01", case, full_scores(planned, 2))
    with pytest.raises(DuplicateError, match="already submitted"):
        submit_rating(planned, "R01", case, full_scores(planned, 3))
    with pytest.raises(ValidationError, match="reason"):
        correct_rating(planned, "R01", case, full_scores(planned, 3), reason=" ")
    second = correct_rating(planned, "R01", case, full_scores(planned, 3), reason="misread the lateral view")
    assert (second.version, second.total) == (2, 30)
    with sqlite3.connect(planned.root / "study.db") as con:
        rows = con.execute("SELECT version, total, supersedes_id FROM rating ORDER BY version").fetchall()
        assert rows == [(1, 20, None), (2, 30, first.id)]
        before, after, reason = con.execute(
            "SELECT before, after, reason FROM audit_event WHERE action = 'rating.correct'"
        ).fetchone()
        assert '"total": 20' in before and '"total": 30' in after and reason == "misread the lateral view"
    with planned.db.read() as session:
        current = queries.current_ratings(session)
        assert [r.total for r in current] == [30]


def test_retried_submit_with_the_same_id_is_saved_once(planned):
    case = _first_case(planned)
    a = submit_rating(planned, "R01", case, full_scores(planned), submission_id="7f1c0e4e-0000-4000-8000-000000000001")
    b = submit_rating(planned, "R01", case, full_scores(planned), submission_id="7f1c0e4e-0000-4000-8000-000000000001")
    assert a.id == b.id and _rating_rows(planned) == 1


def test_unreadable_needs_a_reason_and_carries_no_scores(planned):
    case = _first_case(planned)
    with pytest.raises(ValidationError):
        submit_rating(planned, "R01", case, None, unreadable_reason="")
    r = submit_rating(planned, "R01", case, None, unreadable_reason="lateral view cut off")
    assert r.total is None and r.unreadable_reason == "lateral view cut off"


def test_unknown_rater_or_case(planned):
    with pytest.raises(NotFoundError, match="no rater"):
        submit_rating(planned, "R99", _first_case(planned), full_scores(planned))
    with pytest.raises(NotFoundError, match="no case"):
        submit_rating(planned, "R01", "CNOPE", full_scores(planned))


# --- constraints in the database, whatever client writes ------------------------------------


def _raw(planned):
    con = sqlite3.connect(planned.root / "study.db")
    con.execute("PRAGMA foreign_keys = ON")
    return con


def test_database_rejects_item_value_4_written_directly(planned):
    rating = submit_rating(planned, "R01", _first_case(planned), full_scores(planned))
    with _raw(planned) as con:
        con.execute(
            "INSERT INTO rating (submission_id, rater_id, case_id, read_number, version, rubric_id, total,"
            " submitted_at, source) SELECT 'x', rater_id, case_id, 2, 1, rubric_id, 20, submitted_at, 'api'"
            f" FROM rating WHERE id = {rating.id}"
        )
        new_id = con.execute("SELECT max(id) FROM rating").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            con.execute(f"INSERT INTO rating_score (rating_id, item_id, value) VALUES ({new_id}, 1, 4)")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            con.execute(f"INSERT INTO rating_score (rating_id, item_id, value) VALUES ({new_id}, 1, 0)")


def test_database_rejects_a_second_rating_for_the_same_rater_case_read(planned):
    rating = submit_rating(planned, "R01", _first_case(planned), full_scores(planned))
    with _raw(planned) as con, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute(
            "INSERT INTO rating (submission_id, rater_id, case_id, read_number, version, rubric_id, total,"
            " submitted_at, source) SELECT 'dup', rater_id, case_id, read_number, 1, rubric_id, 20,"
            f" submitted_at, 'api' FROM rating WHERE id = {rating.id}"
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE rating SET total = 30",
        "DELETE FROM rating",
        "UPDATE rating_score SET value = 3",
        "DELETE FROM audit_event",
    ],
)
def test_submitted_ratings_and_audit_trail_cannot_be_changed_in_place(planned, statement):
    submit_rating(planned, "R01", _first_case(planned), full_scores(planned))
    with _raw(planned) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(statement)


# --- paper / legacy ratings ---------------------------------------------------------------


def _ratings_csv(tmp_path, planned, rows, extra_header=()):
    keys = planned.rubric.item_keys
    header = ["rater", "case", *keys, *extra_header]
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path = tmp_path / "paper.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ratings_import_loads_every_row(planned, tmp_path):
    cases = [c for _, c, _ in reading_list(planned, "R01")]
    rows = [("R01", c, *([2] * 10), 20) for c in cases[:5]] + [("Dr Attending One", cases[0], *([3] * 10), 30)]
    assert import_ratings(planned, _ratings_csv(tmp_path, planned, rows, ("total",))) == 6
    assert _rating_rows(planned) == 6


def test_ratings_import_is_all_or_nothing_with_row_errors(planned, tmp_path):
    cases = [c for _, c, _ in reading_list(planned, "R01")]
    rows = [
        ("R01", cases[0], *([2] * 10), 20),
        ("R01", cases[1], 0, *([2] * 9), 18),  # item 0
        ("R09", cases[2], *([2] * 10), 20),  # unknown rater
        ("R01", cases[3], *([2] * 10), 25),  # wrong total
        ("R01", cases[0], *([2] * 10), 20),  # duplicate of line 2
        ("R02", "CZZZZZZ", *([2] * 10), 20),  # unknown case
    ]
    with pytest.raises(InputFileError) as err:
        import_ratings(planned, _ratings_csv(tmp_path, planned, rows, ("total",)))
    problems = {p.line: p.message for p in err.value.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "bridging_medial" in problems[3]
    assert "R09" in problems[4]
    assert "sum of the items (20)" in problems[5]
    assert "also on line 2" in problems[6]
    assert "CZZZZZZ" in problems[7]
    assert _rating_rows(planned) == 0


def test_ratings_import_with_a_missing_column(planned, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("rater,case,bridging_medial\nR01,C1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing column"):
        import_ratings(planned, path)


def test_ratings_import_by_patient_and_timepoint(planned, tmp_path):
    keys = planned.rubric.item_keys
    path = tmp_path / "p.csv"
    path.write_text(
        "rater,patient,timepoint," + ",".join(keys) + ",submitted_at\n"
        "R02,P001,day1," + ",".join(["1"] * 10) + ",2025-03-01T10:00:00\n",
        encoding="utf-8",
    )
    assert import_ratings(planned, path) == 1
    with sqlite3.connect(planned.root / "study.db") as con:
        assert con.execute("SELECT total, source, submitted_at FROM rating").fetchone()[:2] == (10, "import")
