"""The shipped Annex E rules against the published 2024b table, and every action applied at every depth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pydicom = pytest.importorskip("pydicom")
from pydicom.datadict import dictionary_VR  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402

from factories import DATA  # noqa: E402
from rushrater.imaging import deid  # noqa: E402
from rushrater.imaging.annex_e import PATTERN_RULES, RULES  # noqa: E402

TABLE = DATA / "dicom-annex-e" / "confidentiality_profile_attributes.json"


def _table() -> list[dict]:
    return json.loads(Path(TABLE).read_text(encoding="utf-8"))


def _hex_rows() -> list[dict]:
    return [r for r in _table() if all(c in "0123456789abcdef" for c in r["id"])]


def test_shipped_rules_equal_the_published_table_row_for_row():
    rows = _table()
    assert len(rows) == 621
    hex_rows = _hex_rows()
    assert {f"{t:08x}" for t in RULES} == {r["id"] for r in hex_rows}
    for row in hex_rows:
        name, action = RULES[int(row["id"], 16)]
        assert (name, action) == (row["name"], row["basicProfile"]), row
    patterns = {r["id"]: (r["name"], r["basicProfile"]) for r in rows if r not in hex_rows}
    assert patterns == PATTERN_RULES


@pytest.mark.parametrize("action", ["X", "Z", "D", "U", "X/Z", "X/D", "X/Z/D", "Z/D", "X/Z/U*"])
def test_compound_actions_resolve_to_one_the_standard_allows(action):
    chosen = deid.resolve(action)
    allowed = set(action.replace("*", "").split("/")) | ({"U*"} if action.endswith("U*") else set())
    assert chosen in allowed


def _value_for(vr: str, tag: int):
    samples = {
        "AE": "SCANNER01", "AS": "045Y", "CS": "SECRET", "DA": "20240131", "DS": "12.5", "DT": "20240131101010",
        "FD": 1.5, "FL": 1.5, "IS": "42", "LO": "Secret Text", "LT": "Secret long text", "PN": "Doe^Jane",
        "SH": "SECRET", "SL": 7, "SS": 7, "ST": "Secret short text", "TM": "101010", "UC": "Secret",
        "UI": f"1.2.3.4.{tag}", "UL": 7, "UN": b"SECRET", "UR": "http://example.org/secret", "US": 7,
        "UT": "Secret unlimited", "OB": b"SECRETXX", "OW": b"SECRETXX", "SV": 7, "UV": 7,
    }
    return samples.get(vr)


def _elements():
    """(tag, vr, value) for every table row that pydicom's dictionary knows with a simple VR."""
    out = []
    for row in _hex_rows():
        tag = int(row["id"], 16)
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        vr = vr.split(" or ")[0]
        if vr == "SQ":
            out.append((tag, "SQ", None, row))
            continue
        value = _value_for(vr, tag)
        if value is not None:
            out.append((tag, vr, value, row))
    return out


ELEMENTS = _elements() if TABLE.is_file() else []  # the module is skipped without the table


def _item() -> Dataset:
    inner = Dataset()
    inner.PatientName = "Inner^Secret"
    inner.add_new(0x00091010, "LO", "private inside")
    return inner


