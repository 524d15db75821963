"""PostgreSQL login refusals through the command line: one message with the fix, never a traceback
(issue 18). Wrong passwords cannot be produced on a server that trusts local logins; the mapping of
that server message is covered by tests/unit/test_pg_messages.py."""

import subprocess
import sys

import pytest

import pgserver


@pytest.fixture
def server():
    if pgserver.server_problem():
        pytest.skip(pgserver.server_problem())
    return pgserver


def _status(url):
    return subprocess.run([sys.executable, "-m", "rushrater.cli.main", "status", url], capture_output=True, text=True)


@pytest.mark.parametrize("kind, message", [
    ("unknown role", "the server has no user"),
    ("role without login", "may not connect"),
    ("unknown database", "there is no database"),
])
def test_refused_logins_name_the_cause_and_the_fix(server, kind, message):
    database = server.create_database().rsplit("/", 1)[1]
    user = ""
    if kind == "unknown role":
        user = server.role_name("ghost")
    elif kind == "role without login":
        user = server.role_name("nologin")
        with server._connect() as conn:
            conn.execute(f'CREATE ROLE "{user}" NOLOGIN')
    else:
        database += "_missing"
    run = _status(server.url_for(database, user=user))
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert message in run.stderr and "fix:" in run.stderr
