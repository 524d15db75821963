"""Body-composition geometry on synthetic phantoms with known areas (imaging.ct, no database)."""

import numpy as np
import pytest

from rushrater.imaging import ct


def ellipse_polygon(a, b, cx=256, cy=256, n=720):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return [[cx + a * np.cos(v), cy + b * np.sin(v)] for v in t]


@pytest.mark.parametrize("noise", [0.0, 15.0])
def test_automatic_contours_give_phantom_areas_within_one_percent(noise):
    image, exact = ct.phantom(spacing_mm=0.8, noise=noise)
    contours = ct.auto_contours(image, spacing_mm=0.8)
    result = ct.measure_slice(image, contours, None, 0.8 * 0.8 / 100)
    for key, value in exact.items():
        assert getattr(result, key) == pytest.approx(value, rel=0.01), key
    assert result.muscle_mean_hu == pytest.approx(50, abs=2)


def test_areas_equal_hand_computed_threshold_masks():
    image, _ = ct.phantom(spacing_mm=1.0, noise=40.0, seed=3)
    outer, inner = np.array(ellipse_polygon(160, 110)), np.array(ellipse_polygon(135, 88))
    thresholds = {"muscle": [-29, 150], "visceral_fat": [-150, -50], "subcutaneous_fat": [-190, -30]}
    result = ct.measure_slice(image, {"outer": outer, "inner": inner}, thresholds, 0.01)
    yy, xx = np.mgrid[0:512, 0:512]
    in_outer = ((xx - 256) / 160) ** 2 + ((yy - 256) / 110) ** 2 <= 1
    in_inner = ((xx - 256) / 135) ** 2 + ((yy - 256) / 88) ** 2 <= 1
    body = image > -500
    muscle = in_outer & ~in_inner & (image >= -29) & (image <= 150)
    visceral = in_inner & (image >= -150) & (image <= -50)
    subcutaneous = body & ~in_outer & (image >= -190) & (image <= -30)
    # The polygon has 720 vertices: a handful of boundary pixels may differ from the exact ellipse.
    assert result.muscle_cm2 == pytest.approx(muscle.sum() * 0.01, rel=0.003)
    assert result.visceral_fat_cm2 == pytest.approx(visceral.sum() * 0.01, rel=0.003)
    assert result.subcutaneous_fat_cm2 == pytest.approx(subcutaneous.sum() * 0.01, rel=0.003)
    assert result.muscle_mean_hu == pytest.approx(image[muscle].mean(), abs=0.5)


def test_wider_subcutaneous_range_counts_more_fat():
    image, _ = ct.phantom(spacing_mm=1.0, noise=40.0, seed=1)
    contours = ct.auto_contours(image, spacing_mm=1.0)
    default = ct.measure_slice(image, contours, None, 0.01)
    wider = ct.measure_slice(image, contours, {"subcutaneous_fat": ct.SUBCUTANEOUS_ALTERNATIVE}, 0.01)
    assert wider.subcutaneous_fat_cm2 > default.subcutaneous_fat_cm2
    assert wider.muscle_cm2 == default.muscle_cm2


def test_indices_divide_by_height_squared():
    m = ct.Measurement(muscle_cm2=144.0, visceral_fat_cm2=72.0, subcutaneous_fat_cm2=36.0, muscle_mean_hu=40.0)
    values = ct.indices(m, 1.2)
    assert values == {"smi": pytest.approx(100.0), "vfi": pytest.approx(50.0), "sfi": pytest.approx(25.0), "vsr": pytest.approx(2.0)}
    with pytest.raises(ct.CtInputError, match="height is missing"):
        ct.indices(m, 0)


def test_self_crossing_contour_is_refused_with_a_clear_message():
    image, _ = ct.phantom()
    bow_tie = [[100, 100], [300, 300], [300, 100], [100, 300]]
    with pytest.raises(ct.CtInputError, match="outer contour crosses itself"):
        ct.measure_slice(image, {"outer": bow_tie, "inner": ellipse_polygon(10, 10, 200, 200)}, None, 0.01)


def test_inner_contour_outside_outer_is_refused():
    image, _ = ct.phantom()
    with pytest.raises(ct.CtInputError, match="outside the outer"):
        ct.measure_slice(image, {"outer": ellipse_polygon(100, 80), "inner": ellipse_polygon(150, 60)}, None, 0.01)


def test_bad_thresholds_are_refused():
    with pytest.raises(ct.CtInputError, match="below high"):
        ct.normalise_thresholds({"muscle": [150, -29]})
    with pytest.raises(ct.CtInputError, match="unknown threshold"):
        ct.normalise_thresholds({"bone": [200, 3000]})


def test_an_arm_against_the_trunk_is_not_counted_as_subcutaneous_fat():
    image, exact = ct.phantom(spacing_mm=0.8, noise=10.0, arm=True)
    contours = ct.auto_contours(image, spacing_mm=0.8)
    assert "skin" in contours  # the trunk's outline across the arm
    result = ct.measure_slice(image, contours, None, 0.8 * 0.8 / 100, 0.8)
    for key, value in exact.items():
        assert getattr(result, key) == pytest.approx(value, rel=0.01), key
    without_outline = ct.measure_slice(image, {"outer": contours["outer"], "inner": contours["inner"]}, None, 0.0064, 0.8)
    assert without_outline.subcutaneous_fat_cm2 > result.subcutaneous_fat_cm2 * 1.03