def _check(dataset: Dataset, tag: int, vr: str, original, action: str, mapper, where: str) -> None:
    present = tag in dataset
    if action == "X":
        assert not present, f"{where}: {tag:08x} must be removed"
        return
    if action == "U*":
        assert present, f"{where}: {tag:08x} sequence kept for U*"
        for item in dataset[tag].value:
            assert "PatientName" not in item or str(item.PatientName) != "Inner^Secret"
            assert 0x00091010 not in item
        return
    assert present, f"{where}: {tag:08x} ({action}) must stay present"
    value = dataset[tag].value
    if vr == "SQ":
        for item in value or ():
            assert "PatientName" not in item or str(item.PatientName) != "Inner^Secret", where
            assert 0x00091010 not in item, where
        return
    if action == "U":
        assert value != original and str(value).startswith("2.25."), where
        assert value == mapper(original), f"{where}: UIDs must be replaced consistently"
    elif action == "Z":
        assert value in (None, "", b"", [], deid._DUMMY.get(vr)), f"{where}: {tag:08x} must be empty"
    elif action == "D":
        assert value != original, f"{where}: {tag:08x} must hold a dummy value"


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_every_rule_action_is_applied_at_every_depth(depth):
    mapper = deid.UidMapper(b"k" * 32)
    leaf = Dataset()
    for tag, vr, value, _row in ELEMENTS:
        leaf.add_new(tag, vr, Sequence([_item()]) if vr == "SQ" else value)
    root = leaf
    for _ in range(depth):
        wrapper = Dataset()
        # Referenced Image Sequence is not itself removed by the profile rules we test here
        # (X/Z/U*: kept, with everything inside de-identified), so it can carry a nested item.
        wrapper.add_new(0x00081140, "SQ", Sequence([root]))
        root = wrapper
    deid.deidentify(root, mapper)
    target = root
    for _ in range(depth):
        target = target[0x00081140].value[0]
    checked = 0
    for tag, vr, value, row in ELEMENTS:
        action = deid.resolve(row["basicProfile"])
        _check(target, tag, vr, value, action, mapper, f"depth {depth}, {row['name']}")
        checked += 1
    assert checked > 400  # nearly every row of the table is exercised


def test_private_curve_and_overlay_attributes_are_removed_at_every_depth():
    ds = Dataset()
    ds.add_new(0x00291010, "LO", "private")
    ds.add_new(0x50000010, "US", 1)
    ds.add_new(0x60003000, "OW", b"\x00\x01")
    ds.add_new(0x60004000, "LT", "overlay comment")
    ds.add_new(0x60000010, "US", 512)
    inner = Dataset()
    inner.add_new(0x00431001, "LO", "private inside")
    inner.add_new(0x60023000, "OW", b"\x00\x01")
    ds.add_new(0x00400275, "SQ", Sequence([inner]))  # Request Attributes Sequence (X in 2024b)
    other = Dataset()
    other.add_new(0x00191001, "LO", "private in a kept sequence")
    ds.add_new(0x00089215, "SQ", Sequence([other]))  # Derivation Code Sequence: not in the table, kept
    deid.deidentify(ds, deid.UidMapper())
    remaining = {int(e.tag) for e in ds}
    assert not remaining & {0x00291010, 0x50000010, 0x60003000, 0x60004000, 0x60000010, 0x00400275}
    assert 0x00191001 not in ds[0x00089215].value[0]


def test_identity_removed_and_method_recorded_and_file_meta_uid_replaced():
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4.5"
    ds.PatientName = "Doe^Jane"
    mapper = deid.UidMapper()
    deid.deidentify(ds, mapper)
    assert ds.PatientIdentityRemoved == "YES"
    assert "Annex E" in ds.DeidentificationMethod or "PS3.15" in ds.DeidentificationMethod
    code = ds.DeidentificationMethodCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")
    assert ds.SOPInstanceUID == ds.file_meta.MediaStorageSOPInstanceUID == mapper("1.2.3.4.5")
    assert deid.check_profile(ds, {"1.2.3.4.5"}) == []


@pytest.mark.parametrize(
    "name",
    ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "JPEG2000.dcm", "examples_overlay.dcm", "nested_priv_SQ.dcm", "priv_SQ.dcm", "test-SR.dcm"],
)
def test_pydicom_test_files_pass_the_profile_after_deidentification_and_a_round_trip(name, tmp_path):
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"{name} not bundled with this pydicom")
    ds = pydicom.dcmread(path)
    originals = deid.all_uids(ds)
    patient = str(ds.get("PatientName", ""))
    deid.deidentify(ds, deid.UidMapper())
    assert deid.check_profile(ds, originals) == []
    # Written out and read back (as an export would), it still passes and holds no name.
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    again = pydicom.dcmread(out)
    assert deid.check_profile(again, originals) == []
    if len(patient) >= 4:
        assert patient.encode() not in out.read_bytes()
