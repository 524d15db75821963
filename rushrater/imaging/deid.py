"""De-identification of DICOM datasets: PS3.15 Annex E, Basic Application Level Confidentiality Profile.

Every attribute at every depth (items of sequences too) gets the action of Table E.1-1
(``annex_e.RULES``): private attributes, curves (50xx) and overlays (60xx) are removed, UIDs are
replaced consistently, Patient Identity Removed is set to YES and the method recorded in
De-identification Method and its Code Sequence (DCM 113100).

Why our own table rather than a library: pydicom ships no profile implementation; ``dicognito``
replaces identifiers with invented look-alike names and shifts dates, which is not the profile's
actions; ``deid`` applies recipes that the user writes, and its default recipe is not Table E.1-1.
We need exactly the standard's actions at every depth, tested row by row against the published
table, so the table is generated into ``annex_e.py`` and applied here in a few lines.

Compound actions are resolved conservatively for any IOD: X/Z and Z/D keep the element empty or
dummy (Type 2 and Type 1 attributes stay present), X/D and X/Z/D become D, X/Z/U* keeps a sequence
with its UIDs replaced.

Before anything is removed, :func:`identifiers` collects what the coordinator's key file needs
(patient ID and name, birth date, accession numbers, dates) and :func:`view_hints` the text the
import uses to tell AP from lateral; neither leaves the import process except in the key file.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from .annex_e import PATTERN_RULES, RULES, STANDARD

METHOD = f"RUSH Rater: {STANDARD} Basic Application Level Confidentiality Profile; pixels only kept"
PROFILE_CODE = ("113100", "DCM", "Basic Application Confidentiality Profile")

#: dummy values by VR for action D (kept within each VR's length and character rules)
_DUMMY = {
    "AE": "ANONYMOUS",
    "AS": "000D",
    "CS": "ANONYMIZED",
    "DA": "19000101",
    "DS": "0",
    "DT": "19000101000000",
    "FD": 0.0,
    "FL": 0.0,
    "IS": "0",
    "LO": "ANONYMIZED",
    "LT": "ANONYMIZED",
    "PN": "ANONYMIZED",
    "SH": "ANONYMIZED",
    "SL": 0,
    "SS": 0,
    "ST": "ANONYMIZED",
    "TM": "000000",
    "UC": "ANONYMIZED",
    "UL": 0,
    "UN": b"",
    "UR": "",
    "US": 0,
    "UT": "ANONYMIZED",
    "OB": b"\x00\x00",
    "OW": b"\x00\x00",
}


def resolve(action: str) -> str:
    """The single action applied for a (possibly compound) Basic Profile action."""
    if action in ("X", "Z", "D", "U", "K", "C"):
        return action
    if action == "X/Z/U*":
        return "U*"
    if action in ("X/Z",):
        return "Z"
    if action in ("X/D", "X/Z/D", "Z/D"):
        return "D"
    raise ValueError(f"unknown Annex E action {action!r}")


def rule_for(tag: int) -> tuple[str, str] | None:
    """(name, action) for a tag, including the repeating-group and private rows."""
    group, element = tag >> 16, tag & 0xFFFF
    if group % 2 == 1:
        return PATTERN_RULES["ggggeeee-where-gggg-is-odd"]
    if 0x5000 <= group <= 0x50FF:
        return PATTERN_RULES["50xxxxxx"]
    if 0x6000 <= group <= 0x60FF and group % 2 == 0:
        # Every overlay element goes, not only data and comments: an overlay plane may hold
        # burned-in text, and the rest of the group is meaningless without it.
        if element == 0x3000:
            return PATTERN_RULES["60xx3000"]
        if element == 0x4000:
            return PATTERN_RULES["60xx4000"]
        return ("Overlay Plane attribute", "X")
    return RULES.get(tag)


class UidMapper:
    """Replaces UIDs consistently: the same original UID gets the same new one within one key.

    The new UID is ``2.25.<128-bit HMAC of the original>`` under a random secret, so worker
    processes agree without talking to each other and nobody without the secret can link back.
    """

    def __init__(self, secret: bytes | None = None):
        self.secret = secret or secrets.token_bytes(32)

    def __call__(self, uid: str) -> str:
        digest = hmac.new(self.secret, str(uid).strip().encode(), hashlib.sha256).digest()
        return "2.25." + str(int.from_bytes(digest[:16], "big"))


@dataclass
class Identifiers:
    """What the key file records for one source image (never stored in the study)."""

    patient_id: str = ""
    patient_name: str = ""
    other_names: list[str] = field(default_factory=list)
    birth_date: str = ""
    accession_number: str = ""
    study_date: str = ""  # YYYYMMDD, the date used to order time points
    study_instance_uid: str = ""
    dates: list[str] = field(default_factory=list)  # every DA/DT value found, YYYYMMDD


def identifiers(ds) -> Identifiers:
    found = Identifiers(
        patient_id=str(ds.get("PatientID", "") or "").strip(),
        patient_name=str(ds.get("PatientName", "") or "").strip(),
        birth_date=str(ds.get("PatientBirthDate", "") or "").strip(),
        accession_number=str(ds.get("AccessionNumber", "") or "").strip(),
        study_instance_uid=str(ds.get("StudyInstanceUID", "") or "").strip(),
    )
    for keyword in ("OtherPatientNames",):
        found.other_names.extend(element_values(ds, keyword))
    for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
        value = str(ds.get(keyword, "") or "").strip()
        if len(value) >= 8 and value[:8].isdigit():
            found.study_date = value[:8]
            break
    dates: set[str] = set()

    def collect(dataset) -> None:
        for elem in dataset:
            if elem.VR == "SQ":
                for item in elem.value or ():
                    collect(item)
            elif elem.VR in ("DA", "DT") and elem.value:
                values = elem.value if elem.VM > 1 else [elem.value]
                for v in values:
                    text = str(v).strip()
                    if len(text) >= 8 and text[:8].isdigit():
                        dates.add(text[:8])

    collect(ds)
    found.dates = sorted(dates)
    return found


def element_values(ds, keyword: str) -> list[str]:
    """Each value of an element, as text: a multi-valued element by value, a single value whole.

    (A single PersonName is iterable character by character; iterating it wrote "A\\L\\I\\A\\S" to
    the key file, and the blinding check then searched single letters.)
    """
    elem = ds.get(keyword) if keyword in ds else None
    if elem is None:
        return []
    from pydicom.multival import MultiValue

    values = list(elem) if isinstance(elem, (MultiValue, list, tuple)) else [elem]
    return [text for text in (str(v).strip() for v in values) if text]


def view_hints(ds) -> dict[str, str]:
    """The text that tells AP from lateral; read before the profile removes descriptions."""
    return {
        key: str(ds.get(key, "") or "").strip()
        for key in ("ViewPosition", "ImageLaterality", "Laterality", "SeriesDescription", "ProtocolName", "StudyDescription")
    }


def device_key(ds) -> str:
    """Device identity for redaction templates: manufacturer and model (kept by the profile)."""
    return " / ".join(
        str(ds.get(k, "") or "").strip() for k in ("Manufacturer", "ManufacturerModelName")
    ).strip(" /")


def _dummy(elem):
    if elem.VR == "UI":
        return None  # handled as U
    return _DUMMY.get(elem.VR, "")


def _apply(dataset, uids: UidMapper) -> None:
    for elem in list(dataset):
        rule = rule_for(int(elem.tag))
        if rule is None:
            # Not in the table: kept, but its items are de-identified like the top level.
            if elem.VR == "SQ":
                for item in elem.value or ():
                    _apply(item, uids)
            continue
        _act(dataset, elem, resolve(rule[1]), uids)


def _act(dataset, elem, action: str, uids: UidMapper) -> None:
    if action == "X":
        del dataset[elem.tag]
    elif action == "Z":
        if elem.VR == "SQ":
            elem.value = []
        else:
            elem.value = b"" if elem.VR in ("OB", "OW", "UN") else ("" if isinstance(_dummy(elem), str) or elem.VR == "UI" else None)
    elif action == "D":
        if elem.VR == "SQ":
            for item in elem.value or ():
                _apply(item, uids)
        elif elem.VR == "UI":
            elem.value = uids(elem.value) if elem.value else elem.value
        else:
            elem.value = _dummy(elem)
    elif action in ("U", "U*"):
        # U*: the sequence is kept and every UID inside it replaced (the items' own rules do it).
        if elem.VR == "SQ":
            for item in elem.value or ():
                _apply(item, uids)
        elif elem.value:
            value = elem.value
            elem.value = [uids(v) for v in value] if elem.VM > 1 else uids(value)
    elif action == "C":
        # Cleaning needs to understand free text; the Basic Profile allows removal instead.
        del dataset[elem.tag]
    elif action == "K":
        if elem.VR == "SQ":
            for item in elem.value or ():
                _apply(item, uids)


def deidentify(ds, uids: UidMapper) -> None:
    """Apply the Basic Profile to ``ds`` in place, file meta included, and record it."""
    from pydicom.dataset import Dataset

    _apply(ds, uids)
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "MediaStorageSOPInstanceUID" in meta:
        meta.MediaStorageSOPInstanceUID = uids(meta.MediaStorageSOPInstanceUID)
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD[:64]
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = PROFILE_CODE
    ds.DeidentificationMethodCodeSequence = [code]
    # Dates were replaced, not shifted: longitudinal information is gone from the header.
    ds.LongitudinalTemporalInformationModified = "REMOVED"


def check_profile(ds, original_uids: set[str] | None = None) -> list[str]:
    """Problems that would make ``ds`` fail the profile (empty list when it passes)."""
    problems = []

    def walk(dataset, path: str) -> None:
        for elem in dataset:
            tag = int(elem.tag)
            here = f"{path}{elem.tag}"
            rule = rule_for(tag)
            if elem.VR == "SQ":
                for index, item in enumerate(elem.value or ()):
                    walk(item, f"{here}[{index}].")
            if rule is None:
                continue
            action = resolve(rule[1])
            if action == "X":
                problems.append(f"{here} {rule[0]} must be removed")
            elif action in ("Z", "D") and elem.VR not in ("SQ", "UI") and elem.value not in (None, "", b"", _DUMMY.get(elem.VR)):
                problems.append(f"{here} {rule[0]} still holds a value")
            if elem.VR == "UI" and original_uids and elem.value:
                values = elem.value if elem.VM > 1 else [elem.value]
                if any(str(v) in original_uids for v in values):
                    problems.append(f"{here} {rule[0]} still holds an original UID")

    walk(ds, "")
    if str(ds.get("PatientIdentityRemoved", "")) != "YES":
        problems.append("Patient Identity Removed is not YES")
    return problems


def all_uids(ds) -> set[str]:
    """Every UID value in ``ds`` at any depth (for checking that none survived)."""
    found: set[str] = set()

    def walk(dataset) -> None:
        for elem in dataset:
            if elem.VR == "SQ":
                for item in elem.value or ():
                    walk(item)
            elif elem.VR == "UI" and elem.value:
                values = elem.value if elem.VM > 1 else [elem.value]
                found.update(str(v) for v in values)

    walk(ds)
    return found
