"""Reads never write: every function of storage.queries runs in a read session without sending a
write statement or leaving a pending change, and the one delete that used to sit among the queries
(discarding a plan's assignments on --replan) now runs in the planning write, as before."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
from datetime import datetime, timezone

from sqlalchemy import event, func, select

from factories import full_scores
from rushrater.services.planning import plan_reading, reading_list
from rushrater.services.ratings import submit_rating
from rushrater.storage import models, queries

WRITE_STATEMENT = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _query_functions():
    for info in pkgutil.iter_modules(queries.__path__):
        module = importlib.import_module(f"{queries.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{info.name}.{name}", function


def test_every_query_only_reads(populated_study):
    plan_reading(populated_study, seed=5)
    first = reading_list(populated_study, "R01")[0][1]
    submit_rating(populated_study, "R01", first, full_scores(populated_study))
    with populated_study.db.read() as session:
        rating = session.scalars(select(models.Rating)).first()
        image = session.scalars(select(models.Image)).first()
        patient = session.get(models.Patient, session.get(models.Case, rating.case_id).patient_id)
    # One real value per parameter name, so every query runs against rows that exist.
    arguments = {
        "rater_id": rating.rater_id, "case_id": rating.case_id, "read_number": 1, "rater_ids": [rating.rater_id],
        "case_ids": [rating.case_id], "patient_id": patient.id, "timepoint_id": 1, "rubric_id": rating.rubric_id,
        "submission_id": rating.submission_id, "code": patient.code, "ref": "R01", "name": "resident",
        "hashes": [image.content_sha256], "content_sha256": image.content_sha256, "image_id": image.id,
        "staged_id": 1, "key": "none", "assessor": "A", "scope": "all", "now": datetime.now(timezone.utc),
        "round_": 1, "action": "rating.submit", "actions": ("rating.submit",),
        "model": models.Rating, "group": ("rater_id", "case_id", "read_number"),
    }
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    functions = dict(_query_functions())
    assert len(functions) > 60  # the package was found and walked
    event.listen(populated_study.db.engine, "before_cursor_execute", remember)
    try:
        for qualified, function in functions.items():
            needed = [p.name for p in inspect.signature(function).parameters.values()
                      if p.name != "session" and p.default is inspect.Parameter.empty]
            missing = [p for p in needed if p not in arguments]
            assert not missing, f"{qualified}: give this test a value for {missing}"
            statements.clear()
            with populated_study.db.read() as session:
                result = function(session, **{p: arguments[p] for p in needed})
                if isinstance(result, types.GeneratorType):
                    result = list(result)
                pending = (list(session.new), list(session.dirty), list(session.deleted))
            assert pending == ([], [], []), f"{qualified} left changes in a read session: {pending}"
            writes = [s for s in statements if WRITE_STATEMENT.match(s)]
            assert not writes, f"{qualified} wrote in a read: {writes}"
    finally:
        event.remove(populated_study.db.engine, "before_cursor_execute", remember)


def _assignments(study) -> int:
    with study.db.read() as session:
        return session.scalar(select(func.count()).select_from(models.Assignment))


def test_replan_still_discards_the_old_lists_in_its_write(populated_study):
    plan_reading(populated_study, seed=1)
    planned = _assignments(populated_study)
    assert planned > 0
    plan_reading(populated_study, seed=2, replan=True)
    # The old lists went (not added to), and the discard is audited with what it dropped.
    assert _assignments(populated_study) == planned
    with populated_study.db.read() as session:
        (discard,) = session.scalars(select(models.AuditEvent).where(models.AuditEvent.action == "plan.discard"))
    assert discard.before == {"seed": 1, "assignments": planned}

