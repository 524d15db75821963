"""Issue 12, scores only on what the rater saw: a case whose images did not load takes no scores."""

from __future__ import annotations

import pytest

from rushrater.domain.errors import RushRaterError, ValidationError
from rushrater.services.planning import plan_reading
from rushrater.services.reading import IMAGE_FAILED_REASON, ReadingSession, image_load_failures
from rushrater.storage import models


def _all(study, value=2):
    return {item.key: value for item in study.rubric.items}


@pytest.fixture
def session(populated_study):
    plan_reading(populated_study, seed=3, actor="test")
    return ReadingSession.login(populated_study, "R01", new_pin="2468")


def _break_first_image(session, case, monkeypatch):
    """Damage the stored AP image of the case: its file (a hash mismatch on load), or on a server
    study, where the bytes live in the database, the store's answer for it."""
    from rushrater.imaging.store import ImageIntegrityError

    key, _sha = session._files[case.images[0].id]
    if session.study.url is None:
        path = session.study.images.path(key)
        path.write_bytes(path.read_bytes()[:-7] + b"garbage")
        return
    original = session.study.images.load

    def load(wanted, sha=None):
        if wanted == key:
            raise ImageIntegrityError("stored image does not match its recorded hash (changed or damaged)")
        return original(wanted, sha)

    monkeypatch.setattr(session.study.images, "load", load)


def test_a_case_whose_image_failed_cannot_be_scored_only_marked_unreadable(session, monkeypatch):
    study = session.study
    case = session.current()
    _break_first_image(session, case, monkeypatch)
    with pytest.raises(RushRaterError) as failed:
        session.load_pixels(case.images[0])
    session.report_image_failure(case, case.images[0].view, failed.value.message)
    assert session.images_failed(case)
    # Before: all ten scores were stored on a case the rater never saw.
    with pytest.raises(ValidationError) as refused:
        session.submit(case, _all(study))
    assert "did not load" in refused.value.message and IMAGE_FAILED_REASON in refused.value.fix
    stored = session.submit(case, None, unreadable_reason=IMAGE_FAILED_REASON)
    assert stored.total is None and stored.unreadable_reason == IMAGE_FAILED_REASON
    # A correction cannot add scores to it either.
    back = session.previous("2468")
    with pytest.raises(ValidationError):
        session.correct(back, _all(study), reason="I could guess")


def test_the_coordinator_sees_each_failure_once(session):
    case = session.current()
    session.report_image_failure(case, "AP", "stored image is missing")
    session.report_image_failure(case, "LAT", "stored image is missing")  # same case: reported once
    failures = image_load_failures(session.study)
    with session.study.db.read() as s:
        code = s.get(models.Case, session._ref(case).case_id).code
    assert [(f.rater, f.case, f.view, f.error) for f in failures] == [("R01", code, "AP", "stored image is missing")]
