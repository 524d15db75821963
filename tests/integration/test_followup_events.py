"""Follow-up events (issue 15): days after surgery only, bad rows listed, versions, blinding, append-only."""

import csv
import json

import pytest

from rushrater.cli.main import main
from rushrater.domain.errors import InputFileError, RushRaterError
from rushrater.services import followup
from rushrater.services.blinding import KEY_COLUMNS
from rushrater.storage import models, queries


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def key(tmp_path):
    (tmp_path / "outside").mkdir()
    path = tmp_path / "outside" / "key.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=KEY_COLUMNS)
        writer.writeheader()
        for i, name in enumerate(("Berg^Ola", "Lindqvist^Anna", "Haddad^Omar", "Nakamura^Yui"), start=1):
            writer.writerow({k: "" for k in KEY_COLUMNS} | {"patient_code": f"P00{i}", "patient_id": f"MRN-100{i}",
                                                            "patient_name": name})
    return path


def dated_sheet(tmp_path, name="events.csv", rows=None):
    return write_csv(tmp_path / name, [("MRN", "Event", "Status", "Date", "Surgery_date"), *(rows or [
        ("MRN-1001", "Poor rehabilitation", "1", "2024-04-15", "2024-03-01"),
        ("MRN-1001", "subsequent_fracture", "0", "2025-03-01", "2024-03-01"),
        ("MRN-1002", "poor_rehabilitation", "0", "20240901", "20240310"),
        ("MRN-1003", "poor_rehabilitation", "yes", "2024-05-20", "2024-05-01"),
    ])])


def count(study):
    with study.db.read() as session:
        return session.query(models.FollowUpEvent).count()


def test_dates_become_days_after_surgery_and_never_enter_the_study(populated_study, key, tmp_path):
    result = followup.import_events(populated_study, dated_sheet(tmp_path), key_file=key, id_column="MRN", actor="test")
    assert (result.records, result.patients, result.added) == (4, 3, 4)
    assert result.event_types == {"poor_rehabilitation": 2, "subsequent_fracture": 0}
    table = followup.events_table(populated_study)
    got = {(r.patient, r.event_type): (r.day, r.status) for r in table.itertuples()}
    assert got == {("P001", "poor_rehabilitation"): (45.0, 1), ("P001", "subsequent_fracture"): (365.0, 0),
                   ("P002", "poor_rehabilitation"): (175.0, 0), ("P003", "poor_rehabilitation"): (19.0, 1)}
    with populated_study.db.read() as session:
        texts = " ".join(text for _, _, _, text in queries.all_text_values(session))
        assert session.query(models.AuditEvent).filter_by(action="followup.import").count() == 1
    for needle in ("2024-04-15", "20240415", "2024-03-01", "MRN-100"):
        assert needle not in texts
    months = followup.event_times(populated_study, "poor rehabilitation", unit="months")
    assert months.loc[months["patient"] == "P001", "time"].item() == pytest.approx(45 / (365.25 / 12))


def test_bad_rows_are_all_listed_and_nothing_is_stored(populated_study, key, tmp_path):
    sheet = dated_sheet(tmp_path, rows=[
        ("MRN-1001", "poor_rehabilitation", "1", "2024-02-20", "2024-03-01"),   # before surgery
        ("MRN-1002", "poor_rehabilitation", "0", "2025-09-01", "2024-03-10"),   # censored after the lock
        ("MRN-1003", "union", "1", "2024-06-01", "2024-05-01"),
        ("MRN-1003", "Union", "1", "2024-07-01", "2024-05-01"),                 # second union record
        ("MRN-1004", "union", "1", "", "2024-05-01"),                           # no time
        ("MRN-1004", "revision", "maybe", "2024-06-01", "2024-05-01"),          # unreadable status
        ("MRN-9999", "union", "1", "2024-06-01", "2024-05-01"),                 # not in the key file
    ])
    with pytest.raises(InputFileError) as info:
        followup.import_events(populated_study, sheet, key_file=key, id_column="MRN", data_lock="2025-06-30", actor="test")
    text = str(info.value)
    for line, words in ((2, "event before surgery (day -10)"), (3, "censoring date is after the data-lock date"),
                        (5, "second union record (also on line 4)"), (6, "no date"), (7, "neither 1 (event) nor 0"),
                        (8, "not in the key file")):
        assert f"line {line}" in text and words in text, (line, words, text)
    assert "MRN-9999" not in text  # an identifier is never echoed
    assert count(populated_study) == 0


