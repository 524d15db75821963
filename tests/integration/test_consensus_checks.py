"""Issue 12, consensus that cannot contradict itself, decided by a known adjudicator."""

from __future__ import annotations

import pytest

from rushrater.domain.errors import ValidationError
from rushrater.services import audit
from rushrater.services.consensus import add_panel_member, adjudicators, consensus_history, record_consensus
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import submit_rating


@pytest.fixture
def case(populated_study):
    """One case scored 16, 17 and 24 by three raters (cut-off 18)."""
    study = populated_study
    plan_reading(study, seed=1, actor="test")
    code = reading_list(study, "R01")[0][1]
    keys = list(study.rubric.item_keys)
    for rater, total in (("R01", 16), ("R02", 17), ("R03", 24)):
        values, left = [1] * 10, total - 10
        for i in range(10):
            add = min(2, left)
            values[i] += add
            left -= add
        submit_rating(study, rater, code, dict(zip(keys, values)))
    add_panel_member(study, "Dr Senior", actor="test")
    return study, code


def test_healing_status_against_its_own_total_needs_confirmation_and_a_note(case):
    study, code = case
    # Before: "not slow healing" with a total of 16 (< 18) was stored without a word.
    with pytest.raises(ValidationError) as refused:
        record_consensus(study, code, decided_by="Dr Senior", total=16, slow_healing=False, note="looks united")
    assert "contradicts its total 16 and the cut-off 18" in refused.value.message
    assert "confirm" in refused.value.fix
    with pytest.raises(ValidationError):  # confirmed, but no note saying why
        record_consensus(study, code, decided_by="Dr Senior", total=16, slow_healing=False, confirm_contradiction=True)
    assert consensus_history(study, code) == []
    record = record_consensus(study, code, decided_by="Dr Senior", total=16, slow_healing=False,
                              confirm_contradiction=True, note="bridging on 3 cortices on the lateral view")
    assert record.slow_healing is False and record.total == 16


def test_a_total_outside_the_raters_range_needs_confirmation(case):
    study, code = case
    with pytest.raises(ValidationError) as refused:
        record_consensus(study, code, decided_by="Dr Senior", total=26, note="x")
    assert "outside the raters' range 16-24" in refused.value.message
    assert record_consensus(study, code, decided_by="Dr Senior", total=20).total == 20  # inside: no question
    assert record_consensus(study, code, decided_by="Dr Senior", total=26, note="all raters missed the callus",
                            confirm_contradiction=True).version == 2


def test_the_adjudicator_is_the_coordinator_or_a_registered_panel_member(case):
    study, code = case
    with pytest.raises(ValidationError) as refused:
        record_consensus(study, code, decided_by="Somebody Typed This", total=20)
    assert "neither the study coordinator nor a registered panel member" in refused.value.message
    by_coordinator = record_consensus(study, code, decided_by="coordinator", total=20)
    assert by_coordinator.decided_by == audit.coordinator_actor()
    assert adjudicators(study) == [audit.coordinator_actor(), "Dr Senior"]
    assert record_consensus(study, code, decided_by="dr senior", total=20).decided_by == "Dr Senior"
    with pytest.raises(ValidationError):  # one adjudicator, several only for a panel
        record_consensus(study, code, decided_by=["Dr Senior", "coordinator"], total=20)
    panel = record_consensus(study, code, decided_by=["Dr Senior", "coordinator"], method="panel", total=20)
    assert panel.decided_by == f"Dr Senior; {audit.coordinator_actor()}"
    with pytest.raises(ValidationError):
        add_panel_member(study, "dr senior")  # already registered
