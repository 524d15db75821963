"""Rater training (issue 17): training cases with references, reads kept apart, kappa/bias, passing."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from rushrater.domain.errors import InputFileError, ValidationError
from rushrater.services import training
from rushrater.services.agreement import study_ratings
from rushrater.services.export import export_tables
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.reading import ReadingSession
from rushrater.services.settings import update_settings
from rushrater.stats.reference import agreement_with_reference
from rushrater.storage import models, queries

PIN = "2468"
TRAINING_PATIENTS = ("P005", "P006")


def _reference(study, case_index: int) -> dict[str, int]:
    """A varied reference per training case (totals 12 to 27)."""
    keys = study.rubric.item_keys
    return {key: 1 + (case_index + n) % 3 if n < 2 + 2 * case_index else 3 for n, key in enumerate(keys)}


def _write_reference_csv(path, study, rows):
    keys = study.rubric.item_keys
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "timepoint", *keys])
        for patient, timepoint, values in rows:
            writer.writerow([patient, timepoint, *[values[k] for k in keys]])
    return path


@pytest.fixture
def trained(populated_study, tmp_path):
    """P005 and P006 (4 cases) are training cases with references; the study is planned after."""
    study = populated_study
    rows = []
    for n, (patient, tp) in enumerate((p, t) for p in TRAINING_PATIENTS for t in ("day1", "month1")):
        rows.append((patient, tp, _reference(study, n)))
    result = training.import_references(study, _write_reference_csv(tmp_path / "ref.csv", study, rows), actor="test")
    assert result.added == 4
    plan_reading(study, seed=3, actor="test")
    return study


def _login(study, code):
    return ReadingSession.login(study, code, new_pin=PIN)


def _references_by_case(study):
    with study.db.read() as session:
        return {t.case_id: dict(t.reference) for t in queries.training_cases(session)}


def _read_all_training(study, code, *, shift=0):
    """Score every pending training case: the reference, items shifted by ``shift`` where possible."""
    session = _login(study, code) if not isinstance(code, ReadingSession) else code
    refs = _references_by_case(study)
    feedback = []
    first = session.current()
    round_ = session._ref(first).training_round if first is not None else None
    while (case := session.current()) is not None and case.training and session._ref(case).training_round == round_:
        values = {k: min(3, max(1, v + shift)) for k, v in refs[session._ref(case).case_id].items()}
        feedback.append(session.submit(case, values, active_seconds=3.0))
    return session, feedback


def test_training_cases_leave_the_study_proper(trained):
    with trained.db.read() as session:
        training_ids = {t.case_id for t in queries.training_cases(session)}
        assert len(training_ids) == 4
        study_case_ids = {c.id for c in queries.cases(session)}
        assert not training_ids & study_case_ids and len(study_case_ids) == 8
        codes = {c.id: c.code for c in queries.cases(session, training=True)}
    for rater in ("R01", "R02", "R03"):
        planned = {code for _, code, _ in reading_list(trained, rater)}
        assert planned and not planned & {codes[c] for c in training_ids}



def test_session_serves_training_first_then_the_study(trained):
    session = _login(trained, "R01")
    first = session.current()
    assert first.training and (first.number, first.total) == (1, 4)
    refs = _references_by_case(trained)
    case_id = session._ref(first).case_id
    mine = dict(refs[case_id])
    changed = trained.rubric.item_keys[0]
    mine[changed] = 3 if mine[changed] != 3 else 1
    feedback = session.submit(first, mine, active_seconds=2.0)
    assert isinstance(feedback, training.TrainingFeedback)
    assert [(i.key, i.yours, i.reference) for i in feedback.items] == [
        (k, mine[k], refs[case_id][k]) for k in trained.rubric.item_keys
    ]
    assert feedback.agreeing == len(trained.rubric.items) - 1
    assert feedback.total == sum(mine.values()) and feedback.reference_total == sum(refs[case_id].values())
    assert (feedback.done, feedback.of, feedback.status) == (1, 4, None)
    # A retried submit of the same view stores once.
    again = session.submit(first, mine, active_seconds=2.0)
    assert again.done == 1
    _, rest = _read_all_training(trained, session)
    assert len(rest) == 3 and rest[-1].status is not None and rest[-1].done == 4
    nxt = session.current()
    assert not nxt.training and nxt.number == 1
    with trained.db.read() as s:
        assert s.query(models.Rating).count() == 0
        assert s.query(models.TrainingRead).count() == 4


def test_training_reads_never_enter_agreement_or_exports(trained):
    session = _login(trained, "R02")
    # One study rating first, so the study tables are not empty.
    _read_all_training(trained, session)
    study_case = session.current()
    session.submit(study_case, {k: 2 for k in trained.rubric.item_keys})
    before = study_ratings(trained).data.copy()
    tables = export_tables(trained, with_icc=False)
    _read_all_training(trained, "R01", shift=1)
    after = study_ratings(trained).data
    pd.testing.assert_frame_equal(before, after)
    tables_after = export_tables(trained, with_icc=False)
    pd.testing.assert_frame_equal(tables.long, tables_after.long)
    pd.testing.assert_frame_equal(tables.consensus, tables_after.consensus)
    with trained.db.read() as s:
        training_codes = {t.case.code for t in queries.training_cases(s)}
    assert not set(tables_after.long["case"]) & training_codes
    assert len(after) == 1


def test_weighted_kappa_and_bias_match_hand_values():
    """Rater 1,3,3,2 against reference 1,2,3,3 (categories 1-3, linear weights):
    observed disagreement 2/4, expected 0.875, kappa = 1 - 0.5/0.875 = 3/7; bias (+1 -1)/4 = 0."""
    data = pd.DataFrame({"rater": ["A"] * 4, "x": [1, 3, 3, 2], "ref": [1, 2, 3, 3]})
    row = agreement_with_reference(data, "rater", {"x": "ref"}, categories={"x": [1, 2, 3]}).iloc[0]
    assert row.kappa == pytest.approx(3 / 7, abs=1e-12)
    assert row.bias == 0 and row.mean_abs_difference == 0.5 and row.n_targets == 4
    same = pd.DataFrame({"rater": ["A"] * 3, "x": [2, 2, 2], "ref": [2, 2, 2]})
    assert np.isnan(agreement_with_reference(same, "rater", {"x": "ref"}).iloc[0].kappa)


TOTALS = ([12, 17, 21, 25, 29, 14], [13, 17, 22, 24, 30, 14])


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_kappa_of_totals_matches_r_psych():
    """R: psych::cohen.kappa(cbind(x, ref), w = abs(outer(1:21, 1:21, "-")), levels = 10:30)."""
    x, ref = TOTALS
    script = (
        "suppressMessages(library(psych)); x <- c({}); r <- c({}); "
        "k <- suppressWarnings(cohen.kappa(cbind(x, r), w = abs(outer(1:21, 1:21, '-')), levels = 10:30)); "
        "cat(sprintf('%.12f', k$weighted.kappa))"
    ).format(",".join(map(str, x)), ",".join(map(str, ref)))
    expected = float(subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout)
    data = pd.DataFrame({"rater": "A", "total": x, "ref": ref})
    row = agreement_with_reference(data, "rater", {"total": "ref"}, categories={"total": range(10, 31)}).iloc[0]
    assert row.kappa == pytest.approx(expected, abs=1e-9)
    assert row.bias == pytest.approx(np.mean(np.subtract(x, ref)))


def test_status_kappa_bias_and_pass_threshold(trained):
    update_settings(trained, {"training_min_kappa": 0.5, "training_max_bias": 0.5}, actor="test")
    _read_all_training(trained, "R01")  # the reference itself
    _read_all_training(trained, "R02", shift=1)  # one point higher wherever the item allows
    status = {s.rater: s for s in training.training_status(trained)}
    exact, high, none = status["R01"], status["R02"], status["R03"]
    assert exact.passed and exact.kappa["total"] == pytest.approx(1.0) and exact.bias == 0
    assert (exact.done, exact.of) == (4, 4)
    refs = list(_references_by_case(trained).values())
    expected_bias = np.mean([sum(min(3, v + 1) for v in r.values()) - sum(r.values()) for r in refs])
    assert high.bias == pytest.approx(expected_bias) and expected_bias > 0.5
    assert not high.passed
    assert (none.done, none.passed, none.bias) == (0, False, None)
    # R02's totals 29, 29, 28, 27 against 27, 26, 24, 21: observed mean |difference| 15/4 equals the
    # chance one (60/16, all 16 pairings), so the kappa of the totals is 0 by hand.
    assert high.kappa["total"] == pytest.approx(0.0, abs=1e-12)
    # Lifting the bias limit alone is not enough (kappa 0 < 0.5); lowering the kappa too lets R02 pass.
    update_settings(trained, {"training_max_bias": 20}, actor="test")
    assert not {s.rater: s for s in training.training_status(trained)}["R02"].passed
    update_settings(trained, {"training_min_kappa": 0.0}, actor="test")
    assert {s.rater: s for s in training.training_status(trained)}["R02"].passed


def test_until_passed_holds_study_cases_and_starts_a_new_round(trained):
    update_settings(trained, {"training_policy": "until_passed", "training_max_bias": 0.5}, actor="test")
    session, feedback = _read_all_training(trained, "R02", shift=1)
    assert feedback[-1].status is not None and not feedback[-1].status.passed
    nxt = session.current()
    assert nxt.training and session._ref(nxt).training_round == 2 and nxt.number == 1
    _read_all_training(trained, session)  # round 2: the reference
    assert not session.current().training
    standing = {s.rater: s for s in training.training_status(trained)}["R02"]
    assert standing.round == 2 and standing.passed


def test_policy_off_serves_the_study_only(trained):
    update_settings(trained, {"training_policy": "off"}, actor="test")
    assert not _login(trained, "R01").current().training


def test_training_case_cannot_be_marked_unreadable(trained):
    session = _login(trained, "R01")
    with pytest.raises(ValidationError, match="scored, not marked unreadable"):
        session.submit(session.current(), None, unreadable_reason="blurred")


def test_bad_reference_rows_are_listed_and_nothing_is_stored(populated_study, tmp_path):
    study = populated_study
    good = _reference(study, 0)
    bad = dict(good, **{study.rubric.item_keys[0]: 4})
    path = _write_reference_csv(tmp_path / "bad.csv", study, [
        ("P005", "day1", good), ("P099", "day1", good), ("P006", "day1", bad), ("P005", "day1", good),
    ])
    with pytest.raises(InputFileError) as err:
        training.import_references(study, path, actor="test")
    lines = {p.line: p.message for p in err.value.problems}
    assert set(lines) == {3, 4, 5}
    assert "P099" in lines[3] and "allowed values" in lines[4] and "also on line 2" in lines[5]
    assert training.training_cases_count(study) == 0


def test_case_in_a_reading_list_cannot_become_a_training_case(populated_study, tmp_path):
    plan_reading(populated_study, seed=1, actor="test")
    path = _write_reference_csv(tmp_path / "ref.csv", populated_study, [("P001", "day1", _reference(populated_study, 0))])
    with pytest.raises(InputFileError, match="reading lists"):
        training.import_references(populated_study, path, actor="test")


def test_changed_reference_is_a_new_version(trained):
    with trained.db.read() as s:
        case = queries.training_cases(s)[0]
        code, reference = case.case.code, dict(case.reference)
    changed = dict(reference, **{trained.rubric.item_keys[0]: 1 if reference[trained.rubric.item_keys[0]] != 1 else 2})
    result = training.define_training_cases(trained, {code: changed}, actor="test", reason="panel revised")
    assert (result.added, result.changed) == (0, 1)
    assert training.define_training_cases(trained, {code: changed}, actor="test").unchanged == 1
    with trained.db.read() as s:
        versions = s.query(models.TrainingCase).filter_by(case_id=case.case_id).count()
        current = [t for t in queries.training_cases(s) if t.case_id == case.case_id][0]
    assert versions == 2 and current.version == 2 and current.change_reason == "panel revised"


def test_training_settings_are_bounded(study):
    for name, value in (("training_min_kappa", 1.5), ("training_max_bias", -1), ("training_policy", "sometimes")):
        with pytest.raises(ValidationError, match=name):
            update_settings(study, {name: value}, actor="test")


def test_training_rows_are_append_only(trained):
    _read_all_training(trained, "R01")
    from sqlalchemy import text

    for table in ("training_read", "training_case"):
        with pytest.raises(Exception, match="append-only"):
            with trained.db.write() as session:
                session.execute(text(f"UPDATE {table} SET id = id"))
        with pytest.raises(Exception, match="append-only"):
            with trained.db.write() as session:
                session.execute(text(f"DELETE FROM {table}"))


def test_methods_sentence(trained):
    assert training.methods_sentence(trained) is not None
    _read_all_training(trained, "R01")
    sentence = training.methods_sentence(trained)
    assert "4 training case(s)" in sentence and "1 of 3 rater(s) trained, 1 passed" in sentence
    assert json.dumps(training.training_status(trained)[0].to_dict())


def test_cli_reference_and_status(populated_study, tmp_path, capsys):
    from rushrater.cli.main import main

    study = populated_study
    path = _write_reference_csv(tmp_path / "ref.csv", study, [("P006", "day1", _reference(study, 1)),
                                                              ("P006", "month1", _reference(study, 2))])
    root = str(study.root)
    study.close()
    assert main(["training", "reference", root, str(path)]) == 0
    assert "2 case(s) added" in capsys.readouterr().out
    assert main(["training", "status", root, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["training_cases"] == 2 and len(out["raters"]) == 3 and out["raters"][0]["passed"] is False
    assert main(["training", "status", root]) == 0
    assert "R01" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("case," + ",".join(study.rubric.item_keys) + "\nNOPE," + ",".join("2" * 10) + "\n")
    assert main(["training", "reference", root, str(bad)]) == 1
    assert "NOPE" in capsys.readouterr().err


def test_report_methods_say_how_raters_were_trained(make_study, tmp_path):
    """Training images imported after the study was planned and rated; the methods paragraph says so."""
    pytest.importorskip("reportlab")
    from factories import write_manifest, write_png
    from test_export_formats import rated_study

    from rushrater.services.imports import import_manifest
    from rushrater.services.report import build_report

    study = rated_study(make_study, tmp_path)
    source = tmp_path / "training-images"
    rows = [(f"T_{v}.png", "TRAIN01", "day1", v) for v in ("AP", "LAT")]
    for n, (name, *_rest) in enumerate(rows):
        write_png(source / name, 9000 + n)
    import_manifest(study, source, write_manifest(tmp_path / "training.csv", rows), actor="test")
    with study.db.read() as s:
        code = next(c.code for c in queries.cases(s) if c.patient.code == "TRAIN01")
    before = [b.text for b in build_report(study).blocks if getattr(b, "style", "") == "methods"][0]
    assert "training case" not in before
    training.define_training_cases(study, {code: {k: 2 for k in study.rubric.item_keys}}, actor="test")
    methods = [b.text for b in build_report(study).blocks if getattr(b, "style", "") == "methods"][0]
    assert "raters scored 1 training case(s) with reference scores" in methods
    assert "0 of 6 rater(s) trained, 0 passed" in methods



def test_a_rater_login_stores_only_its_own_training_reads(trained):
    """PostgreSQL (revision 0012): a rater login reads the references, inserts its own training reads
    and no one else's, and changes none."""
    import pgserver

    if pgserver.BACKEND != "postgresql":
        pytest.skip("rater logins exist on PostgreSQL only")
    import psycopg
    from test_pg_isolation import _login as pg_login
    from test_pg_isolation import _psycopg

    url = pg_login(trained, "R01")
    with trained.db.read() as s:
        ref = queries.training_cases(s)[0]
        r1, r2 = (queries.rater_by_code_or_name(s, c).id for c in ("R01", "R02"))
        case_id, ref_id, total = ref.case_id, ref.id, ref.reference_total
        values = json.dumps(dict(ref.reference))
    insert = ("INSERT INTO training_read (submission_id, rater_id, case_id, training_case_id, round, rubric_id, "
              "item_values, total, submitted_at) VALUES (%s, %s, %s, %s, 1, %s, %s::json, %s, now())")
    with _psycopg(url) as conn:
        assert conn.execute("SELECT count(*) FROM training_case").fetchone()[0] == 4
        conn.execute(insert, ("a" * 36, r1, case_id, ref_id, trained.rubric_id, values, total))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(insert, ("b" * 36, r2, case_id, ref_id, trained.rubric_id, values, total))
        with pytest.raises(psycopg.Error):
            conn.execute("UPDATE training_read SET total = 10")
        with pytest.raises(psycopg.Error):
            conn.execute("INSERT INTO training_case (case_id, version, reference, reference_total, source, defined_by, "
                         "defined_at) VALUES (%s, 9, '{}'::json, 20, 'cli', 'me', now())", (case_id,))
    assert [s.done for s in training.training_status(trained) if s.rater == "R01"] == [1]


def test_verify_checks_the_training_tables_append_only_triggers(trained):
    from sqlalchemy import text

    from rushrater.services.verify import verify_study

    assert verify_study(trained).ok
    if trained.db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite trigger is dropped here; PostgreSQL's are checked by name the same way")
    with trained.db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER training_read_no_update"))
    findings = verify_study(trained).findings
    assert [f.table for f in findings] == ["training_read"] and "training_read_no_update" in findings[0].problem