def test_day_column_and_months_with_a_surgery_date_for_the_lock(populated_study, tmp_path):
    sheet = write_csv(tmp_path / "days.csv", [("patient", "event", "status", "time", "surgery_date"),
                                              ("P001", "union", "1", "3", "2024-01-10"),
                                              ("P002", "union", "0", "-1", "2024-01-10"),
                                              ("P003", "union", "0", "20", "2024-01-10")])
    with pytest.raises(InputFileError) as info:
        followup.import_events(populated_study, sheet, code_column="patient", time_unit="months",
                               data_lock="2025-06-30", actor="test")
    assert "line 3" in str(info.value) and "censoring before surgery" in str(info.value)
    assert "line 4" in str(info.value) and "after the data-lock date" in str(info.value)
    ok = write_csv(tmp_path / "days2.csv", [("patient", "event", "status", "day"), ("P001", "union", "1", "91")])
    followup.import_events(populated_study, ok, code_column="patient", actor="test")
    assert followup.events_table(populated_study)["day"].tolist() == [91.0]
    with pytest.raises(RushRaterError, match="data-lock needs calendar dates"):
        followup.import_events(populated_study, ok, code_column="patient", data_lock="2025-06-30", actor="test")


def test_reimport_of_a_corrected_sheet_makes_new_versions(populated_study, key, tmp_path):
    followup.import_events(populated_study, dated_sheet(tmp_path), key_file=key, id_column="MRN", actor="test")
    corrected = dated_sheet(tmp_path, "events2.csv", rows=[
        ("MRN-1001", "poor_rehabilitation", "1", "2024-04-20", "2024-03-01"),
        ("MRN-1002", "poor_rehabilitation", "0", "20240901", "20240310"),
    ])
    result = followup.import_events(populated_study, corrected, key_file=key, id_column="MRN", actor="test")
    assert (result.added, result.unchanged, [str(c) for c in result.changes]) == (
        0, 1, ["P001 poor_rehabilitation: day 45, event → day 50, event"])
    table = followup.events_table(populated_study)
    row = table[(table.patient == "P001") & (table.event_type == "poor_rehabilitation")].iloc[0]
    assert (row.day, row.version) == (50.0, 2)
    assert count(populated_study) == 5


def test_a_date_or_name_in_the_event_column_is_caught_and_rolled_back(populated_study, key, tmp_path):
    leaky = dated_sheet(tmp_path, rows=[("MRN-1001", "fall_20240301", "1", "2024-04-15", "2024-03-01")])
    with pytest.raises(RushRaterError, match="nothing was stored"):
        followup.import_events(populated_study, leaky, key_file=key, id_column="MRN", actor="test")
    named = dated_sheet(tmp_path, "named.csv", rows=[("MRN-1002", "fall Haddad", "1", "2024-04-15", "2024-03-01")])
    with pytest.raises(RushRaterError, match="nothing was stored"):
        followup.import_events(populated_study, named, key_file=key, id_column="MRN", actor="test")
    assert count(populated_study) == 0


def test_append_only_on_every_backend(populated_study, key, tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    followup.import_events(populated_study, dated_sheet(tmp_path), key_file=key, id_column="MRN", actor="test")
    for statement in ("UPDATE follow_up_event SET day = 1", "DELETE FROM follow_up_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with populated_study.db.write() as session:
                session.execute(text(statement))


def test_cli_imports_and_reports_bad_rows_with_exit_1(populated_study, key, tmp_path, capsys):
    study = str(populated_study.location)
    bad = dated_sheet(tmp_path, "bad.csv", rows=[("MRN-1001", "union", "1", "", "2024-03-01")])
    assert main(["clinical", "events", study, str(bad), "--key-file", str(key), "--id-column", "MRN"]) == 1
    assert "no date" in capsys.readouterr().err
    assert main(["clinical", "events", study, str(dated_sheet(tmp_path)), "--key-file", str(key),
                 "--id-column", "MRN", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == 4
    assert main(["clinical", "events-show", study]) == 0
    assert "subsequent_fracture" in capsys.readouterr().out


def test_the_study_wide_blinding_check_reads_the_follow_up_table(populated_study, key):
    """A value written past the import (an older version, a bug) is still found by check-blinding."""
    from rushrater.services import audit
    from rushrater.services.blinding import check_blinding

    with populated_study.db.write() as session:
        patient = queries.patient_by_code(session, "P001")
        session.add(models.FollowUpEvent(patient_id=patient.id, event_type="fall_lindqvist", version=1, day=3.0,
                                         status=1, source_sha256="0" * 64, recorded_by="test", recorded_at=audit.now()))
    report = check_blinding(populated_study, key)
    assert any("follow_up_event.event_type" in hit.location for hit in report.hits), report.hits
