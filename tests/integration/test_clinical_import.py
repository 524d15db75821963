"""Clinical data in the study (issue 14): codebook, key-file mapping, versions, bad input, blinding."""

import csv
import json
import pytest

from factories import write_ct_series
from rushrater.cli.main import main
from rushrater.domain.errors import InputFileError, RushRaterError
from rushrater.services import bodycomp, clinical
from rushrater.services.blinding import KEY_COLUMNS, check_blinding, read_key_file
from rushrater.storage import models, queries

CODEBOOK = [
    ("variable", "label", "type", "unit", "min", "max", "levels"),
    ("age", "Age", "continuous", "years", "18", "110", ""),
    ("sex", "Sex", "binary", "", "", "", "F=Female;M=Male"),
    ("asa", "ASA class", "categorical", "", "", "", "1=ASA I;2=ASA II;3=ASA III;4=ASA IV"),
    ("institution", "Institution", "categorical", "", "", "", "A=Centre A;B=Centre B"),
]


NAMES = ("Berg^Ola", "Lindqvist^Anna", "Haddad^Omar", "Nakamura^Yui", "Okonkwo^Chidi", "Fischer^Greta")


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_key(path, pairs):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=KEY_COLUMNS)
        writer.writeheader()
        for code, pid, name in pairs:
            writer.writerow({k: "" for k in KEY_COLUMNS} | {"patient_code": code, "patient_id": pid, "patient_name": name})
    return path


@pytest.fixture
def files(tmp_path):
    key = write_key(tmp_path / "outside" / "key.csv" if (tmp_path / "outside").mkdir() is None else None,
                    [(f"P00{i}", f"MRN-100{i}", name) for i, name in enumerate(NAMES, start=1)])
    book = write_csv(tmp_path / "codebook.csv", CODEBOOK)
    sheet = write_csv(tmp_path / "sheet.csv", [
        ("MRN", "Age", "Sex", "ASA", "Institution"),
        ("MRN-1001", "71", "F", "2", "A"),
        ("MRN-1002", "80.5", "Male", "3", "A"),
        ("MRN-1003", "66", "F", "", "B"),
        ("MRN-1004", "90", "M", "ASA I", "B"),
    ])
    return key, book, sheet


def value_count(study):
    with study.db.read() as session:
        return session.query(models.ClinicalValue).count(), session.query(models.ClinicalVariable).count()


def test_sheet_keyed_by_hospital_id_is_mapped_and_the_identifier_dropped(populated_study, files):
    key, book, sheet = files
    result = clinical.import_clinical(populated_study, sheet, key_file=key, id_column="MRN", codebook=book, actor="test")
    assert result.stored and result.patients == 4 and result.values_added == 15 and not result.changes
    table = clinical.clinical_table(populated_study)
    assert list(table.columns) == ["patient", "age", "sex", "asa", "institution"]
    first = table.set_index("patient").loc["P002"]
    assert first["age"] == 80.5 and first["sex"] == "M" and first["asa"] == 3.0
    assert table.set_index("patient").loc["P003"].isna()["asa"]  # missing stays missing
    assert clinical.clinical_table(populated_study, labels=True).set_index("patient").loc["P004", "asa"] == "ASA I"
    # no identifier anywhere in the study, and the blinding check covers the new tables
    assert check_blinding(populated_study, key).clean
    with populated_study.db.read() as session:
        texts = [t for t in queries.all_text_values(session) if t[0].startswith("clinical")]
    assert texts and not any("MRN" in t[3] for t in texts)


def test_reimport_of_a_corrected_sheet_makes_new_versions_and_lists_changes(populated_study, files, tmp_path):
    key, book, sheet = files
    clinical.import_clinical(populated_study, sheet, key_file=key, id_column="MRN", codebook=book, actor="test")
    corrected = write_csv(tmp_path / "sheet2.csv", [
        ("MRN", "Age", "Sex", "ASA", "Institution"),
        ("MRN-1001", "72", "F", "2", "A"),
        ("MRN-1002", "80.5", "M", "3", "A"),
        ("MRN-1003", "66", "F", "1", "B"),
    ])
    result = clinical.import_clinical(populated_study, corrected, key_file=key, id_column="MRN", codebook=book, actor="test")
    assert sorted(map(str, result.changes)) == ["P001 age: 71 → 72", "P003 asa: missing → 1"]
    table = clinical.clinical_table(populated_study).set_index("patient")
    assert table.loc["P001", "age"] == 72 and table.loc["P004", "age"] == 90  # not in the sheet: kept
    with populated_study.db.read() as session:
        versions = [(v.version, v.value, v.change_reason) for v in session.query(models.ClinicalValue)
                    .filter_by(variable="age").order_by(models.ClinicalValue.id)]
        events = [e.after for e in session.query(models.AuditEvent).filter_by(action="clinical.import")]
    assert (1, "71", None) in versions and (2, "72", "corrected by re-import of sheet2.csv") in versions
    assert len(events) == 2 and events[1]["changes"][0]["variable"] in ("age", "asa")
    same = clinical.import_clinical(populated_study, corrected, key_file=key, id_column="MRN", codebook=book, actor="test")
    assert same.changes == [] and same.values_added == 0 and same.codebook_versions == []
    # a corrected codebook entry is a new version; the current one is used
    relabelled = write_csv(tmp_path / "codebook2.csv", [CODEBOOK[0], ("age", "Age at surgery", "continuous", "years", "18", "110", ""),
                                                        *CODEBOOK[2:]])
    again = clinical.import_clinical(populated_study, corrected, key_file=key, id_column="MRN", codebook=relabelled, actor="test")
    assert again.codebook_versions == ["age"] and clinical.codebook(populated_study)["age"].label == "Age at surgery"
    with populated_study.db.read() as session:
        assert [v.version for v in session.query(models.ClinicalVariable).filter_by(name="age")] == [1, 2]


