"""``rushrater verify``: recomputed totals, version chains and the audit hash chain find every row
changed outside the product, on SQLite and PostgreSQL (issue 18)."""

import subprocess
import sys

import pytest
from sqlalchemy import text

from factories import full_scores
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import correct_rating, submit_rating
from rushrater.services.verify import verify_study


@pytest.fixture
def rated(populated_study):
    study = populated_study
    plan_reading(study, seed=5, actor="test")
    cases = [c for _, c, _ in reading_list(study, "R01")]
    submit_rating(study, "R01", cases[0], full_scores(study, 2))
    submit_rating(study, "R01", cases[1], full_scores(study, 3))
    submit_rating(study, "R02", cases[0], full_scores(study, 1))
    correct_rating(study, "R01", cases[0], full_scores(study, 3), reason="misread the lateral")
    return study


def _tamper(study, *statements):
    """What someone with the database file or the owner's login can do: lift the holds, edit, restore."""
    with study.db.engine.connect() as connection:
        if study.db.is_sqlite:
            triggers = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE '%no_replace'"
            ).fetchall()
            for name, _ in triggers:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
            for statement in statements:
                connection.execute(text(statement))
            for _, sql in triggers:
                connection.exec_driver_sql(sql)
        else:
            tables = ("rating", "rating_score", "audit_event")
            for table in tables:
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for statement in statements:
                connection.execute(text(statement))
            for table in tables:
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        connection.commit()


def _problems(study):
    return [str(f) for f in verify_study(study).findings]


def test_an_untouched_study_is_intact(rated):
    report = verify_study(rated)
    assert report.ok, report.findings
    assert report.checked["rating"] == 4 and report.checked["audit_event"] > 4


def test_a_changed_total_is_found(rated):
    _tamper(rated, "UPDATE rating SET total = 12 WHERE id = (SELECT min(id) FROM rating)")
    problems = _problems(rated)
    assert any(p.startswith("rating row 1: total 12 is not the sum") for p in problems), problems
    assert any("total differ(s) from what its submit recorded" in p for p in problems), problems


def test_a_changed_item_score_is_found(rated):
    _tamper(rated, "UPDATE rating_score SET value = 1 WHERE rating_id = 2 AND item_id = "
                   "(SELECT min(item_id) FROM rating_score WHERE rating_id = 2)")
    problems = _problems(rated)
    assert any(p.startswith("rating row 2: total 30 is not the sum of its item scores (28)") for p in problems), problems
    assert any(p.startswith("rating row 2: values differ(s)") for p in problems), problems


def test_an_edited_audit_row_is_found_by_its_hash(rated):
    _tamper(rated, "UPDATE audit_event SET reason = 'routine' WHERE action = 'rating.correct'")
    problems = _problems(rated)
    assert len(problems) == 1 and "content does not match its hash" in problems[0], problems
    assert problems[0].startswith("audit_event row ")


def test_a_removed_audit_row_breaks_the_chain_at_the_next_row(rated):
    with rated.db.read() as session:
        first, second = session.execute(text(
            "SELECT id FROM audit_event WHERE actor = 'rater:R01' ORDER BY id LIMIT 2")).scalars().all()
    _tamper(rated, f"DELETE FROM audit_event WHERE id = {first}")
    problems = _problems(rated)
    assert f"audit_event row {second}: does not follow the previous audit row of rater:R01" in problems[0], problems


def test_a_rating_inserted_by_hand_is_found(rated):
    _tamper(
        rated,
        "INSERT INTO rating (submission_id, rater_id, case_id, read_number, version, supersedes_id, change_reason,"
        " rubric_id, total, submitted_at, source) SELECT 'forged', rater_id, case_id, read_number, 3, id, 'x',"
        " rubric_id, total, submitted_at, 'workstation' FROM rating WHERE rater_id = (SELECT id FROM rater WHERE"
        " code = 'R02')",
        "INSERT INTO rating_score (rating_id, item_id, value) SELECT (SELECT id FROM rating WHERE"
        " submission_id = 'forged'), item_id, value FROM rating_score WHERE rating_id = 3",
    )
    problems = _problems(rated)
    assert any("rating row 5: is version 3" in p and "version 2 belongs" in p for p in problems), problems
    assert any(p.startswith("rating row 5: has no audit record of its submit") for p in problems), problems


def test_a_dropped_trigger_is_found(rated):
    with rated.db.engine.connect() as connection:
        if rated.db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER rating_no_update")
        else:
            connection.exec_driver_sql("ALTER TABLE rating DISABLE TRIGGER rating_append_only")
        connection.commit()
    problems = _problems(rated)
    assert len(problems) == 1 and problems[0].startswith("rating: the append-only trigger"), problems


def test_cli_verify_exits_1_and_names_the_row(rated):
    location = rated.db.url if not rated.db.is_sqlite else str(rated.root)
    ok = subprocess.run([sys.executable, "-m", "rushrater.cli.main", "verify", location], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("Intact"), ok.stdout + ok.stderr
    _tamper(rated, "UPDATE rating SET total = 12 WHERE id = 1")
    bad = subprocess.run([sys.executable, "-m", "rushrater.cli.main", "verify", location], capture_output=True, text=True)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "rating row 1: total 12 is not the sum" in bad.stdout
    assert "Traceback" not in bad.stderr


def test_upgrade_backfills_the_chain_of_existing_audit_rows(rated):
    from alembic import command

    from rushrater.storage.database import alembic_config

    url = rated.db.url
    rated.db.dispose()
    command.downgrade(alembic_config(url), "0006")
    command.upgrade(alembic_config(url), "head")
    assert verify_study(rated).ok
    with rated.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM audit_event WHERE row_hash IS NULL")).scalar() == 0
