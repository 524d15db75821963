"""A submit whose connection breaks is retried with the same idempotency key and saved once."""

from contextlib import contextmanager

import pytest

from factories import full_scores
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import submit_rating
from rushrater.services.status import study_status
from rushrater.storage import TransientDatabaseError


def _break_first_write(study, monkeypatch, *, after_commit: bool):
    """The first write transaction fails as a lost connection would: before, or after, its commit."""
    real_write = study.db.write
    calls = {"n": 0}

    @contextmanager
    def flaky_write():
        calls["n"] += 1
        if calls["n"] == 1 and not after_commit:
            raise TransientDatabaseError("the connection to the database server was interrupted")
        with real_write() as session:
            yield session
        if calls["n"] == 1:  # committed, but the acknowledgement never arrived
            raise TransientDatabaseError("the connection to the database server was lost")

    monkeypatch.setattr(study.db, "write", flaky_write)
    monkeypatch.setattr("rushrater.services.ratings.RETRY_DELAYS_S", (0.0, 0.0))
    return calls


@pytest.mark.parametrize("after_commit", [False, True], ids=["lost-before-commit", "ack-lost-after-commit"])
def test_submit_retries_and_saves_exactly_once(populated_study, monkeypatch, after_commit):
    plan_reading(populated_study, seed=2, actor="test")
    case = reading_list(populated_study, "R01")[0][1]
    calls = _break_first_write(populated_study, monkeypatch, after_commit=after_commit)
    rating = submit_rating(populated_study, "R01", case, full_scores(populated_study, 2), submission_id="fixed-key-1")
    assert calls["n"] == 2 and rating.total == 20
    monkeypatch.undo()
    done = {r["code"]: r["done"] for r in study_status(populated_study)["raters"]}
    assert done["R01"] == 1


def test_a_connection_that_stays_down_is_reported_after_the_retries(populated_study, monkeypatch):
    plan_reading(populated_study, seed=2, actor="test")
    case = reading_list(populated_study, "R01")[0][1]

    @contextmanager
    def down():
        raise TransientDatabaseError("the connection to the database server was interrupted", fix="check the network")
        yield

    monkeypatch.setattr(populated_study.db, "write", down)
    monkeypatch.setattr("rushrater.services.ratings.RETRY_DELAYS_S", (0.0, 0.0, 0.0))
    with pytest.raises(TransientDatabaseError, match="interrupted"):
        submit_rating(populated_study, "R01", case, full_scores(populated_study, 2))
