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


def test_files_stored_before_the_change_go_when_it_cannot_even_begin(study, monkeypatch):
    from rushrater.services import unit_of_work as module

    early = study.images.put(_pixels())

    def locked(*args):
        raise RuntimeError("database is locked")

    # Fails as the transaction opens, before there is a unit of work to hold the file. (Not by
    # breaking Database.write: on a server the blob store needs it to remove the file.)
    monkeypatch.setattr(module, "UnitOfWork", locked)
    with pytest.raises(RuntimeError, match="locked"):
        with unit_of_work(study, "coordinator:test", new_files=[early.key]):
            pass
    assert not study.images.path(early.key).exists()


def test_a_service_write_is_heard_with_its_entities(study):
    heard: list[Changes] = []
    unsubscribe = study.subscribe(heard.append)
    add_rater(study, "Dr One", "resident", actor="test")
    assert heard and heard[-1].touches(Entity.RATERS)
    unsubscribe()
    add_rater(study, "Dr Two", "resident", actor="test")
    assert len(heard) == 1


def test_a_failed_import_leaves_no_image_files_and_no_rows(study, tmp_path, monkeypatch):
    from rushrater.services import imports
    from factories import image_rows, write_manifest

    source = tmp_path / "source"
    manifest = write_manifest(tmp_path / "manifest.csv", image_rows(source, 1, timepoints=("day1",)))
    heard: list[Changes] = []
    study.subscribe(heard.append)
    files_before = set(study.images.keys())
    real_deid_row, calls = imports._deid_row, []

    def failing_on_the_second(result, image_id):
        calls.append(image_id)
        if len(calls) == 2:
            raise OSError("disk gone while storing the second image")
        return real_deid_row(result, image_id)

    monkeypatch.setattr(imports, "_deid_row", failing_on_the_second)
    # The unit of work must discard the files itself, not the import's garbage sweep after it.
    monkeypatch.setattr(imports, "_remove_own_leftovers", lambda study, before: None)
    with pytest.raises(OSError, match="second image"):
        imports.import_manifest(study, source, manifest, actor="test")
    assert len(calls) == 2  # the first image's rows were written before the failure
    assert set(study.images.keys()) == files_before
    with study.db.read() as session:
        for table in (models.Image, models.StagedImage, models.Patient, models.Case):
            assert session.query(table).count() == 0, table.__name__
        assert session.query(models.AuditEvent).filter_by(action="images.import").count() == 0
    assert heard == []


def test_a_service_returns_the_entities_it_changed(populated_study):
    from rushrater.services.consensus import record_consensus
    from rushrater.services.planning import plan_reading
    from rushrater.services.ratings import submit_rating
    from factories import full_scores

    study = populated_study
    heard: list[Changes] = []
    study.subscribe(heard.append)

    plan = plan_reading(study, seed=7, actor="test")
    assert plan.changes.touches(Entity.READING_PLAN) and not plan.changes.touches(Entity.RATINGS, Entity.CONSENSUS)
    assert "plan.create" in plan.changes.actions

    with study.db.read() as session:
        case = session.query(models.Case).order_by(models.Case.id).first().code
    rating = submit_rating(study, "R01", case, full_scores(study))
    assert rating.changes.entities == {Entity.RATINGS, Entity.AUDIT}
    assert rating.changes.actions == ("rating.submit",)
    # A retried submit finds the rating stored: it changes nothing and nobody is told.
    again = submit_rating(study, "R01", case, full_scores(study), submission_id=rating.submission_id)
    assert again.id == rating.id and not again.changes

    decided = record_consensus(study, case, decided_by="coordinator", total=20, actor="test")
    assert decided.changes.entities == {Entity.CONSENSUS, Entity.AUDIT}
    assert heard == [plan.changes, rating.changes, decided.changes]