def test_bad_rows_are_all_listed_and_nothing_is_stored(populated_study, files, tmp_path):
    key, book, _ = files
    bad = write_csv(tmp_path / "bad.csv", [
        ("MRN", "Age", "Sex", "ASA", "Institution"),
        ("MRN-1001", "71", "F", "2", "A"),
        ("MRN-9999", "60", "F", "2", "A"),      # line 3: not in the key file
        ("MRN-1002", "seventy", "M", "2", "A"),  # line 4: not numeric
        ("MRN-1003", "130", "X", "5", "C"),      # line 5: range, levels
        ("MRN-1001", "71", "F", "2", "A"),      # line 6: the same patient again
    ])
    with pytest.raises(InputFileError) as caught:
        clinical.import_clinical(populated_study, bad, key_file=key, id_column="MRN", codebook=book, actor="test")
    text = str(caught.value)
    for expected in ("line 3: identifier in column MRN is not in the key file", "line 4: age 'seventy' is not a number",
                     "line 5: age 130 is outside the allowed range 18–110", "line 5: sex 'X' is not one of its levels",
                     "line 5: asa '5'", "line 5: institution 'C'", "line 6: patient (identifier) is also on line 2"):
        assert expected in text
    assert "MRN-9999" not in text  # identifiers are not echoed into logs
    assert value_count(populated_study) == (0, 0)
    by_code = write_csv(tmp_path / "codes.csv", [("patient", "age"), ("P001", "70"), ("P-NOPE", "70")])
    with pytest.raises(InputFileError, match="line 3: patient P-NOPE is not in the study"):
        clinical.import_clinical(populated_study, by_code, code_column="patient", codebook=book, actor="test")
    extra = write_csv(tmp_path / "extra.csv", [("patient", "age", "name"), ("P001", "70", "Jane")])
    with pytest.raises(InputFileError, match="not in the codebook: name"):
        clinical.import_clinical(populated_study, extra, code_column="patient", codebook=book, actor="test")
    assert value_count(populated_study) == (0, 0)


def test_an_identifier_in_a_value_is_caught_and_rolled_back(populated_study, files, tmp_path):
    key, _, _ = files
    leaky = write_csv(tmp_path / "leaky.csv", [("MRN", "note"), ("MRN-1001", "Berg Ola"), ("MRN-1002", "ok")])
    with pytest.raises(RushRaterError, match="identifiers found"):
        clinical.import_clinical(populated_study, leaky, key_file=key, id_column="MRN", accept_inferred=True, actor="test")
    assert value_count(populated_study) == (0, 0)


def test_inferred_types_are_returned_unstored_until_accepted(populated_study, files, tmp_path):
    key, _, sheet = files
    result = clinical.import_clinical(populated_study, sheet, key_file=key, id_column="MRN", actor="test")
    assert not result.stored and value_count(populated_study) == (0, 0)
    kinds = {v.name: v.kind for v in result.variables.values()}
    assert kinds == {"age": "continuous", "sex": "categorical", "asa": "categorical", "institution": "binary"}
    # "Male" and "M" are different texts: the inference shows it, the user fixes the codebook
    assert [v for v, _ in result.variables["sex"].levels] == ["F", "M", "Male"]
    written = clinical.write_codebook(tmp_path / "inferred.csv", result.variables)
    # a level written as text in one row ("ASA I") shows up for the user to merge in the codebook
    assert clinical.read_codebook(written)["asa"].levels == [("2", "2"), ("3", "3"), ("ASA I", "ASA I")]
    free_text = write_csv(tmp_path / "free.csv", [("MRN", "comment")] + [(f"MRN-100{i}", f"text {i}") for i in range(1, 7)]
                          + [("X" + str(i), f"other {i}") for i in range(10)])
    with pytest.raises(InputFileError, match="looks like free text"):
        clinical.import_clinical(populated_study, free_text, key_file=key, id_column="MRN", actor="test")


def test_a_patient_enters_through_the_clinical_sheet_with_add_patients(populated_study, files, tmp_path):
    key, book, _ = files
    sheet = write_csv(tmp_path / "new.csv", [("MRN", "Age"), ("MRN-1001", "70"), ("MRN-2001", "55")])
    result = clinical.import_clinical(populated_study, sheet, key_file=key, id_column="MRN", codebook=book,
                                      add_patients=True, actor="test")
    assert len(result.new_patients) == 1
    new_code = result.new_patients[0]
    assert {r["patient_id"]: r["patient_code"] for r in read_key_file(key)}["MRN-2001"] == new_code
    assert new_code in clinical.clinical_table(populated_study)["patient"].tolist()


