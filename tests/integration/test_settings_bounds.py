"""Every study setting is bounded on input, with the setting's name and range in the message (issue 18)."""

import subprocess
import sys

import pytest

from rushrater.domain.errors import ValidationError
from rushrater.services.planning import plan_reading
from rushrater.services.settings import update_settings


@pytest.mark.parametrize(
    "name, value",
    [
        ("washout_days", 2_900_000),
        ("washout_days", float("inf")),
        ("washout_days", float("nan")),
        ("washout_days", -1),
        ("washout_days", "soon"),
        ("blank_screen_ms", 1e12),
        ("blank_screen_ms", 2.5),
        ("idle_pause_seconds", -5),
        ("slow_healing_cutoff", 31),
        ("discordance_spread", float("inf")),
        ("edit_policy", "any"),
        ("washout_days", True),
    ],
)
def test_out_of_range_setting_is_refused_and_nothing_stored(study, name, value):
    before = dict(study.settings)
    with pytest.raises(ValidationError, match=name) as caught:
        update_settings(study, {name: value}, actor="test")
    assert caught.value.fix and name in caught.value.fix or "use one of" in caught.value.fix
    assert study.settings == before


def test_settings_in_range_are_stored(study):
    after = update_settings(study, {"washout_days": 3650, "blank_screen_ms": 500.0, "edit_policy": "none"}, actor="test")
    assert after["washout_days"] == 3650 and after["blank_screen_ms"] == 500 and after["edit_policy"] == "none"


@pytest.mark.parametrize("days", [2_900_000, float("inf")])
def test_plan_refuses_an_unbounded_washout(populated_study, days):
    with pytest.raises(ValidationError, match="washout_days.*0 to 3650 days"):
        plan_reading(populated_study, seed=1, reread_fraction=0.2, washout_days=days, actor="test")


@pytest.mark.parametrize("days", ["inf", "2900000", "nan"])
def test_cli_washout_out_of_range_is_one_message(populated_study, days):
    location = str(populated_study.root) if populated_study.db.is_sqlite else populated_study.db.url
    run = subprocess.run(
        [sys.executable, "-m", "rushrater.cli.main", "plan", location, "--reread-fraction", "0.2", "--washout-days", days],
        capture_output=True, text=True,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "washout_days" in run.stderr
