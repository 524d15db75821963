"""Issue 12, blinding and rater identity: nobody reads, sees or changes scores as another rater."""

from __future__ import annotations

import io

import pytest

from rushrater.domain.errors import NotFoundError, ValidationError
from rushrater.services.planning import plan_reading
from rushrater.services.raters import add_rater, rater_credentials, set_open_workstation
from rushrater.services.reading import CredentialNeeded, PinError, ReadingSession, raters_for_login
from rushrater.storage import models, queries


def _all(study, value=2):
    return {item.key: value for item in study.rubric.items}


@pytest.fixture
def planned(populated_study):
    plan_reading(populated_study, seed=3, actor="test")
    return populated_study


def test_a_rater_without_a_pin_cannot_be_logged_in_as_in_a_multi_rater_study(planned):
    # Before: anyone could log in as any PIN-less rater and open their last case.
    with pytest.raises(CredentialNeeded) as raised:
        ReadingSession.login(planned, "R01")
    assert "no PIN yet" in raised.value.message and "choose a PIN" in raised.value.fix
    assert [c.must_set_pin for c in raters_for_login(planned)] == [True, True, True]


def test_the_rater_chooses_a_pin_at_first_login_and_only_its_hash_is_kept(planned):
    with pytest.raises(ValidationError):
        ReadingSession.login(planned, "R01", new_pin="12")  # too short: nothing stored
    session = ReadingSession.login(planned, "R01", new_pin="my-secret-7")
    assert session.rater_code == "R01"
    with planned.db.read() as s:
        row = queries.rater_by_code_or_name(s, "R01")
        assert row.pin_hash.startswith("scrypt$") and "my-secret-7" not in row.pin_hash
        event = [e for e in s.query(models.AuditEvent).all() if e.action == "rater.pin"][-1]
        assert event.actor == "rater:R01" and "my-secret-7" not in repr((event.before, event.after, event.reason))
    # From now on the PIN is needed, and a second "first PIN" cannot replace it.
    with pytest.raises(PinError):
        ReadingSession.login(planned, "R01")
    with pytest.raises(PinError):
        ReadingSession.login(planned, "R01", new_pin="takeover")
    assert ReadingSession.login(planned, "R01", "my-secret-7").rater_code == "R01"


def test_one_rater_alone_needs_no_pin(study):
    add_rater(study, "Dr Solo", "resident", actor="test")
    assert ReadingSession.login(study, "R01").rater_code == "R01"


def test_a_pin_set_at_enrolment_is_needed_at_login(study):
    add_rater(study, "Dr One", "resident", pin="1357", actor="test")
    add_rater(study, "Dr Two", "resident", actor="test")
    with pytest.raises(PinError):
        ReadingSession.login(study, "R01")
    assert ReadingSession.login(study, "R01", "1357").rater_code == "R01"
    with pytest.raises(ValidationError):
        add_rater(study, "Dr Three", "resident", pin="no", actor="test")
    assert [r.code for r in rater_credentials(study) if r.needs_pin] == ["R02"]


def test_going_back_and_correcting_re_check_the_pin(planned):
    session = ReadingSession.login(planned, "R01", new_pin="2468")
    case = session.current()
    session.submit(case, _all(planned, 2))
    with pytest.raises(PinError):
        session.previous()  # the scores of a submitted case are shown only after the PIN again
    with pytest.raises(PinError):
        session.previous("9999")
    # A correction of a view that did not come through the PIN check is refused.
    with pytest.raises(PinError):
        session.correct(case, _all(planned, 3), reason="sneaky")
    back = session.previous("2468")
    assert dict(back.previous_values) == _all(planned, 2)
    assert session.correct(back, _all(planned, 3), reason="misread").version == 2


def test_a_session_refuses_a_correction_of_another_raters_case(planned):
    mine = ReadingSession.login(planned, "R01", new_pin="2468")
    theirs = ReadingSession.login(planned, "R02", new_pin="1357")
    theirs.submit(theirs.current(), _all(planned, 2))
    their_back = theirs.previous("1357")
    with pytest.raises(NotFoundError) as raised:
        mine.correct(their_back, _all(planned, 1), reason="not mine")
    assert "session" in raised.value.message
    with planned.db.read() as s:
        r2 = queries.rater_by_code_or_name(s, "R02")
        assert all(r.total == 20 for r in queries.current_ratings(s) if r.rater_id == r2.id)


def test_open_workstation_is_an_explicit_audited_exception(planned):
    set_open_workstation(planned, "R03", True, actor="test", reason="training rater")
    assert ReadingSession.login(planned, "R03").rater_code == "R03"
    states = {r.code: (r.open_workstation, r.needs_pin) for r in rater_credentials(planned)}
    assert states == {"R01": (False, True), "R02": (False, True), "R03": (True, False)}
    with planned.db.read() as s:
        events = [e for e in s.query(models.AuditEvent).all() if e.action == "rater.open_workstation"]
    assert events[-1].after == {"open_workstation": True} and events[-1].reason == "training rater"
    set_open_workstation(planned, "R03", False, actor="test")
    with pytest.raises(CredentialNeeded):
        ReadingSession.login(planned, "R03")


def test_the_login_list_shows_names_but_no_progress(planned):
    choice = raters_for_login(planned)[0]
    assert not hasattr(choice, "done") and not hasattr(choice, "assigned")


def test_cli_raters_add_takes_a_pin_from_stdin(study, monkeypatch, capsys):
    from rushrater.cli.main import main

    add_rater(study, "Dr First", "resident", actor="test")
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    assert main(["raters", "add", str(study.root), "Dr Second", "--group", "resident", "--pin-stdin"]) == 0
    with pytest.raises(PinError):
        ReadingSession.login(study, "R02")
    assert ReadingSession.login(study, "R02", "8642").rater_code == "R02"
    assert main(["raters", "add", str(study.root), "Dr Third", "--group", "resident"]) == 0
    assert "choose one at their first login" in capsys.readouterr().out
    assert main(["raters", "list", str(study.root)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].endswith("Dr First  (no PIN yet)") and listing[1].endswith("Dr Second")
    assert listing[2].endswith("Dr Third  (no PIN yet)")
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    assert main(["raters", "add", str(study.root), "Dr Fourth", "--group", "resident", "--pin-stdin"]) == 1
    assert "Dr Fourth" not in [r.name for r in rater_credentials(study)]


def test_the_demo_opens_demo_reader_only_and_locks_the_simulated_raters(tmp_path):
    from rushrater.services.demo import DEMO_PERSON, build_demo

    study = build_demo(tmp_path / "demo", patients=3)
    try:
        states = {r.name: (r.has_pin, r.open_workstation, r.needs_pin) for r in rater_credentials(study)}
        assert states.pop(DEMO_PERSON) == (False, True, False)
        assert set(states.values()) == {(True, False, False)}  # five random PINs nobody is told
        assert ReadingSession.login(study, DEMO_PERSON).rater_name == DEMO_PERSON
        for name in states:
            with pytest.raises(PinError):
                ReadingSession.login(study, name)
        with study.db.read() as s:
            (event,) = [e for e in s.query(models.AuditEvent).all() if e.action == "rater.open_workstation"]
        assert event.actor == "system:demo" and "demo" in event.reason
    finally:
        study.close()
