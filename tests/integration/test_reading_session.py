"""The reading session service: login and PINs, blinded case views, submit, resume, go back, timing."""

from __future__ import annotations

import dataclasses
import pytest

from rushrater.domain.errors import ValidationError
from rushrater.services import audit
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.reading import (
    ActiveClock,
    CredentialNeeded,
    PinError,
    ReadingSession,
    raters_for_login,
    set_rater_pin,
    verify_pin,
)
from rushrater.services.settings import update_settings
from rushrater.storage import models, queries


def _all(study, value=2):
    return {item.key: value for item in study.rubric.items}


PIN = "2468"


@pytest.fixture
def reading_study(populated_study):
    plan_reading(populated_study, seed=3, actor="test")
    return populated_study


def _login(study, code):
    """Log in as a rater of a multi-rater study, choosing their PIN at first login if they have none."""
    with study.db.read() as s:
        has_pin = queries.rater_by_code_or_name(s, code).pin_hash is not None
    return ReadingSession.login(study, code, PIN) if has_pin else ReadingSession.login(study, code, new_pin=PIN)


def _first_rater_without_ratings(study):
    with study.db.read() as session:
        rated = queries.raters_with_ratings(session)
        planned = queries.raters_with_assignments(session)
        for rater in queries.raters(session):
            if rater.id in planned and rater.id not in rated:
                return rater.code
    pytest.skip("the populated study has no planned rater without ratings")


def test_case_view_is_blinded_and_numbered(reading_study):
    code = _first_rater_without_ratings(reading_study)
    session = _login(reading_study, code)
    case = session.current()
    done, total = session.progress()
    assert (case.number, case.total) == (done + 1, total)
    assert {i.view for i in case.images} == {"AP", "LAT"}
    assert case.images[0].view == "AP"
    # Nothing in the view model names the case, patient, time point or stored file.
    with reading_study.db.read() as s:
        db_case = s.get(models.Case, session._ref(case).case_id)
        secrets = {db_case.code, db_case.patient.code, db_case.timepoint.key, db_case.timepoint.label}
        secrets |= {img.storage_key for img in db_case.images}
    text = repr(dataclasses.asdict(case))
    for secret in secrets:
        assert secret not in text
    pixels = session.load_pixels(case.images[0])
    assert pixels.ndim == 2 and pixels.size > 0


def test_submit_moves_on_and_resume_starts_at_the_first_unfinished(reading_study):
    code = _first_rater_without_ratings(reading_study)
    session = _login(reading_study, code)
    first = session.current()
    started = audit.now()
    stored = session.submit(first, _all(reading_study), started_at=started, active_seconds=12.5,
                            viewer_state={"AP": {"window_center": 100}})
    assert stored.total == 20
    # Retrying the same case view stores nothing new.
    assert session.submit(first, _all(reading_study)).id == stored.id
    second = session.current()
    assert second.key != first.key and second.number == first.number + 1
    # A new session (the app was closed) resumes at the same place.
    again = _login(reading_study, code)
    assert again.current().number == second.number
    position_case = reading_list(reading_study, code)[0][1]
    with reading_study.db.read() as s:
        rating = queries.current_rating(s, session.rater_id, queries.case_by_code(s, position_case).id, 1)
        assert rating.active_seconds == 12.5
        assert rating.viewer_state == {"AP": {"window_center": 100}}
        assert rating.started_at is not None


def test_unreadable_needs_a_reason_and_is_kept(reading_study):
    code = _first_rater_without_ratings(reading_study)
    session = _login(reading_study, code)
    case = session.current()
    with pytest.raises(ValidationError):
        session.submit(case, None, unreadable_reason="  ")
    stored = session.submit(case, None, unreadable_reason="Wrong or missing view")
    assert stored.total is None and stored.unreadable_reason == "Wrong or missing view"
    assert session.current().key != case.key


def test_going_back_follows_the_edit_policy_and_makes_a_new_version(reading_study):
    code = _first_rater_without_ratings(reading_study)
    session = _login(reading_study, code)
    assert session.previous(PIN) is None  # nothing submitted yet
    case = session.current()
    session.submit(case, _all(reading_study, 2))
    back = session.previous(PIN)
    assert back.correcting and back.number == case.number and dict(back.previous_values) == _all(reading_study, 2)
    with pytest.raises(ValidationError):
        session.submit(back, _all(reading_study, 3))  # a change is never a plain submit
    changed = session.correct(back, _all(reading_study, 3), reason="misread the lateral view")
    assert changed.version == 2 and changed.total == 30
    update_settings(reading_study, {"edit_policy": "none"})
    assert not session.can_go_back() and session.previous(PIN) is None


