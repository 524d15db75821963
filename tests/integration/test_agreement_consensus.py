"""Consensus: automatic mean/median per case and group, discordance flags, decided versions with audit."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from factories import full_scores
from rushrater.domain.errors import NotFoundError, ValidationError
from rushrater.services.consensus import (
    automatic_consensus,
    case_scores,
    consensus_history,
    current_consensus,
    discordant_cases,
    add_panel_member,
    record_consensus,
    save_automatic_consensus,
)
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import submit_rating
from rushrater.services.settings import update_settings
from rushrater.storage import models


@pytest.fixture
def scored(populated_study):
    """Three raters (2 residents, 1 attending) score two cases with chosen totals."""
    study = populated_study
    plan_reading(study, seed=1, actor="test")
    cases = [c for _, c, _ in reading_list(study, "R01")][:2]
    keys = list(study.rubric.item_keys)

    def scores(total):  # items summing to ``total`` (10-30)
        values, left = [1] * 10, total - 10
        for i in range(10):
            add = min(2, left)
            values[i] += add
            left -= add
        return dict(zip(keys, values))

    # case 0: totals 16, 17, 24 (spread 8, healing split at 18); case 1: 20, 21, 22 (agreement)
    for rater, (a, b) in zip(("R01", "R02", "R03"), ((16, 20), (17, 21), (24, 22))):
        submit_rating(study, rater, cases[0], scores(a))
        submit_rating(study, rater, cases[1], scores(b))
    for name in ("Dr Senior", "Dr S", "Lee", "Shah", "Ortiz"):  # who may decide a consensus
        add_panel_member(study, name, actor="test")
    return study, cases


def test_mean_median_and_discordance_per_scope(scored):
    study, (split, calm) = scored
    auto = automatic_consensus(study).set_index(["scope", "case"])
    row = auto.loc[("all", split)]
    assert row["n_raters"] == 3 and row["mean_total"] == pytest.approx(19.0) and row["median_total"] == 17
    assert row["spread"] == 8 and row["n_slow"] == 2 and bool(row["healing_split"]) and bool(row["discordant"])
    assert "8 points" in row["reason"] and "split" in row["reason"]
    assert not bool(auto.loc[("all", calm), "discordant"])
    # item-wise medians
    assert {c for c in auto.columns if c.startswith("median_")} >= {f"median_{k}" for k in study.rubric.item_keys}
    resident = auto.loc[("resident", split)]
    assert resident["n_raters"] == 2 and resident["median_total"] == 16.5 and not bool(resident["discordant"])
    assert auto.loc[("attending", split), "n_raters"] == 1
    # thresholds are configurable: per call and in the study settings
    assert not automatic_consensus(study, spread=10, cutoff=10).set_index(["scope", "case"]).loc[("all", split),
                                                                                                   "discordant"]
    update_settings(study, {"discordance_spread": 1}, actor="test")
    assert bool(automatic_consensus(study).set_index(["scope", "case"]).loc[("all", calm), "discordant"])


def test_adjudication_is_versioned_and_audited(scored):
    study, (split, _calm) = scored
    queue = discordant_cases(study)
    assert list(queue["case"]) == [split] and queue["decided_method"].isna().all()
    first = record_consensus(study, split, decided_by="Dr Senior", total=18, note="callus on lateral", actor="test")
    assert (first.version, first.method, first.slow_healing, first.supersedes_id) == (1, "adjudicated", False, None)
    second = record_consensus(
        study, split, decided_by=["Lee", "Shah", "Ortiz"], method="panel",
        item_values=full_scores(study, 1), note="consensus meeting 3 March", actor="test",
        confirm_contradiction=True,  # 10 is below every rater's total
    )
    assert (second.version, second.total, second.slow_healing, second.supersedes_id) == (2, 10.0, True, first.id)
    history = consensus_history(study, split)
    assert [h.version for h in history] == [1, 2] and history[0].decided_by == "Dr Senior"
    queue = discordant_cases(study)
    assert queue.loc[0, "decided_method"] == "panel" and queue.loc[0, "decided_by"] == "Lee; Shah; Ortiz"
    with study.db.read() as session:
        events = list(session.scalars(select(models.AuditEvent).where(models.AuditEvent.action == "consensus.record")))
    assert len(events) == 2 and events[1].before["version"] == 1 and events[1].reason == "consensus meeting 3 March"
    assert events[1].after["decided_by"] == "Lee; Shah; Ortiz" and events[1].actor == "test"
    assert events[1].after["confirmed_contradictions"] == ["total 10 lies outside the raters' range 16-24"]


def test_bad_consensus_input_is_refused(scored):
    study, (split, _) = scored
    with pytest.raises(ValidationError):
        record_consensus(study, split, decided_by="  ", total=20)
    with pytest.raises(ValidationError):
        record_consensus(study, split, decided_by="Dr S", total=31)
    with pytest.raises(ValidationError):
        record_consensus(study, split, decided_by="Dr S")
    with pytest.raises(ValidationError):
        record_consensus(study, split, decided_by="Dr S", item_values=full_scores(study, 2), total=21)
    with pytest.raises(ValidationError):
        record_consensus(study, split, decided_by="Dr S", total=20, method="median")
    with pytest.raises(NotFoundError):
        record_consensus(study, "NOPE", decided_by="Dr S", total=20)
    with pytest.raises(NotFoundError):
        record_consensus(study, split, decided_by="Dr S", total=20, scope="fellows")
    assert consensus_history(study, split) == []


def test_automatic_consensus_is_stored_once_and_never_over_a_decision(scored):
    study, (split, calm) = scored
    record_consensus(study, split, decided_by="Dr Senior", total=18, actor="test")
    written = save_automatic_consensus(study, "median", actor="test")
    # (all, attending, resident) x 2 cases, minus the adjudicated (all, split)
    assert written == 5
    assert save_automatic_consensus(study, "median", actor="test") == 0
    current = current_consensus(study).set_index(["scope", "case"])
    assert current.loc[("all", split), "method"] == "adjudicated"
    assert current.loc[("all", calm), "method"] == "median" and current.loc[("all", calm), "total"] == 21
    assert save_automatic_consensus(study, "mean", actor="test") == 5  # switching method is a new version
    assert save_automatic_consensus(study, "mean", actor="test") == 0


def test_case_scores_for_the_adjudication_view(scored):
    study, (split, _) = scored
    table = case_scores(study, split)
    assert list(table["rater"]) == ["R03", "R01", "R02"]  # attending first, then residents
    assert list(table["total"]) == [24, 16, 17]
    assert isinstance(table, pd.DataFrame) and "trab_fxline" in table.columns
