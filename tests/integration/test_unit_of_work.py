"""The one write path: what a write returns, what it tells the windows, and what it does to files."""

from __future__ import annotations

import numpy as np
import pytest

from rushrater.domain.changes import Changes, Entity
from rushrater.domain.errors import ValidationError
from rushrater.services.raters import add_rater
from rushrater.services.unit_of_work import unit_of_work
from rushrater.storage import models


def _pixels() -> np.ndarray:
    return (np.arange(64 * 64, dtype=np.uint16) % 4096).reshape(64, 64)


def test_a_write_returns_what_it_changed_and_tells_the_listeners(study):
    heard: list[Changes] = []
    study.subscribe(heard.append)
    with unit_of_work(study, "coordinator:test") as uow:
        uow.session.add(models.RaterGroup(name="fellow"))
        uow.record("groups.add", "rater_group", "fellow")
    assert uow.changes.entities == {Entity.RATERS, Entity.AUDIT}
    assert uow.changes.touches(Entity.RATERS) and not uow.changes.touches(Entity.RATINGS)
    assert uow.changes.actions == ("groups.add",)
    assert heard == [uow.changes]


def test_the_audit_row_is_in_the_same_transaction(study):
    with pytest.raises(ValidationError):
        with unit_of_work(study, "coordinator:test") as uow:
            uow.record("groups.add", "rater_group", "ghost")
            raise ValidationError("refused", fix="none")
    with study.db.read() as session:
        assert session.query(models.AuditEvent).filter_by(action="groups.add").count() == 0


def test_a_failed_write_discards_its_new_files_and_keeps_the_old(study):
    heard: list[Changes] = []
    study.subscribe(heard.append)
    old = study.images.put(_pixels())
    with pytest.raises(RuntimeError):
        with unit_of_work(study, "coordinator:test") as uow:
            new = study.images.put(_pixels() + 1)
            uow.keep_new_file(new.key)
            uow.retire_file(old.key)
            raise RuntimeError("disk gone")
    assert not study.images.path(new.key).exists()
    assert study.images.path(old.key).exists()
    assert heard == []


def test_a_committed_write_removes_the_files_it_replaced(study):
    old = study.images.put(_pixels())
    with unit_of_work(study, "coordinator:test") as uow:
        new = study.images.put(_pixels() + 1)
        uow.keep_new_file(new.key)
        uow.retire_file(old.key)
        uow.record("images.replace", "image", 0)
    assert study.images.path(new.key).exists()
    assert not study.images.path(old.key).exists()


def test_a_service_write_is_heard_with_its_entities(study):
    heard: list[Changes] = []
    unsubscribe = study.subscribe(heard.append)
    add_rater(study, "Dr One", "resident", actor="test")
    assert heard and heard[-1].touches(Entity.RATERS)
    unsubscribe()
    add_rater(study, "Dr Two", "resident", actor="test")
    assert len(heard) == 1
