"""A database locked by another program, or a disk that fills up under it: one message that says
what happened and what to do, not a traceback or 31 silent seconds (issue 18)."""

import logging
import sqlite3
import subprocess
import sys
import time

import pytest

from factories import full_scores
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import import_ratings, submit_rating
from rushrater.storage import database

HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("LOCKED", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
"""


@pytest.fixture
def planned(populated_study):
    plan_reading(populated_study, seed=4, actor="test")
    return populated_study


def _hold_lock(study, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(study.root / "study.db"), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "LOCKED"
    return proc


def test_a_lock_held_too_long_names_the_program_and_the_fix(planned, monkeypatch, caplog):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 1_500)
    monkeypatch.setattr(database, "LOCK_NOTICE_MS", 300)
    case = reading_list(planned, "R01")[0][1]
    holder = _hold_lock(planned, 10)
    try:
        start = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="rushrater"):
            with pytest.raises(database.DatabaseLockedError) as err:
                submit_rating(planned, "R01", case, full_scores(planned))
        assert time.monotonic() - start < 5
    finally:
        holder.kill()
        holder.wait()
    message = str(err.value)
    assert f"pid {holder.pid}" in message and "python" in message
    assert "DB Browser for SQLite" in err.value.fix
    assert any("waiting up to" in r.getMessage() and f"pid {holder.pid}" in r.getMessage() for r in caplog.records)


def test_a_short_lock_is_waited_for_with_a_notice(planned, monkeypatch, caplog):
    monkeypatch.setattr(database, "LOCK_NOTICE_MS", 200)
    case = reading_list(planned, "R01")[0][1]
    holder = _hold_lock(planned, 1.0)
    with caplog.at_level(logging.WARNING, logger="rushrater"):
        rating = submit_rating(planned, "R01", case, full_scores(planned))
    holder.wait()
    assert rating.total == 20
    assert any("waiting up to" in r.getMessage() for r in caplog.records)


def test_database_full_during_a_ratings_import_is_one_message(planned, tmp_path):
    case = reading_list(planned, "R01")[0][1]
    keys = planned.rubric.item_keys
    path = tmp_path / "paper.csv"
    path.write_text("rater,case," + ",".join(keys) + f"\nR01,{case}," + ",".join(["2"] * 10) + "\n", encoding="utf-8")
    # The file cannot grow past its current size: SQLITE_FULL, as on a full disk.
    with sqlite3.connect(planned.root / "study.db") as con:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
    planned.db.dispose()
    from sqlalchemy import event

    @event.listens_for(planned.db.engine, "connect")
    def _cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    big = tmp_path / "big.csv"
    rows = ["rater,case," + ",".join(keys)]
    for rater in ("R01", "R02", "R03"):
        for _, c, _ in reading_list(planned, rater):
            rows.append(f"{rater},{c}," + ",".join(["2"] * 10))
    big.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(database.DatabaseFullError, match="disk is full"):
        import_ratings(planned, big, actor="test")
    with planned.db.read() as session:
        from rushrater.storage import queries
        assert not queries.rated_keys(session)
