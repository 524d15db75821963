"""The RUSH rubric: structure, score arithmetic and validation (Chiavaras 2013; Bhandari 2013)."""

import pytest

from rushrater.domain.errors import ValidationError
from rushrater.domain.rubric import RUSH, is_slow_healing
from rushrater.domain.views import View


def test_rush_has_ten_items_four_cortices_and_two_trabecular_items():
    assert len(RUSH.items) == 10
    cortices = {(i.region, i.view) for i in RUSH.items if i.region != "trabecular"}
    assert cortices == {
        ("medial", View.AP),
        ("lateral", View.AP),
        ("anterior", View.LATERAL),
        ("posterior", View.LATERAL),
    }
    assert [i.key for i in RUSH.items if i.region == "trabecular"] == ["trab_consolidation", "trab_fxline"]
    assert all(i.values == (1, 2, 3) for i in RUSH.items)
    assert all(i.anchor(v) for i in RUSH.items for v in (1, 2, 3))


def test_component_and_total_ranges_match_the_published_score_sheet():
    assert RUSH.component_range("cortical_bridging") == (4, 12)
    assert RUSH.component_range("cortical_fracture_line") == (4, 12)
    assert RUSH.component_range("trabecular_consolidation") == (1, 3)
    assert RUSH.component_range("trabecular_fracture_line") == (1, 3)
    assert (RUSH.min_total, RUSH.max_total) == (10, 30)


def test_score_computes_subtotals_and_total():
    values = {
        "bridging_medial": 3, "fxline_medial": 2, "bridging_lateral": 2, "fxline_lateral": 2,
        "bridging_anterior": 1, "fxline_anterior": 1, "bridging_posterior": 3, "fxline_posterior": 3,
        "trab_consolidation": 2, "trab_fxline": 1,
    }
    score = RUSH.score(values)
    assert score.subtotals == {
        "cortical_bridging": 9,
        "cortical_fracture_line": 8,
        "trabecular_consolidation": 2,
        "trabecular_fracture_line": 1,
    }
    assert score.total == 20
    assert RUSH.score({k: 1 for k in RUSH.item_keys}).total == 10
    assert RUSH.score({k: 3 for k in RUSH.item_keys}).total == 30


@pytest.mark.parametrize("bad", [0, 4, -1, 2.5, "x", True, "", "3.5"])
def test_out_of_range_or_non_integer_values_are_rejected_naming_the_item(bad):
    values = {k: 2 for k in RUSH.item_keys}
    values["fxline_lateral"] = bad
    with pytest.raises(ValidationError) as err:
        RUSH.score(values)
    assert "fxline_lateral" in str(err.value)


def test_integer_text_from_csv_is_accepted():
    assert RUSH.score({k: "2" for k in RUSH.item_keys}).total == 20
    assert RUSH.score({k: 3.0 for k in RUSH.item_keys}).total == 30


def test_missing_and_unknown_items_are_listed_together():
    values = {k: 2 for k in RUSH.item_keys if k not in ("trab_fxline", "bridging_medial")}
    values["bridging_middle"] = 2
    with pytest.raises(ValidationError) as err:
        RUSH.score(values)
    text = str(err.value)
    assert "trab_fxline" in text and "bridging_medial" in text and "bridging_middle" in text


def test_slow_healing_is_below_18():
    assert is_slow_healing(17)
    assert not is_slow_healing(18)
    assert is_slow_healing(19, cutoff=20)


@pytest.mark.parametrize("text,view", [("AP", View.AP), ("ap", View.AP), ("LAT", View.LATERAL),
                                       ("lateral", View.LATERAL), ("LL", View.LATERAL),
                                       ("cross-table lateral", View.LATERAL)])
def test_view_spellings(text, view):
    assert View.parse(text) is view


@pytest.mark.parametrize("text", ["oblique", "", "PA-LAT", "frog"])
def test_other_views_are_rejected(text):
    with pytest.raises(ValidationError, match="neither AP nor lateral"):
        View.parse(text)