def test_pin_login(reading_study):
    code = _first_rater_without_ratings(reading_study)
    with pytest.raises(ValidationError):
        set_rater_pin(reading_study, code, "12")  # too short
    set_rater_pin(reading_study, code, "4711")
    choice = next(c for c in raters_for_login(reading_study) if c.code == code)
    assert choice.has_pin
    with pytest.raises(PinError):
        ReadingSession.login(reading_study, code)
    with pytest.raises(PinError):
        ReadingSession.login(reading_study, code, "1234")
    assert ReadingSession.login(reading_study, code, "4711").rater_code == code
    with reading_study.db.read() as s:
        row = queries.rater_by_code_or_name(s, code)
        assert row.pin_hash.startswith("scrypt$") and "4711" not in row.pin_hash
        assert verify_pin("4711", row.pin_hash) and not verify_pin("4712", row.pin_hash)
    set_rater_pin(reading_study, code, None)
    with pytest.raises(CredentialNeeded):  # several raters: without a PIN nobody gets in as them
        ReadingSession.login(reading_study, code)


def test_active_clock_pauses_when_inactive_or_idle():
    t = [0.0]
    clock = ActiveClock(idle_limit=120, clock=lambda: t[0])
    t[0] = 30
    clock.activity()
    assert clock.seconds() == 30
    clock.set_focused(False)  # another window in front for 10 minutes
    t[0] = 630
    assert clock.seconds() == 30
    clock.set_focused(True)
    t[0] = 640
    assert clock.seconds() == 40
    t[0] = 1000  # idle: only the first 120 s after the last input count
    assert clock.seconds() == 30 + 10 + 120 - 10
    clock.activity()
    t[0] = 1005
    assert clock.seconds() == 155


def test_cli_sets_and_clears_a_pin(reading_study, monkeypatch, capsys):
    import io

    from rushrater.cli.main import main

    code = _first_rater_without_ratings(reading_study)
    monkeypatch.setattr("sys.stdin", io.StringIO("97531\n"))
    assert main(["raters", "pin", str(reading_study.root), code]) == 0
    assert "Set a PIN" in capsys.readouterr().out
    with pytest.raises(PinError):
        ReadingSession.login(reading_study, code)
    assert ReadingSession.login(reading_study, code, "97531").rater_code == code
    assert main(["raters", "pin", str(reading_study.root), code, "--clear"]) == 0
    with pytest.raises(CredentialNeeded):
        ReadingSession.login(reading_study, code)


def test_a_reread_waits_for_the_washout_after_its_own_first_read(populated_study, monkeypatch):
    """Re-reads planned early (day 0) still come only 28 days after that case's first read (day 20)."""
    from datetime import timedelta

    study = populated_study
    plan_reading(study, seed=5, actor="test")
    start = audit.now()
    plan_reading(study, reread_fraction=0.5, washout_days=28, actor="test")  # available from day 28
    with study.db.read() as s:
        rater = queries.rater_by_code_or_name(s, "R01")
        rereads = {a.case_id for a in queries.assignments(s, rater.id) if a.read_number == 2}
    assert rereads
    # The first reads are submitted on day 20.
    monkeypatch.setattr(audit, "now", lambda: start + timedelta(days=20))
    session = _login(study, "R01")
    session._clock = lambda: start + timedelta(days=20)
    while (case := session.current()) is not None:
        assert session._ref(case).read_number == 1
        session.submit(case, _all(study))
    # Day 29: the planned date has passed, but only 9 days since the first reads.
    day29 = _login(study, "R01")
    day29._clock = lambda: start + timedelta(days=29)
    assert day29.current() is None
    # Day 48: 28 days after the first reads, the re-reads are due.
    day48 = _login(study, "R01")
    day48._clock = lambda: start + timedelta(days=48, minutes=1)
    due = day48.current()
    assert due is not None and day48._ref(due).read_number == 2
    assert day48._ref(due).case_id in rereads
