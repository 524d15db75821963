"""What the blinding check searches for, and how views are read from DICOM text."""

from __future__ import annotations

import pytest

from rushrater.imaging.textscan import printable_runs
from rushrater.services.blinding import date_forms, name_forms, needles
from rushrater.services.placement import view_from_hints


def test_dates_in_the_formats_people_and_programs_write():
    forms = date_forms("20250307")
    for written in ("20250307", "2025-03-07", "07/03/2025", "03/07/2025", "7.3.2025", "07.03.2025", "7 March 2025",
                    "March 7, 2025", "Mar 7, 2025", "07-Mar-2025", "2025/03/07"):
        assert written in forms


def test_names_in_both_orders_and_their_long_parts():
    forms = name_forms("Kowalski^Anna^Maria")
    assert {"Kowalski^Anna^Maria", "Kowalski Anna Maria", "Anna Maria Kowalski", "Kowalski, Anna Maria", "Kowalski", "Anna", "Maria"} <= forms
    assert name_forms("^^^^") == set()


def test_short_identifiers_are_reported_as_unchecked():
    found, unchecked = needles([{"patient_code": "P1", "patient_id": "12", "patient_name": "Li^Wu", "study_date": ""}])
    assert "patient ID '12' of P1" in unchecked
    assert all(n.text not in ("12", "Li", "Wu") for n in found)


def test_printable_runs_finds_ascii_and_utf16_text_in_binary_data():
    data = b"\x00\x01\x02SMITH^JOHN\x00\xff" + "Müller 2025-03-07".encode("utf-16-le") + b"\x01ab\x02"
    text = printable_runs(data)
    assert "SMITH^JOHN" in text and "ller 2025-03-07" in text and "ab" not in text.split("\n")


@pytest.mark.parametrize(
    "hints,view",
    [
        ({"ViewPosition": "AP"}, "AP"),
        ({"ViewPosition": "PA"}, "AP"),
        ({"ViewPosition": "LL"}, "LAT"),
        ({"ViewPosition": "", "SeriesDescription": "HIP LATERAL"}, "LAT"),
        ({"ViewPosition": "", "SeriesDescription": "Becken a.p."}, None),
        ({"ViewPosition": "", "ProtocolName": "HUEFTE AP"}, "AP"),
        ({"ViewPosition": "", "SeriesDescription": "Hip frog leg"}, "LAT"),
        ({"ViewPosition": "", "SeriesDescription": "HIP AP + LAT"}, None),
        ({}, None),
    ],
)
def test_view_from_the_header_or_left_undecided(hints, view):
    assert view_from_hints(hints)[0] == view


def test_every_component_group_of_a_person_name_is_searched():
    # Ideographic and phonetic groups name the patient as much as the alphabetic one (issue 18).
    forms = name_forms("Yamada^Tarou=山田^太郎=やまだ^たろう")
    assert {"Yamada Tarou", "山田^太郎", "山田 太郎", "太郎 山田", "やまだ たろう"} <= forms


def test_each_value_of_a_multi_valued_name_is_a_needle_of_its_own():
    found, _ = needles([{"patient_code": "P1", "patient_id": "", "patient_name": "",
                         "other_names": "ALIASOVA^HEDDA\\VOSSBERG^ILSE", "study_date": ""}])
    texts = {n.text for n in found}
    assert {"ALIASOVA", "HEDDA", "VOSSBERG", "ILSE", "HEDDA ALIASOVA", "ILSE VOSSBERG"} <= texts
    assert not any(len(t) < 4 for t in texts)
