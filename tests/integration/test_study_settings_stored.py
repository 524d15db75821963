"""A study's stored settings, typed on open (domain.settings.StudySettings): an older study without
some settings and with keys this version does not know opens, and a change keeps those keys and is
audited as before."""

from __future__ import annotations

from sqlalchemy import select

from rushrater.domain.settings import DEFAULTS, StudySettings
from rushrater.services.settings import update_settings
from rushrater.services.study import DEFAULT_SETTINGS, open_study
from rushrater.storage import models, queries


def _reopen(study):
    location = study.root if study.db.is_sqlite else study.db.url
    study.close()
    return open_study(location, local_dir=None if study.db.is_sqlite else study.root)


def test_an_older_study_opens_with_defaults_and_keeps_unknown_keys(make_study):
    study = make_study("old")
    stored = {"edit_policy": "none", "from_a_newer_version": {"x": 1}}  # no cut-off, no washout
    with study.db.write() as session:
        queries.study(session).settings = stored
    study = _reopen(study)
    try:
        assert isinstance(study.settings, StudySettings)
        assert study.settings.edit_policy == "none"
        assert study.settings.slow_healing_cutoff == DEFAULTS["slow_healing_cutoff"]
        assert study.settings.washout_days == DEFAULTS["washout_days"]
        assert study.settings.extra == {"from_a_newer_version": {"x": 1}}

        after = update_settings(study, {"slow_healing_cutoff": 20}, actor="test", reason="protocol")
        # Stored and audited as before the settings were typed: defaults, what was stored, the change.
        assert after == {**DEFAULT_SETTINGS, **stored, "slow_healing_cutoff": 20.0}
        with study.db.read() as session:
            assert queries.study(session).settings == after
            event = session.scalars(select(models.AuditEvent).where(models.AuditEvent.action == "study.settings")).one()
        assert event.before == stored and event.after == after and event.reason == "protocol"
        assert study.settings.slow_healing_cutoff == 20 and study.settings.extra == {"from_a_newer_version": {"x": 1}}
    finally:
        study.close()


def test_a_new_study_stores_the_five_defaults_it_always_stored(study):
    with study.db.read() as session:
        assert queries.study(session).settings == {
            "edit_policy": "previous", "blank_screen_ms": 0, "slow_healing_cutoff": 18, "idle_pause_seconds": 120,
            "washout_days": 28,
        }
    assert study.settings == StudySettings()
