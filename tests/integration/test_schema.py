"""The migrations build exactly the schema the models describe; study versions are checked."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from rushrater.domain.errors import StudyVersionError
from rushrater.services.study import open_study
from rushrater.storage.database import SCHEMA_HEAD, head_revision
from rushrater.storage.models import Base


def test_migrated_schema_matches_the_models(study):
    engine = create_engine(f"sqlite:///{study.root / 'study.db'}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_new_study_is_at_the_head_revision(study):
    assert study.db.current_revision() == head_revision() == SCHEMA_HEAD


def test_study_from_a_newer_release_is_refused_untouched(study):
    path = study.root
    study.close()
    with sqlite3.connect(path / "study.db") as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = (path / "study.db").read_bytes()
    with pytest.raises(StudyVersionError, match="newer"):
        open_study(path)
    assert (path / "study.db").read_bytes() == before


def test_older_study_is_backed_up_then_upgraded(study):
    """A study last opened by the first release (schema 0001) is copied to backups/, then upgraded."""
    from alembic import command

    from rushrater.storage.database import alembic_config

    path = study.root
    url = study.db.url
    study.close()
    command.downgrade(alembic_config(url), "0001")
    with sqlite3.connect(path / "study.db") as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    with open_study(path) as again:
        assert again.db.current_revision() == head_revision()
        backup = again.upgraded_from_backup
        assert backup is not None and backup.parent == path / "backups"
        with sqlite3.connect(backup) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
            assert con.execute("SELECT title FROM study").fetchone()[0] == "Test study"
    with open_study(path) as third:
        assert third.upgraded_from_backup is None  # already current: no second backup
