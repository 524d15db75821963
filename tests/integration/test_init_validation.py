"""``init`` checks what the user typed first and creates the study in one transaction (issue 18).

The PostgreSQL side is in test_pg_isolation.py; a folder study must leave nothing behind either.
"""

from __future__ import annotations

import pytest

from rushrater.cli.main import main as cli_main
from rushrater.domain.errors import ValidationError
from rushrater.services import study as study_service
from rushrater.services.study import create_study, open_study


def test_a_title_longer_than_the_column_is_refused_before_anything_is_made(tmp_path, capsys):
    with pytest.raises(ValidationError, match="longer than 200 characters"):
        create_study(tmp_path / "new", "T" * 201, actor="test")
    assert not (tmp_path / "new").exists()
    assert cli_main(["init", str(tmp_path / "cli"), "--title", "T" * 201]) == 1
    assert "Traceback" not in capsys.readouterr().err and not (tmp_path / "cli").exists()
    with create_study(tmp_path / "ok", "T" * 200, actor="test") as study:
        assert open_study(study.root).title == "T" * 200


@pytest.mark.parametrize("existing", [False, True])
def test_a_failure_while_storing_the_study_leaves_no_half_made_folder(tmp_path, monkeypatch, existing):
    target = tmp_path / "study"
    if existing:
        target.mkdir()  # an empty folder the user made: it stays, empty

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(study_service, "_store_rubric", broken)
    with pytest.raises(RuntimeError):
        create_study(target, "T", actor="test")
    assert (target.exists() and list(target.iterdir()) == []) if existing else not target.exists()
