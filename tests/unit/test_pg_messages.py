"""Connection failures to a PostgreSQL study name their cause (libpq's own wording in, ours out)."""

import pytest

from rushrater.storage.database import connect_error, safe_url, url_without_password, with_password

URL = "postgresql+psycopg://rater_lee:s3cret@db.example.org:5433/hipstudy"


@pytest.mark.parametrize(
    ("libpq", "expected"),
    [
        ('connection failed: FATAL:  password authentication failed for user "rater_lee"', "wrong password"),
        ("connection failed: fe_sendauth: no password supplied", "wrong password"),
        ('connection failed: FATAL:  database "hipstudy" does not exist', "there is no database 'hipstudy' on db.example.org:5433"),
        ('connection failed: FATAL:  role "rater_lee" does not exist', "the server has no user 'rater_lee'"),
        ('connection failed: FATAL:  permission denied for database "hipstudy"', "'rater_lee' may not connect to 'hipstudy'"),
        ("connection failed: Connection refused\n\tIs the server running on that host", "cannot reach the database server at db.example.org:5433"),
        ("connection failed: timeout expired", "cannot reach the database server at db.example.org:5433"),
    ],
)
def test_each_cause_gets_its_own_message_without_the_password(libpq, expected):
    error = connect_error(Exception(libpq), URL)
    assert expected in error.message
    assert "s3cret" not in str(error)


def test_urls_shown_or_remembered_never_carry_the_password():
    assert "s3cret" not in safe_url(URL)
    assert url_without_password(URL) == "postgresql+psycopg://rater_lee@db.example.org:5433/hipstudy"
    assert with_password("postgresql://lee@host/db", "p@ss:word") == "postgresql+psycopg://lee:p%40ss%3Aword@host/db"