def test_ct_series_before_any_radiograph_enters_through_the_key_file(study, tmp_path):
    import numpy as np

    from rushrater.imaging import ct

    image, _ = ct.phantom(spacing_mm=0.8, noise=10.0)
    write_ct_series(tmp_path / "ct", np.stack([image] * 3))  # Patient ID MRN-4711
    key = tmp_path / "keys" / "key.csv"
    key.parent.mkdir()
    with pytest.raises(RushRaterError, match="no patient 'P-NEW'"):
        bodycomp.import_ct(study, "P-NEW", tmp_path / "ct", actor="test")  # without a key file: refused as before
    series = bodycomp.import_ct(study, None, tmp_path / "ct", key_file=key, actor="test")
    rows = read_key_file(key)
    assert len(rows) == 1 and rows[0]["patient_id"] == "MRN-4711" and rows[0]["placed_as"] == "ct series"
    with study.db.read() as session:
        code = session.get(models.Patient, series.patient_id).code
    assert code == rows[0]["patient_code"]
    # the same series again: the key file maps it to the same patient; another code is refused
    assert bodycomp.import_ct(study, None, tmp_path / "ct", key_file=key, actor="test").id == series.id
    with pytest.raises(RushRaterError, match=f"belongs to patient {code}"):
        bodycomp.import_ct(study, "P999", tmp_path / "ct", key_file=key, actor="test")
    assert check_blinding(study, key).clean
    # the clinical sheet finds the patient through the same key file
    write_csv(tmp_path / "sheet.csv", [("MRN", "age"), ("MRN-4711", "77")])
    clinical.import_clinical(study, tmp_path / "sheet.csv", key_file=key, id_column="MRN", accept_inferred=True, actor="test")
    assert clinical.clinical_table(study).to_dict("records") == [{"patient": code, "age": 77.0}]
    # no radiograph and no rating yet: the analysis table still has the patient, without RUSH
    from rushrater.services import outcomes

    table = outcomes.analysis_table(study).data
    assert table["patient"].tolist() == [code] and table["rush_month1"].isna().all() and table["age"].tolist() == [77.0]


def test_cli_bodycomp_import_maps_the_patient_id_through_the_key_file(study, tmp_path, capsys):
    import numpy as np

    from rushrater.imaging import ct

    image, _ = ct.phantom(spacing_mm=0.8, noise=10.0)
    write_ct_series(tmp_path / "ct", np.stack([image] * 3))
    key = tmp_path / "keys" / "key.csv"
    key.parent.mkdir()
    assert main(["bodycomp-import", str(study.root), "--series", str(tmp_path / "ct")]) == 1
    assert "--key-file" in capsys.readouterr().err
    assert main(["bodycomp-import", str(study.root), "--series", str(tmp_path / "ct"), "--key-file", str(key)]) == 0
    code = read_key_file(key)[0]["patient_code"]
    out = capsys.readouterr().out
    assert f"CT series for {code}" in out and "MRN-4711" not in out


def test_append_only_on_every_backend(populated_study, files):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    key, book, sheet = files
    clinical.import_clinical(populated_study, sheet, key_file=key, id_column="MRN", codebook=book, actor="test")
    for statement in ("UPDATE clinical_value SET value = 'x'", "DELETE FROM clinical_value",
                      "UPDATE clinical_variable SET label = 'x'", "DELETE FROM clinical_variable"):
        with pytest.raises(DBAPIError, match="append-only"):
            with populated_study.db.write() as session:
                session.execute(text(statement))


def test_cli_prints_inference_then_imports_with_accept(populated_study, files, tmp_path, capsys):
    key, _, sheet = files
    path = str(populated_study.root)
    assert main(["clinical", "import", path, str(sheet), "--key-file", str(key), "--id-column", "MRN"]) == 1
    out = capsys.readouterr().out
    assert "age: continuous" in out and "Nothing was stored" in out
    assert main(["clinical", "import", path, str(sheet), "--key-file", str(key), "--id-column", "MRN",
                 "--write-codebook", str(tmp_path / "cb.csv")]) == 0
    assert "Nothing was stored" in capsys.readouterr().out
    assert (tmp_path / "cb.csv").is_file() and value_count(populated_study) == (0, 0)
    assert main(["clinical", "import", path, str(sheet), "--key-file", str(key), "--id-column", "MRN",
                 "--accept-inferred", "--json"]) == 0
    stored = json.loads(capsys.readouterr().out)
    assert stored["stored"] and stored["values_added"] == 15
    assert main(["clinical", "show", path, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["rows"]) == 4
    assert main(["clinical", "import", path, str(sheet), "--id-column", "MRN"]) == 1  # no key file: a clear message
    assert "--key-file" in capsys.readouterr().err
