"""Append-only that holds: INSERT OR REPLACE / REPLACE INTO cannot rewrite ratings, scores, audit
rows or consensus, from our own connections or from a plain sqlite3 client (issue 18)."""

import sqlite3

import pytest
from sqlalchemy import text

from factories import full_scores
from rushrater.services.consensus import save_automatic_consensus
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import submit_rating


@pytest.fixture
def rated(populated_study):
    study = populated_study
    plan_reading(study, seed=3, actor="test")
    case = reading_list(study, "R01")[0][1]
    for rater in ("R01", "R02", "R03"):
        submit_rating(study, rater, case, full_scores(study, 2))
    save_automatic_consensus(study, "median", actor="test")
    return study


# Each statement tries to overwrite an existing row through a key conflict.
REWRITES = {
    # The same row with total 30 (columns listed at run time, so later migrations' columns are kept).
    "rating": "INSERT OR REPLACE INTO rating SELECT {rating_columns_total_30} FROM rating "
    "WHERE id = (SELECT min(id) FROM rating)",
    "rating by natural key": "REPLACE INTO rating (submission_id, rater_id, case_id, read_number, version, rubric_id, "
    "total, submitted_at, source) SELECT 'forged', rater_id, case_id, read_number, version, rubric_id, 30, "
    "submitted_at, 'api' FROM rating WHERE id = (SELECT min(id) FROM rating)",
    "rating_score": "INSERT OR REPLACE INTO rating_score (rating_id, item_id, value) "
    "SELECT rating_id, item_id, 3 FROM rating_score LIMIT 1",
    "audit_event": "REPLACE INTO audit_event (id, at, actor, action, entity) "
    "SELECT id, at, actor, 'nothing.happened', entity FROM audit_event WHERE action = 'rating.submit' LIMIT 1",
    "consensus": "INSERT OR REPLACE INTO consensus SELECT * FROM consensus LIMIT 1",
}


def _statement(con, target):
    columns = [row[1] for row in con.execute("PRAGMA table_info(rating)")]
    return REWRITES[target].format(rating_columns_total_30=", ".join("30" if c == "total" else c for c in columns))


def _snapshot(con):
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("rating", "rating_score", "audit_event", "consensus")
    }


@pytest.mark.parametrize("target", REWRITES)
def test_replace_is_refused_from_a_plain_sqlite3_client(rated, target):
    """A plain client sets none of our pragmas: the BEFORE INSERT triggers hold on their own."""
    with sqlite3.connect(rated.root / "study.db") as con:
        before = _snapshot(con)
        assert before["consensus"], "the fixture must have a consensus row to attack"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(_statement(con, target))
        assert _snapshot(con) == before


@pytest.mark.parametrize("target", REWRITES)
def test_replace_is_refused_on_the_products_connection(rated, target):
    with rated.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
        statement = _statement(connection.connection.dbapi_connection, target)
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()


def test_replace_without_the_insert_trigger_still_fires_the_delete_trigger(rated):
    """Defence in depth: with recursive_triggers on, REPLACE's implicit delete is refused too."""
    with sqlite3.connect(rated.root / "study.db") as con:
        con.execute("PRAGMA recursive_triggers = ON")
        con.execute("DROP TRIGGER rating_score_no_replace")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(_statement(con, "rating_score"))
        con.rollback()


def test_new_rows_still_insert(rated):
    """The triggers refuse only a key that exists: ordinary submits keep working."""
    case = reading_list(rated, "R01")[1][1]
    assert submit_rating(rated, "R01", case, full_scores(rated, 3)).total == 30
