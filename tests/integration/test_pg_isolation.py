"""Issue 18, PostgreSQL: one study's raters reach nothing of another's, and nothing they may not.

Each test is a probe of the security review, run as the rater's own login through psycopg (what
a rater with psql can do), kept as a regression test.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import pgserver
from factories import full_scores, image_rows, write_manifest
from rushrater.cli.main import main as cli_main
from rushrater.domain.errors import ValidationError
from rushrater.services.imports import import_manifest
from rushrater.services.multisite import enrol_db_login
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.raters import add_rater
from rushrater.services.ratings import submit_rating
from rushrater.services.study import create_study, open_study
from rushrater.storage.database import SCHEMA_HEAD

pytestmark = pytest.mark.skipif(pgserver.server_problem() is not None, reason=str(pgserver.server_problem()))


def _psycopg(url: str, autocommit: bool = True):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=autocommit)


def _admin():
    return _psycopg(pgserver.url_for("postgres"))


def _named_database(name: str) -> str:
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    pgserver._databases.append(name)
    return pgserver.url_for(name)


def _populate(study, tmp_path, raters=2):
    source = tmp_path / f"source-{uuid.uuid4().hex[:6]}"
    manifest = write_manifest(tmp_path / f"manifest-{uuid.uuid4().hex[:6]}.csv", image_rows(source, 3))
    import_manifest(study, source, manifest, actor="test")
    for n in range(raters):
        add_rater(study, f"Dr Rater {n + 1}", "resident", actor="test")
    plan_reading(study, seed=5, actor="test")


def _login(study, code: str) -> str:
    role = pgserver.role_name(f"{code.lower()}_{uuid.uuid4().hex[:4]}")
    password = f"pw-{uuid.uuid4().hex[:12]}"
    enrol_db_login(study, code, role, password, actor="test")
    return pgserver.url_for(study.url.rsplit("/", 1)[1], role, password)


def _rater_group(url: str) -> str:
    with _psycopg(url) as conn:
        return conn.execute("SELECT rushrater_rater_group()").fetchone()[0]


@pytest.fixture
def pg_url():
    url = pgserver.create_database()
    yield url
    pgserver.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def pg_study(pg_url, tmp_path):
    study = create_study(pg_url, "Isolation study", actor="test", local_dir=tmp_path / "local")
    _populate(study, tmp_path)
    yield study
    study.close()


# -- 1. a rater group per study that cannot collide, dropped with the study ---------------------------


def test_two_databases_with_the_same_46_character_prefix_share_no_rater_group(tmp_path):
    import psycopg

    stem = (pgserver.PREFIX + "long_prefix_").ljust(58, "x")
    url_a, url_b = _named_database(stem + "_a"), _named_database(stem + "_b")
    assert len(stem) >= 46
    with create_study(url_a, "Study A", actor="test", local_dir=tmp_path / "a") as a, \
            create_study(url_b, "Study B secret title", actor="test", local_dir=tmp_path / "b") as b:
        _populate(a, tmp_path)
        _populate(b, tmp_path)
        assert _rater_group(url_a) != _rater_group(url_b)
        rater_a = _login(a, "R01")
    # Rater A's login and password, pointed at study B: not even a connection.
    into_b = rater_a.rsplit("/", 1)[0] + "/" + stem + "_b"
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        _psycopg(into_b)


def test_a_new_database_of_the_same_name_does_not_inherit_the_old_studys_raters(tmp_path):
    import psycopg

    name = pgserver.PREFIX + "reused"
    url = _named_database(name)
    with create_study(url, "Old study", actor="test", local_dir=tmp_path / "old") as old:
        _populate(old, tmp_path)
        old_rater = _login(old, "R01")
        old_group = _rater_group(url)
    with _admin() as conn:  # the server administrator drops it by hand, roles left behind
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with create_study(url, "New study", actor="test", local_dir=tmp_path / "new"):
        assert _rater_group(url) != old_group
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        _psycopg(old_rater)
    with _admin() as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{old_group}"')


def test_a_study_whose_rater_group_already_exists_is_refused_and_nothing_is_created(pg_url, tmp_path, monkeypatch):
    from rushrater.storage import access

    taken = pgserver.role_name("taken_group")
    with _admin() as conn:
        conn.execute(f'CREATE ROLE "{taken}" NOLOGIN')
    monkeypatch.setattr(access, "new_group_role_name", lambda: taken)
    with pytest.raises(ValidationError, match="already exists"):
        create_study(pg_url, "T", actor="test", local_dir=tmp_path / "x")
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_server_drop_removes_the_database_its_group_and_its_rater_logins(tmp_path, capsys):
    name = pgserver.PREFIX + "to_drop"
    url = _named_database(name)
    with create_study(url, "Doomed", actor="test", local_dir=tmp_path / "d") as study:
        _populate(study, tmp_path)
        rater = _login(study, "R01")
    group = _rater_group(url)
    login = rater.split("//")[1].split(":")[0]
    # Without --confirm it only says what it would drop.
    assert cli_main(["server", "drop", url]) == 2
    out = capsys.readouterr()
    assert login in out.out + out.err and group in out.out + out.err
    with _admin() as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 1
    assert cli_main(["server", "drop", url, "--confirm"]) == 0
    assert "Dropped" in capsys.readouterr().out
    with _admin() as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0
        roles = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", (group, login))}
    assert roles == set()


# -- 2. never touch a login that is not this study's, never change a password silently ---------------


def _password_hash(role: str) -> str | None:
    with _admin() as conn:
        row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    return row[0] if row else None


def test_raters_add_refuses_an_existing_login_and_leaves_its_password(pg_study, monkeypatch, capsys):
    other = pgserver.role_name("coordinator_like")
    with _admin() as conn:
        conn.execute(f"CREATE ROLE \"{other}\" LOGIN PASSWORD 'the coordinator password'")
    before = _password_hash(other)
    monkeypatch.setattr("sys.stdin", io.StringIO("attacker password\n"))
    assert cli_main(["raters", "add", pg_study.url, "Dr Mallory", "--group", "resident",
                     "--db-role", other, "--db-password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert _password_hash(other) == before
    with _psycopg(pg_study.url) as conn:
        assert conn.execute("SELECT count(*) FROM rater WHERE name = 'Dr Mallory'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM rater_db_role").fetchone()[0] == 0
    # Nor through the service, for a rater already enrolled.
    with pytest.raises(ValidationError, match="already exists"):
        enrol_db_login(pg_study, "R01", other, "attacker password", actor="test")
    assert _password_hash(other) == before


def test_a_study_rater_login_password_is_reset_only_when_asked_and_it_says_so(pg_study, monkeypatch, capsys):
    rater = _login(pg_study, "R01")
    role = rater.split("//")[1].split(":")[0]
    before = _password_hash(role)
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert cli_main(["server", "login", pg_study.url, "R01", "--reset-password", "--db-password-stdin"]) == 0
    assert f"Reset the password of database login {role}" in capsys.readouterr().out
    assert _password_hash(role) != before
    with _psycopg(pg_study.url) as conn:
        audit = conn.execute("SELECT after::text FROM audit_event WHERE action = 'rater.db_password'").fetchone()[0]
    assert "brand new" not in audit
    # A rater without a login has no password to reset.
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert cli_main(["server", "login", pg_study.url, "R02", "--reset-password", "--db-password-stdin"]) == 1


# -- 3. secrets and the case -> time point map are out of a rater's reach ---------------------------


def test_a_rater_login_sees_only_its_own_work_list_and_no_secrets(pg_study):
    import psycopg

    from rushrater.services.admin import set_admin_password
    from rushrater.services.reading import set_rater_pin

    set_rater_pin(pg_study, "R02", "4321", actor="test")
    set_admin_password(pg_study, "admin password 1", actor="test")
    r1 = _login(pg_study, "R01")
    with _psycopg(r1) as conn:
        assert conn.execute("SELECT code FROM rater").fetchall() == [("R01",)]
        assert conn.execute("SELECT count(*) FROM rater WHERE pin_hash IS NOT NULL").fetchone()[0] == 0
        settings = conn.execute("SELECT settings::text FROM study").fetchone()[0]
        assert "admin_password_hash" not in settings and "washout_days" in settings
        assert conn.execute("SELECT count(*) FROM reading_case WHERE timepoint_id IS NOT NULL "
                            "OR patient_id IS NOT NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(DISTINCT rater_id) FROM assignment").fetchone()[0] == 1
        # The definer functions answer a rater login only about itself.
        r2_login = _login(pg_study, "R02").split("//")[1].split(":")[0]
        assert conn.execute("SELECT rushrater_rater_of(%s), rushrater_rater_code_of(%s)",
                            (r2_login, r2_login)).fetchone() == (None, None)
        assert conn.execute("SELECT rushrater_rater_code_of(current_user)").fetchone() == ("R01",)
        for probe in ("SELECT timepoint_id FROM public.reading_case", "SELECT pin_hash FROM public.rater",
                      "SELECT settings FROM public.study", "SELECT * FROM timepoint", "SELECT * FROM patient",
                      "SELECT * FROM public.assignment", "SELECT * FROM image_deidentification",
                      "SELECT * FROM reading_plan", "SELECT * FROM rater_db_role"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(probe)


def test_a_reading_session_runs_as_the_rater_login(pg_study):
    from rushrater.services.reading import ReadingSession, raters_for_login, set_rater_pin

    set_rater_pin(pg_study, "R01", "1234", actor="test")
    r1 = _login(pg_study, "R01")
    with open_study(r1, local_dir=pg_study.root.parent / "as-r1") as as_rater:
        assert [(c.code, c.has_pin) for c in raters_for_login(as_rater)] == [("R01", True)]
        session = ReadingSession.login(as_rater, "R01", "1234")
        done, total = session.progress()
        assert (done, total) == (0, 6)
        case = session.current()
        assert session.load_pixels(case.images[0]).ndim == 2
        saved = session.submit(case, full_scores(as_rater, 2), started_at=datetime.now(timezone.utc) - timedelta(seconds=30),
                               active_seconds=25.0)
        assert saved.total == 20
        assert abs((saved.submitted_at - datetime.now(timezone.utc)).total_seconds()) < 60
        back = session.previous("1234")
        fixed = session.correct(back, full_scores(as_rater, 3), reason="misread")
        assert (fixed.version, fixed.total) == (2, 30)
        assert session.progress() == (1, 6)
    with _psycopg(pg_study.url) as conn:
        actions = [a for (a,) in conn.execute("SELECT action FROM audit_event WHERE actor = 'rater:R01' ORDER BY id")]
        after = conn.execute("SELECT after::text FROM audit_event WHERE action = 'rating.correct'").fetchone()[0]
    assert actions == ["rating.submit", "rating.correct"]
    assert json.loads(after)["total"] == 30


def test_a_rater_login_chooses_its_first_pin_and_reports_failed_images_but_nothing_more(pg_study):
    """Issue 12 on a server: a rater without a PIN chooses one at first login, and the workstation
    reports an image that failed to load -- both through the rater's own login; it cannot replace
    a PIN it has, nor report failures of cases that are not on its list."""
    import psycopg

    from rushrater.services.reading import ReadingSession, image_load_failures

    r1 = _login(pg_study, "R01")
    with open_study(r1, local_dir=pg_study.root.parent / "as-r1-first") as as_rater:
        session = ReadingSession.login(as_rater, "R01", new_pin="2580")
        case = session.current()
        session.report_image_failure(case, case.images[0].view, "hash mismatch")
    assert [(f.rater, f.error) for f in image_load_failures(pg_study)] == [("R01", "hash mismatch")]
    with _psycopg(pg_study.url) as conn:
        pin_events = conn.execute("SELECT actor, after::text FROM audit_event WHERE action = 'rater.pin'").fetchall()
    assert [(a, json.loads(j)) for a, j in pin_events] == [("rater:R01", {"pin_set": True})]

    me = _ids(pg_study)[0]
    with _psycopg(r1) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE rater SET pin_hash = 'scrypt$forged' WHERE id = %s", (me,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE rater SET name = 'Someone Else' WHERE id = %s", (me,))
        foreign_case = conn.execute("SELECT max(id) + 1000 FROM reading_case").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO audit_event (at, actor, action, entity, entity_id) "
                         "VALUES (now(), 'rater:R01', 'image.load_failed', 'reading_case', %s)", (str(foreign_case),))


# -- 4. a rater inserts only a complete, consistent rating of its own ------------------------------


def _ids(study, code="R01"):
    with _psycopg(study.url) as conn:
        rater_id = conn.execute("SELECT id FROM rater WHERE code = %s", (code,)).fetchone()[0]
        case_id = conn.execute("SELECT id FROM reading_case ORDER BY id LIMIT 1").fetchone()[0]
        rubric_id = conn.execute("SELECT rubric_id FROM study").fetchone()[0]
        items = [i for (i,) in conn.execute("SELECT id FROM rubric_item WHERE rubric_id = %s ORDER BY position", (rubric_id,))]
    return rater_id, case_id, rubric_id, items


def _forge(url, rater_id, case_id, rubric_id, items, *, total=20, values=2, source="workstation",
           submitted_at="now()", scores=True, audit=True, supersedes=None, version=1, subtotals=None):
    """Insert a rating by hand, as a rater with psql would, and commit."""
    with _psycopg(url, autocommit=False) as conn:
        rid = conn.execute(
            "INSERT INTO rating (submission_id, rater_id, case_id, read_number, version, supersedes_id, change_reason, "
            f"rubric_id, total, subtotals, submitted_at, source) VALUES (%s, %s, %s, 1, %s, %s, %s, %s, %s, %s, {submitted_at}, %s) "
            "RETURNING id",
            (str(uuid.uuid4()), rater_id, case_id, version, supersedes, "why" if supersedes else None, rubric_id, total,
             json.dumps(subtotals), source),
        ).fetchone()[0]
        if scores:
            for item in items:
                conn.execute("INSERT INTO rating_score (rating_id, item_id, value) VALUES (%s, %s, %s)", (rid, item, values))
        if audit:
            conn.execute(
                "INSERT INTO audit_event (at, actor, action, entity, entity_id, after) VALUES (now(), %s, %s, 'rating', %s, '{}')",
                ("rater:R01", "rating.correct" if supersedes else "rating.submit", str(rid)),
            )
        conn.commit()
        return rid


def test_a_rater_login_cannot_store_an_inconsistent_or_foreign_rating(pg_study):
    import psycopg

    subtotals = {c.key: 0 for c in pg_study.rubric.components}
    for item in pg_study.rubric.items:
        subtotals[item.component] += 2
    rater_id, case_id, rubric_id, items = _ids(pg_study)
    r1 = _login(pg_study, "R01")
    args = (r1, rater_id, case_id, rubric_id, items)
    bad = {
        "total does not match": dict(total=25),
        "no scores": dict(scores=False),
        "source import": dict(source="import"),
        "no audit event": dict(audit=False),
        "subtotals wrong": dict(subtotals={k: 1 for k in subtotals}),
    }
    for label, change in bad.items():
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation)):
            _forge(*args, **{"subtotals": subtotals, **change})
            pytest.fail(label)
    with _psycopg(pg_study.url) as conn:
        assert conn.execute("SELECT count(*) FROM rating").fetchone()[0] == 0
    # Dated anywhere: the server's clock wins.
    rid = _forge(*args, subtotals=subtotals, submitted_at="'2001-01-01T00:00:00Z'")
    with _psycopg(pg_study.url) as conn:
        at = conn.execute("SELECT submitted_at FROM rating WHERE id = %s", (rid,)).fetchone()[0]
        after = conn.execute("SELECT after::text FROM audit_event WHERE entity_id = %s", (str(rid),)).fetchone()[0]
    assert abs((at - datetime.now(timezone.utc)).total_seconds()) < 60
    assert json.loads(after)["total"] == 20  # the database wrote what was stored, not the forged '{}'
    # Superseding another rater's rating.
    r2_rating = submit_rating(pg_study, "R02", reading_list(pg_study, "R02")[0][1], full_scores(pg_study, 1))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="own reading"):
        _forge(*args, subtotals=subtotals, supersedes=r2_rating.id, version=2)
    # A case that is not on its reading list (imported after the plan).
    source = pg_study.root.parent / "late-source"
    manifest = write_manifest(pg_study.root.parent / "late.csv", image_rows(source, 4)[-2:])
    import_manifest(pg_study, source, manifest, actor="test")
    with _psycopg(pg_study.url) as conn:
        unlisted = conn.execute("SELECT id FROM reading_case WHERE id NOT IN (SELECT case_id FROM assignment "
                                "WHERE rater_id = %s)", (rater_id,)).fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="own reading list"):
        _forge(r1, rater_id, unlisted, rubric_id, items, subtotals=subtotals)
    # Through the app, a refused write is a clear message, not a traceback.
    from rushrater.storage.database import DatabasePermissionError

    from rushrater.storage import queries

    with open_study(r1, local_dir=pg_study.root.parent / "app-r1") as as_rater:
        with pytest.raises(DatabasePermissionError, match="rater login"), as_rater.db.read() as session:
            queries.timepoints(session)
    # Scores added afterwards to its own (unreadable) rating, stored through the app as the rater.
    with open_study(r1, local_dir=pg_study.root.parent / "forger") as as_rater:
        unreadable = submit_rating(as_rater, "R01", reading_list(pg_study, "R01")[1][1], None, unreadable_reason="blurred")
    with _psycopg(r1) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="same submit"):
        conn.execute("INSERT INTO rating_score (rating_id, item_id, value) VALUES (%s, %s, 1)", (unreadable.id, items[0]))


def test_a_rater_login_cannot_forge_audit_events(pg_study):
    import psycopg

    r1 = _login(pg_study, "R01")
    with _psycopg(r1) as conn:
        for action, entity, entity_id in (("study.create", "study", "x"), ("rater.pin", "rater", "1"),
                                          ("rating.submit", "rating", "999999"), ("rating.submit", "rating", "abc")):
            # rater.pin without choosing a first PIN in the same transaction is refused too
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="audit event of its own submit|its own first PIN"):
                conn.execute("INSERT INTO audit_event (at, actor, action, entity, entity_id) VALUES (now(), 'rater:R01', %s, %s, %s)",
                             (action, entity, entity_id))
    with _psycopg(pg_study.url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_event WHERE actor = 'rater:R01'").fetchone()[0] == 0


# -- 5. init validates first and creates the schema in one transaction ------------------------------


def test_init_with_a_title_too_long_is_refused_and_leaves_the_database_empty(pg_url, tmp_path, capsys):
    with pytest.raises(ValidationError, match="200 characters"):
        create_study(pg_url, "T" * 201, actor="test", local_dir=tmp_path / "x")
    assert cli_main(["init", pg_url, "--title", "T" * 201]) == 1
    assert "Traceback" not in capsys.readouterr().err
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
    with pytest.raises(ValidationError, match="200 characters"):
        create_study(tmp_path / "folder", "T" * 201, actor="test")
    assert not (tmp_path / "folder").exists()


def test_a_failure_while_storing_the_new_study_leaves_no_schema(pg_url, tmp_path, monkeypatch):
    from rushrater.services import study as study_service

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(study_service, "_store_rubric", broken)
    with pytest.raises(RuntimeError):
        create_study(pg_url, "T", actor="test", local_dir=tmp_path / "x")
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


# -- append-only: TRUNCATE ----------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["rating", "rating_score", "audit_event", "consensus"])
def test_truncate_of_an_append_only_table_is_refused_even_to_the_owner(pg_study, table):
    import psycopg

    submit_rating(pg_study, "R01", reading_list(pg_study, "R01")[0][1], full_scores(pg_study, 2))
    with _psycopg(pg_study.url) as conn:
        before = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(f"TRUNCATE {table} CASCADE")
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == before
    r1 = _login(pg_study, "R01")
    with _psycopg(r1) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"TRUNCATE {table}")


# -- upgrade: a study made under 0006 (group named after the database) --------------------------------


def _alembic(url: str, action: str, revision: str) -> None:
    from alembic import command

    from rushrater.storage.database import Database, alembic_config

    db = Database(url)
    try:
        with db.engine.begin() as connection:
            config = alembic_config(db.url)
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        db.dispose()


def test_a_0006_study_upgrades_to_its_own_group_and_its_raters_keep_working(pg_study, tmp_path):
    import psycopg

    url = pg_study.url
    dbname = url.rsplit("/", 1)[1]
    r1 = _login(pg_study, "R01")
    login = r1.split("//")[1].split(":")[0]
    pg_study.close()
    _alembic(url, "downgrade", "0006")
    old_group = pgserver.group_role(dbname)
    with _psycopg(r1) as conn:  # back to 0006: the rater reads every rater row again
        assert conn.execute("SELECT count(*) FROM rater").fetchone()[0] == 2
    # Reopening the study upgrades it: a new random group, the rater moved into it.
    with open_study(url, local_dir=tmp_path / "up") as study:
        assert study.db.current_revision() == SCHEMA_HEAD
        group = _rater_group(url)
        assert group != old_group
    with _admin() as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (old_group,)).fetchone()[0] == 0
        member = conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (login, group)).fetchone()[0]
    assert member
    with _psycopg(r1) as conn:
        assert conn.execute("SELECT code FROM rater").fetchall() == [("R01",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM public.patient")
    with open_study(r1, local_dir=tmp_path / "r1") as as_rater:
        saved = submit_rating(as_rater, "R01", reading_list(as_rater, "R01")[0][1], full_scores(as_rater, 2))
        assert saved.total == 20


def test_a_coordinator_without_superuser_drops_its_study_with_its_roles(tmp_path, capsys):
    coordinator = pgserver.role_name(f"coord_{uuid.uuid4().hex[:6]}")
    admin_url = pgserver.create_database()
    name = admin_url.rsplit("/", 1)[1]
    with _admin() as conn:
        conn.execute(f'CREATE ROLE "{coordinator}" LOGIN CREATEROLE')
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{coordinator}"')
    with _psycopg(admin_url) as conn:
        conn.execute(f'ALTER SCHEMA public OWNER TO "{coordinator}"')
    url = pgserver.url_for(name, coordinator)
    with create_study(url, "Owned", actor="test", local_dir=tmp_path / "c") as study:
        _populate(study, tmp_path)
        rater = _login(study, "R01")
    group = _rater_group(url)
    login = rater.split("//")[1].split(":")[0]
    assert cli_main(["server", "drop", url, "--confirm"]) == 0
    with _admin() as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0
        left = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s)", (group, login)).fetchone()[0]
    assert left == 0
    # Not a study (the database is gone): a clear message, exit 1.
    assert cli_main(["server", "drop", url, "--confirm"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_a_login_mapping_copied_from_another_database_gives_way_to_a_new_login(pg_study, tmp_path):
    """After a study is migrated server -> folder -> new server, its raters get new logins."""
    first = _login(pg_study, "R01")
    old_role = first.split("//")[1].split(":")[0]
    folder = tmp_path / "archive"
    from rushrater.services.multisite import migrate_study

    migrate_study(pg_study.url, str(folder), actor="test")
    second_url = pgserver.create_database()
    migrate_study(str(folder), second_url, actor="test")
    with open_study(second_url, local_dir=tmp_path / "second") as second:
        import psycopg

        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            _psycopg(first.rsplit("/", 1)[0] + "/" + second_url.rsplit("/", 1)[1])
        # The copied mapping names a login of the first study: no password reset for it here ...
        with pytest.raises(ValidationError, match="not .*a rater login of this study"):
            from rushrater.services.multisite import reset_db_password

            reset_db_password(second, "R01", "another password", actor="test")
        # ... but a new login replaces it.
        again = _login(second, "R01")
        with _psycopg(again) as conn:
            assert conn.execute("SELECT code FROM rater").fetchall() == [("R01",)]
    with _psycopg(second_url) as conn:
        assert conn.execute("SELECT role_name FROM rater_db_role").fetchall() != [(old_role,)]
