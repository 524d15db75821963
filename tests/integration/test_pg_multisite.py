"""Multi-workstation studies on the machine's real PostgreSQL (a throwaway database per test).

Six rater processes at once, a connection killed mid-submit, row-level security as psql sees it,
SQLite -> PostgreSQL -> SQLite round trips, and the bad inputs a coordinator can give.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import shutil
import subprocess
import threading
import time
import uuid

import numpy as np
import pytest

import pgserver
from factories import full_scores, image_rows, write_manifest
from rushrater.cli.main import main as cli_main
from rushrater.domain.errors import NotAStudyError, NotFoundError, StudyExistsError, StudyVersionError, ValidationError
from rushrater.services.imports import import_manifest
from rushrater.services.multisite import enrol_db_login, migrate_study
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater
from rushrater.services.ratings import submit_rating
from rushrater.services.study import create_study, open_study
from rushrater.storage import DatabaseConnectError

pytestmark = pytest.mark.skipif(pgserver.server_problem() is not None, reason=str(pgserver.server_problem()))

RATERS = 6
PER_RATER = 500


def _psycopg(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


@pytest.fixture
def pg_url():
    url = pgserver.create_database()
    yield url
    pgserver.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def pg_study(pg_url, tmp_path):
    study = create_study(pg_url, "Multi-site study", actor="test", local_dir=tmp_path / "local")
    source = tmp_path / "source"
    manifest = write_manifest(tmp_path / "manifest.csv", image_rows(source, 6))
    import_manifest(study, source, manifest, actor="test")
    for n in range(RATERS):
        add_rater(study, f"Dr Rater {n + 1}", "resident" if n < 3 else "attending", actor="test")
    plan_reading(study, seed=5, actor="test")
    yield study
    study.close()


def _rater_login(study, code: str) -> str:
    dbname = study.url.rsplit("/", 1)[1]
    # A new login each time: an existing role is never taken over (issue 18).
    role = pgserver.role_name(f"{code.lower()}_{uuid.uuid4().hex[:6]}")
    password = f"pw-{uuid.uuid4().hex[:12]}"
    enrol_db_login(study, code, role, password, actor="test")
    return pgserver.url_for(dbname, role, password)


def _case_codes(study) -> list[str]:
    from rushrater.services.planning import reading_list

    return sorted({case for _pos, case, *_ in reading_list(study, "R01")})


def _submitter(url: str, local: str, code: str, cases: list[str], values: dict, start, queue) -> None:
    errors: list[str] = []
    saved = 0
    try:
        study = open_study(url, local_dir=local)
        start.wait(60)
        for i in range(PER_RATER):
            try:
                submit_rating(study, code, cases[i % len(cases)], values, read_number=i // len(cases) + 1,
                              submission_id=str(uuid.uuid4()))
                saved += 1
            except Exception as exc:  # any error surfacing to a rater fails the test
                errors.append(f"{type(exc).__name__}: {exc}")
        study.close()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    queue.put((code, saved, errors[:5]))


def test_six_rater_processes_submit_3000_ratings_at_once_exactly_once(pg_study, tmp_path):
    cases = _case_codes(pg_study)
    values = full_scores(pg_study, 2)
    urls = {f"R{n:02d}": _rater_login(pg_study, f"R{n:02d}") for n in range(1, RATERS + 1)}
    ctx = mp.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_submitter, args=(url, str(tmp_path / code), code, cases, values, start, queue))
        for code, url in urls.items()
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)
    start.set()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    assert all(errors == [] for _code, _saved, errors in results), results
    assert sorted(saved for _c, saved, _e in results) == [PER_RATER] * RATERS
    with _psycopg(pg_study.url) as conn:
        total, distinct_ids, distinct_keys = conn.execute(
            "SELECT count(*), count(DISTINCT submission_id), "
            "count(DISTINCT (rater_id, case_id, read_number, version)) FROM rating"
        ).fetchone()
        per_rater = dict(conn.execute("SELECT r.code, count(*) FROM rating JOIN rater r ON r.id = rater_id GROUP BY r.code"))
        scores = conn.execute("SELECT count(*) FROM rating_score").fetchone()[0]
        audits = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'rating.submit'").fetchone()[0]
    assert (total, distinct_ids, distinct_keys) == (3000, 3000, 3000)
    assert per_rater == {code: PER_RATER for code in urls}
    assert scores == 3000 * 10 and audits == 3000


def test_connection_killed_mid_submit_retries_and_saves_once(pg_study):
    """The server ends the workstation's connection while its submit waits inside the transaction."""
    case = _case_codes(pg_study)[0]
    submission = str(uuid.uuid4())
    with _psycopg(pg_study.url) as admin:
        # Hold a lock the submit's rating insert needs, so the submit is caught mid-transaction.
        admin.execute("BEGIN")
        admin.execute("LOCK TABLE rating IN EXCLUSIVE MODE")
        result: dict = {}

        def submit() -> None:
            try:
                result["rating"] = submit_rating(pg_study, "R01", case, full_scores(pg_study, 3), submission_id=submission)
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                result["error"] = exc

        worker = threading.Thread(target=submit)
        worker.start()
        victim = None
        for _ in range(200):
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'rushrater' "
                "AND wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchall()
            if rows:
                victim = rows[0][0]
                break
            time.sleep(0.05)
        assert victim is not None, "the submit never reached the database"
        admin.execute("SELECT pg_terminate_backend(%s)", (victim,))
        admin.execute("COMMIT")
        worker.join(60)
    assert "error" not in result, result.get("error")
    assert result["rating"].total == 30
    with _psycopg(pg_study.url) as conn:
        assert conn.execute("SELECT count(*) FROM rating WHERE submission_id = %s", (submission,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM rating").fetchone()[0] == 1
    # The same submit again (a workstation that never saw the answer) returns the stored rating.
    again = submit_rating(pg_study, "R01", case, full_scores(pg_study, 3), submission_id=submission)
    assert again.id == result["rating"].id


def test_a_rater_login_reads_only_its_own_scores(pg_study):
    cases = _case_codes(pg_study)
    for code, value in (("R01", 1), ("R02", 3)):
        submit_rating(pg_study, code, cases[0], full_scores(pg_study, value))
    r1 = _rater_login(pg_study, "R01")
    _rater_login(pg_study, "R02")
    import psycopg

    with _psycopg(r1) as conn:
        assert conn.execute("SELECT count(*) FROM reading_case").fetchone()[0] == len(cases)
        assert conn.execute("SELECT count(*) FROM image_blob").fetchone()[0] == 2 * len(cases)
        rows = conn.execute("SELECT r.code, rating.total FROM rating JOIN rater r ON r.id = rating.rater_id").fetchall()
        assert rows == [("R01", 10)]
        assert {v for (v,) in conn.execute("SELECT value FROM rating_score")} == {1}
        assert all(a == "rater:R01" for (a,) in conn.execute("SELECT actor FROM audit_event"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM consensus")
        # Another rater's row is not even visible (issue 18): its id comes from the coordinator.
        assert conn.execute("SELECT count(*) FROM rater WHERE code = 'R02'").fetchone()[0] == 0
        with _psycopg(pg_study.url) as coordinator:
            r2_id = coordinator.execute("SELECT id FROM rater WHERE code = 'R02'").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a rating in another rater's name
            conn.execute(
                "INSERT INTO rating (submission_id, rater_id, case_id, read_number, version, rubric_id, total, "
                "submitted_at, source) VALUES (%s, %s, 1, 1, 1, 1, 10, now(), 'api')",
                (str(uuid.uuid4()), r2_id),
            )
    # Through the app as that login: its own study view, its own ratings, the images checked by hash.
    with open_study(r1, local_dir=pg_study.root.parent / "r1") as as_rater:
        from rushrater.services.reading import ReadingSession  # noqa: F401  (the workstation's service)

        key = as_rater.images.keys()[0]
        assert as_rater.images.load(key).ndim == 2
        submit_rating(as_rater, "R01", cases[1], full_scores(as_rater, 2))
        with pytest.raises(NotFoundError, match="no rater 'R02'"):  # row-level security hides R02
            submit_rating(as_rater, "R02", cases[1], full_scores(as_rater, 2))
    psql = shutil.which("psql")
    if psql:
        out = subprocess.run(
            [psql, r1.replace("postgresql+psycopg://", "postgresql://"), "-Atc",
             "SELECT count(*) FROM rating_score JOIN rating ON rating.id = rating_id JOIN rater ON rater.id = rater_id "
             "WHERE rater.code = 'R02'"],
            capture_output=True, text=True, timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "0"


def _table_dump(url_or_study) -> dict[str, list]:
    from rushrater.storage.transfer import copy_tables, table_check

    study = url_or_study
    out = {}
    with study.db.engine.connect() as conn:
        for table in copy_tables():
            out[table.name] = table_check(conn, table)
    images = {key: hashlib.sha256(study.images.read_bytes(key)).hexdigest() for key in study.images.keys()}
    return {"tables": out, "images": images}


def test_migrate_sqlite_to_postgresql_and_back_is_equal(populated_study, pg_url, tmp_path):
    plan_reading(populated_study, seed=3, actor="test")
    if populated_study.url is not None:
        pytest.skip("the source must be a folder study (RUSHRATER_TEST_BACKEND=postgresql)")
    case = _case_codes(populated_study)[0]
    submit_rating(populated_study, "R01", case, full_scores(populated_study, 2))
    before = _table_dump(populated_study)
    assert cli_main(["migrate", str(populated_study.root), pg_url]) == 0
    back = tmp_path / "back"
    assert cli_main(["migrate", pg_url, str(back)]) == 0
    with open_study(pg_url, local_dir=tmp_path / "pg-local") as on_server:
        middle = _table_dump(on_server)
        pixels = on_server.images.load(on_server.images.keys()[0])
    with open_study(back) as returned:
        after = _table_dump(returned)
        assert np.array_equal(returned.images.load(returned.images.keys()[0]), pixels)
    for dump in (middle, after):
        assert dump["images"] == before["images"]
        for name, check in before["tables"].items():
            if name != "audit_event":
                assert dump["tables"][name] == check, name
    # The audit trail gained exactly one event per migration.
    assert after["tables"]["audit_event"].rows == before["tables"]["audit_event"].rows + 2
    # A non-empty destination is refused, and nothing is written to it.
    with pytest.raises(StudyExistsError, match="not empty"):
        migrate_study(str(populated_study.root), pg_url, actor="test")
    with pytest.raises(StudyExistsError, match="not empty"):
        migrate_study(pg_url, str(back), actor="test")


def test_wrong_password_is_named(pg_study, tmp_path):
    with _psycopg(pg_study.url) as conn:
        methods = {m for (m,) in conn.execute("SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host'")}
    if methods <= {"trust"}:
        pytest.skip("this server trusts every local login (pg_hba.conf 'trust'): it never checks a password")
    url = _rater_login(pg_study, "R01").replace(":pw-", ":wrong-")
    with pytest.raises(DatabaseConnectError, match="wrong password"):
        open_study(url, local_dir=tmp_path / "x")


def test_unreachable_server_is_named_and_nothing_is_created(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on, on this machine only
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/study"
    for attempt in (lambda: open_study(url, local_dir=tmp_path / "a"),
                    lambda: create_study(url, "T", local_dir=tmp_path / "b")):
        with pytest.raises(DatabaseConnectError, match=f"cannot reach the database server at 127.0.0.1:{port}"):
            attempt()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert cli_main(["status", url]) == 1


def test_missing_database_is_named(pg_url, tmp_path):
    url = pg_url.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(DatabaseConnectError, match="there is no database 'no_such_database_here'"):
        open_study(url, local_dir=tmp_path / "x")


def test_database_of_another_application_is_refused_untouched(pg_url, tmp_path):
    with _psycopg(pg_url) as conn:
        conn.execute("CREATE TABLE invoices (id serial PRIMARY KEY, amount numeric)")
        conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    with pytest.raises(NotAStudyError, match="not a RUSH Rater study"):
        open_study(pg_url, local_dir=tmp_path / "x")
    with pytest.raises(ValidationError, match="another application"):
        create_study(pg_url, "T", local_dir=tmp_path / "y")
    with _psycopg(pg_url) as conn:
        tables = {t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert tables == {"invoices"}
        assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 1


def test_schema_newer_than_the_app_is_refused_untouched(pg_url, tmp_path):
    create_study(pg_url, "T", actor="test", local_dir=tmp_path / "a").close()
    with _psycopg(pg_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        before = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    with pytest.raises(StudyVersionError, match="newer than this RUSH Rater"):
        open_study(pg_url, local_dir=tmp_path / "b")
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999"
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] == before


def test_migrated_postgresql_schema_matches_the_models(pg_url, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from rushrater.storage.database import SCHEMA_HEAD
    from rushrater.storage.models import Base

    with create_study(pg_url, "T", actor="test", local_dir=tmp_path / "a") as study:
        with study.db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert study.db.current_revision() == SCHEMA_HEAD


def test_init_and_a_local_folder_reopen_a_server_study_through_the_cli(pg_url, tmp_path, capsys):
    assert cli_main(["init", pg_url, "--title", "Server study"]) == 0
    out = capsys.readouterr().out
    assert "Server study" in out and "password" not in out
    with open_study(pg_url, local_dir=tmp_path / "ws") as study:
        assert study.title == "Server study"
    # The workstation's local folder remembers the server (never a password) and opens it again.
    assert (tmp_path / "ws" / "server.url").read_text().strip().startswith("postgresql+psycopg://")
    assert cli_main(["status", str(tmp_path / "ws")]) == 0
    assert "Server study" in capsys.readouterr().out


def test_raters_add_with_db_role_creates_a_login(pg_url, tmp_path, monkeypatch, capsys):
    import io

    create_study(pg_url, "T", actor="test", local_dir=tmp_path / "a").close()
    role = pgserver.role_name("lee")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert cli_main(["raters", "add", pg_url, "Dr Lee", "--group", "resident", "--db-role", role, "--db-password-stdin"]) == 0
    assert f"database login {role}" in capsys.readouterr().out
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,)).fetchone() == (True,)
        assert conn.execute("SELECT role_name FROM rater_db_role").fetchall() == [(role,)]
        audit = conn.execute("SELECT after::text FROM audit_event WHERE action = 'rater.db_role'").fetchone()[0]
        assert "correct horse" not in audit
    # A bad role name is refused before anything is stored.
    monkeypatch.setattr("sys.stdin", io.StringIO("another password\n"))
    assert cli_main(["raters", "add", pg_url, "Dr Kim", "--group", "resident", "--db-role", "Bad Name!", "--db-password-stdin"]) == 1
    with _psycopg(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM rater").fetchone()[0] == 1


def test_a_url_with_a_password_opens_but_the_password_is_never_written(pg_study, tmp_path, monkeypatch):
    from rushrater.cli.multisite import desktop_location

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the user data folder, sandboxed
    url = _rater_login(pg_study, "R03")
    assert ":pw-" in url
    folder = desktop_location(url)
    pointer = (folder / "server.url").read_text()
    assert "pw-" not in pointer and "@" in pointer
    # The app reopens the study from that folder with the password remembered in memory.
    with open_study(folder) as again:
        assert again.url is not None and again.title == "Multi-site study"
    assert not any("pw-" in p.read_text(errors="ignore") for p in folder.rglob("*") if p.is_file())


def _coordinator_database(privileges: str) -> tuple[str, str]:
    """A database owned by a non-superuser coordinator login with these privileges: (url, dbname)."""
    role = pgserver.role_name(f"coord_{uuid.uuid4().hex[:6]}")
    admin = pgserver.create_database()
    dbname = admin.rsplit("/", 1)[1]
    with _psycopg(admin) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN {privileges}')
        conn.execute(f'ALTER DATABASE "{dbname}" OWNER TO "{role}"')
        conn.execute(f'ALTER SCHEMA public OWNER TO "{role}"')
    return pgserver.url_for(dbname, role), dbname


def test_a_coordinator_role_with_createrole_owns_the_study_and_enrols_logins(tmp_path):
    url, dbname = _coordinator_database("CREATEROLE")
    with create_study(url, "Owned", actor="test", local_dir=tmp_path / "c") as study:
        add_rater(study, "Dr Lee", "resident", actor="test")
        rater_url = _rater_login(study, "R01")
    with _psycopg(url) as conn:
        owners = {o for (o,) in conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert owners == {url.split("//")[1].split("@")[0]}
    with _psycopg(rater_url) as conn:
        assert conn.execute("SELECT count(*) FROM rating").fetchone()[0] == 0


def test_a_coordinator_without_createrole_is_told_and_nothing_is_created(tmp_path):
    from rushrater.storage.database import DatabasePermissionError

    url, _ = _coordinator_database("NOCREATEROLE")
    with pytest.raises(DatabasePermissionError, match="CREATEROLE"):
        create_study(url, "T", actor="test", local_dir=tmp_path / "c")
    with _psycopg(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_check_blinding_searches_a_server_study_with_its_images(pg_url, tmp_path):
    from rushrater.services.blinding import check_blinding

    study = create_study(pg_url, "Blinding", actor="test", local_dir=tmp_path / "local")
    try:
        source = tmp_path / "source"
        manifest = write_manifest(tmp_path / "manifest.csv", image_rows(source, 2))
        import_manifest(study, source, manifest, actor="test")
        key_file = tmp_path / "keys" / "key.csv"
        key_file.parent.mkdir()
        key_file.write_text("patient_code,patient_id,patient_name,birth_date\nP001,HOSP-123456,DOE^JANE,19400101\n")
        report = check_blinding(study, key_file)
        assert report.images_scanned == 8 and report.hits == []  # every image, fetched from the server
    finally:
        study.close()
