"""Rater training and calibration (issue 17; GRRAS item 7 asks how raters were trained).

The coordinator marks cases already imported (e.g. the cases of patients imported for training, or
from a published atlas) as *training cases* with reference item scores (an expert panel's): from a
CSV (``rushrater training reference STUDY CSV``) or :func:`define_training_cases`. A training case
leaves the study proper: it is never planned into a reading list, counted, exported or analysed
(``queries.cases`` leaves it out), and a case already in a reading list cannot become one.

A rater's reading session serves their training cases first (study setting ``training_policy``):

* ``before_study`` (default): each training case once, then the study cases;
* ``until_passed``: the study cases wait until the rater passed; a round that ends below the
  threshold starts a new round of the same cases;
* ``off``: no training in the reading session.

After each training submit the rater sees their scores beside the reference, item by item
(:class:`TrainingFeedback`). Training reads are stored in their own table (``training_read``), never
in ``rating``, so they never enter agreement, consensus, exports or outcome analyses.

Passing (:func:`training_status`): every training case of the round read, the linear-weighted kappa
of the rater's totals against the reference totals (categories: the rubric's total range) at least
``training_min_kappa`` and the mean difference rater - reference (bias) of the totals at most
``training_max_bias`` points either way.

Audit: defining references is in the audit trail. A training read is not (the append-only
``training_read`` row itself says who, what and when): on a server, 0008's guard admits only rating
events from a rater's login. On a server study a rater login sees only the images of cases in their
reading list (0008's views), so training there runs on a workstation opened with the coordinator's
connection; revision 0012 grants rater logins their own training reads and the references.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..domain.changes import NO_CHANGES, Changes
from ..domain.errors import InputFileError, NotFoundError, RowProblem, ValidationError
from ..domain.settings import DEFAULTS
from ..storage import models, queries
from . import audit
from .csv_input import read_csv_rows
from .study import Study
from .unit_of_work import unit_of_work

POLICY_SETTING = "training_policy"
POLICIES = ("before_study", "until_passed", "off")
MIN_KAPPA_SETTING = "training_min_kappa"
MAX_BIAS_SETTING = "training_max_bias"
DEFAULT_MIN_KAPPA = DEFAULTS[MIN_KAPPA_SETTING]  # "substantial" agreement (Landis & Koch 1977)
DEFAULT_MAX_BIAS = DEFAULTS[MAX_BIAS_SETTING]  # points of the RUSH total
TOTAL = "total"


def policy(study: Study) -> str:
    return study.settings.training_policy


def thresholds(study: Study) -> tuple[float, float]:
    """(minimum weighted kappa of the total, maximum |bias| of the total in points)."""
    return float(study.settings.training_min_kappa), float(study.settings.training_max_bias)


# -- defining training cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceResult:
    added: int
    changed: int
    unchanged: int
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)

    def to_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged}


def _case_of(session, ref: str, timepoint: str | None = None) -> models.Case | None:
    if timepoint is None:
        return queries.case_by_code(session, ref)
    patient = queries.patient_by_code(session, ref.strip())
    tp = queries.timepoint_by_key(session, timepoint)
    if patient is None or tp is None:
        return None
    return queries.case_for(session, patient.id, tp.id)


def _refusal(session, case: models.Case) -> str | None:
    """Why this case cannot be a training case (it is part of the study proper), or None."""
    if {i.view for i in case.images} != {"AP", "LAT"}:
        return f"case {case.code} does not have both an AP and a lateral image"
    if queries.case_has_ratings(session, case.id):
        return f"case {case.code} already has study ratings"
    if queries.case_has_assignments(session, case.id):
        return f"case {case.code} is in raters' study reading lists"
    return None


def define_training_cases(
    study: Study,
    references: Mapping[str, Mapping[str, Any]],
    *,
    source: str = "cli",
    source_sha256: str | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> ReferenceResult:
    """Mark cases (by case code) as training cases with these reference item scores, all or none.

    A case whose reference differs from its current one gets a new version (``reason`` is kept).
    """
    scored = {}
    problems = []
    for code, values in references.items():
        try:
            scored[code] = study.rubric.score(values)
        except ValidationError as exc:
            problems.append(f"case {code}: {exc.message}")
    if problems:
        raise ValidationError("; ".join(problems), fix="give every item a reference score 1, 2 or 3")
    added = changed = unchanged = 0
    with unit_of_work(study, actor) as uow:
        session, actor = uow.session, uow.actor
        current = {t.case_id: t for t in queries.training_cases(session)}
        for code, score in scored.items():
            case = queries.case_by_code(session, code)
            if case is None:
                raise NotFoundError(f"case {code!r} is not in this study", fix="see `rushrater status STUDY` for case codes")
            refusal = _refusal(session, case) if case.id not in current else None
            if refusal:
                raise ValidationError(
                    f"{refusal}, so it cannot become a training case",
                    fix="import separate images for training (e.g. patients TRAIN01...) before making the reading plan",
                )
            before = current.get(case.id)
            reference = dict(score.values)
            if before is not None and dict(before.reference) == reference:
                unchanged += 1
                continue
            row = models.TrainingCase(
                case_id=case.id,
                version=1 if before is None else before.version + 1,
                supersedes_id=None if before is None else before.id,
                reference=reference,
                reference_total=score.total,
                source=source,
                source_sha256=source_sha256,
                defined_by=actor,
                defined_at=audit.now(),
                change_reason=None if before is None else (reason or "reference scores changed"),
            )
            session.add(row)
            session.flush()
            uow.record(
                "training.reference", "training_case", row.id,
                before=None if before is None else {"case": case.code, "reference": dict(before.reference)},
                after={"case": case.code, "reference": reference, "total": score.total},
                reason=row.change_reason,
            )
            if before is None:
                added += 1
            else:
                changed += 1
    return ReferenceResult(added, changed, unchanged, changes=uow.changes)


def import_references(study: Study, csv_path: str | Path, *, actor: str | None = None) -> ReferenceResult:
    """Reference scores from a CSV: ``case`` (code) or ``patient`` + ``timepoint``, the item columns,
    optionally ``total`` (checked against the items). Every row is checked first; nothing is stored
    when one is wrong."""
    path = Path(csv_path).expanduser()
    item_keys = study.rubric.item_keys
    rows = read_csv_rows(path, item_keys, ("case", "patient", "timepoint", "total"))
    if not rows:
        raise InputFileError(str(path), [RowProblem(2, "no rows below the header")], fix="add one training case per row")
    problems: list[RowProblem] = []
    references: dict[str, dict[str, str]] = {}
    seen: dict[str, int] = {}
    with study.db.read() as session:
        current = {t.case_id for t in queries.training_cases(session)}
        for line, values in rows:
            if "__error__" in values:
                problems.append(RowProblem(line, values["__error__"]))
                continue
            errors: list[str] = []
            code = values.get("case", "").strip()
            patient, timepoint = values.get("patient", "").strip(), values.get("timepoint", "").strip()
            if code:
                case = _case_of(session, code)
                what = f"case {code!r}"
            elif patient and timepoint:
                case = _case_of(session, patient, timepoint)
                what = f"patient {patient!r} at {timepoint!r}"
            else:
                problems.append(RowProblem(line, "give either case, or patient and timepoint"))
                continue
            if case is None:
                problems.append(RowProblem(line, f"{what} is not a case in this study"))
                continue
            if case.id not in current and (refusal := _refusal(session, case)):
                errors.append(f"{refusal}, so it cannot become a training case")
            item_values = {key: values.get(key, "").strip() for key in item_keys}
            try:
                score = study.rubric.score(item_values)
                given = values.get("total", "").strip()
                if given and given != str(score.total):
                    errors.append(f"total {given} is not the sum of the items ({score.total})")
            except ValidationError as exc:
                errors.append(exc.message)
            if case.code in seen:
                errors.append(f"case {case.code} is also on line {seen[case.code]}")
            seen.setdefault(case.code, line)
            if errors:
                problems.append(RowProblem(line, "; ".join(errors)))
            else:
                references[case.code] = item_values
    if problems:
        raise InputFileError(str(path), problems, fix="correct these rows; nothing was stored")
    return define_training_cases(
        study, references, source="csv", source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(), actor=actor,
        reason=f"reference scores from {path.name}",
    )


# -- training reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFeedback:
    key: str
    label: str
    yours: int
    reference: int

    @property
    def agrees(self) -> bool:
        return self.yours == self.reference


@dataclass(frozen=True)
class TrainingFeedback:
    """What a rater sees after a training submit: their scores beside the reference."""

    items: tuple[ItemFeedback, ...]
    total: int
    reference_total: int
    done: int  # training cases read in this round, this one included
    of: int
    round: int
    #: The rater's standing once the round is complete (None before).
    status: RaterTraining | None = None
    #: What storing the read changed (none when a retried submit found it stored).
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)

    @property
    def agreeing(self) -> int:
        return sum(i.agrees for i in self.items)


@dataclass(frozen=True)
class _Reference:
    training_case_id: int
    case_id: int
    values: dict[str, int]
    total: int


def _references(session) -> dict[int, _Reference]:
    return {
        t.case_id: _Reference(t.id, t.case_id, {k: int(v) for k, v in t.reference.items()}, t.reference_total)
        for t in queries.training_cases(session)
    }


def _order(rater_code: str, case_ids) -> list[int]:
    """Each rater's own fixed order of the training cases (no two raters share a sequence)."""
    return sorted(case_ids, key=lambda c: hashlib.sha256(f"{rater_code}:{c}".encode()).hexdigest())


@dataclass(frozen=True)
class PendingTraining:
    round: int
    case_ids: tuple[int, ...]  # still to read this round, in the rater's order
    done: int
    of: int


def pending(study: Study, session, rater: models.Rater) -> PendingTraining | None:
    """The training cases the rater still has to read before (or instead of) study cases, or None."""
    mode = policy(study)
    if mode == "off":
        return None
    references = _references(session)
    if not references:
        return None
    reads = queries.training_reads(session, rater.id)
    round_ = max((r.round for r in reads), default=1)
    read_now = {r.case_id for r in reads if r.round == round_}
    if read_now >= set(references):
        if mode != "until_passed" or _standing(study, rater, references, reads, round_).passed:
            return None
        round_, read_now = round_ + 1, set()
    todo = [c for c in _order(rater.code, references) if c not in read_now]
    return PendingTraining(round_, tuple(todo), len(references) - len(todo), len(references))


def blocks_study(study: Study, pending_training: PendingTraining | None) -> bool:
    """Whether study cases wait (the rater has training cases left)."""
    return pending_training is not None and bool(pending_training.case_ids)


def submit_training_read(
    study: Study,
    rater_id: int,
    case_id: int,
    round_: int,
    values: Mapping[str, Any],
    *,
    submission_id: str | None = None,
    started_at: datetime | None = None,
    active_seconds: float | None = None,
) -> TrainingFeedback:
    """Store a rater's training read (apart from study ratings) and return the reference beside it.

    The same ``submission_id`` stores once (a retried submit returns the same feedback)."""
    score = study.rubric.score(values or {})
    if active_seconds is not None and (not math.isfinite(active_seconds) or active_seconds < 0):
        raise ValidationError(f"active time {active_seconds} is not a non-negative number of seconds")
    submission_id = submission_id or str(uuid.uuid4())
    # No audit row: a training read is kept apart from the study and is its own record.
    with unit_of_work(study) as uow:
        session = uow.session
        rater = session.get(models.Rater, rater_id)
        references = _references(session)
        reference = references.get(case_id)
        if reference is None:
            raise NotFoundError("this case is not a training case", fix="reopen the reading session")
        stored = queries.training_read_by_submission(session, submission_id)
        if stored is None:
            clash = queries.training_read_for(session, rater_id, case_id, round_)
            if clash is not None:
                raise ValidationError("you have already scored this training case in this round",
                                      fix="go on to the next case")
            stored = models.TrainingRead(
                submission_id=submission_id, rater_id=rater_id, case_id=case_id,
                training_case_id=reference.training_case_id, round=round_, rubric_id=study.rubric_id,
                item_values=dict(score.values), total=score.total, started_at=started_at,
                submitted_at=audit.now(), active_seconds=active_seconds,
            )
            session.add(stored)
            session.flush()
        reads = queries.training_reads(session, rater_id)
        done = len({r.case_id for r in reads if r.round == stored.round})
        status = None
        if done >= len(references):
            status = _standing(study, rater, references, reads, stored.round)
    items = tuple(
        ItemFeedback(item.key, item.label, int(stored.item_values[item.key]), reference.values[item.key])
        for item in study.rubric.items
    )
    return TrainingFeedback(items, stored.total, reference.total, done, len(references), stored.round, status,
                            changes=uow.changes)


# -- how the raters did --------------------------------------------------------------------------


@dataclass(frozen=True)
class RaterTraining:
    """One rater's agreement with the reference in their latest training round."""

    rater: str
    name: str
    round: int
    done: int
    of: int
    #: Linear-weighted kappa per item key and for "total" (None: undefined or nothing read).
    kappa: dict[str, float | None] = field(default_factory=dict)
    bias: float | None = None  # mean (rater total - reference total), points
    passed: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _standing(study: Study, rater: models.Rater, references: dict[int, _Reference], reads, round_: int) -> RaterTraining:
    rubric = study.rubric
    latest = [r for r in reads if r.round == round_ and r.case_id in references]
    kappas: dict[str, float | None] = {key: None for key in (*rubric.item_keys, TOTAL)}
    bias = None
    if latest:
        rows = []
        for r in latest:
            ref = references[r.case_id]
            rows.append({
                "rater": rater.code,
                **{key: int(r.item_values[key]) for key in rubric.item_keys},
                **{f"ref:{key}": ref.values[key] for key in rubric.item_keys},
                TOTAL: r.total, f"ref:{TOTAL}": ref.total,
            })
        # Imported here: importing rushrater.stats loads scipy.stats and statsmodels, which the
        # workstation's start-up must not wait for (benchmark first_case_s).
        from ..stats.reference import agreement_with_reference

        table = agreement_with_reference(
            pd.DataFrame(rows), "rater", {key: f"ref:{key}" for key in (*rubric.item_keys, TOTAL)},
            categories={**{i.key: i.values for i in rubric.items}, TOTAL: range(rubric.min_total, rubric.max_total + 1)},
        )
        kappas = {row.score: _finite(row.kappa) for row in table.itertuples()}
        bias = _finite(table.loc[table.score == TOTAL, "bias"].iloc[0])
    min_kappa, max_bias = thresholds(study)
    done = len({r.case_id for r in latest})
    passed = (
        done >= len(references) > 0
        and kappas.get(TOTAL) is not None and kappas[TOTAL] >= min_kappa
        and bias is not None and abs(bias) <= max_bias
    )
    return RaterTraining(rater.code, rater.name, round_, done, len(references), kappas, bias, passed)


def training_status(study: Study) -> list[RaterTraining]:
    """Every rater's standing (latest round): cases done, kappa per item and total, bias, passed."""
    with study.db.read() as session:
        references = _references(session)
        reads = queries.training_reads(session)
        by_rater: dict[int, list] = {}
        for r in reads:
            by_rater.setdefault(r.rater_id, []).append(r)
        result = []
        for rater in queries.raters(session):
            mine = by_rater.get(rater.id, [])
            round_ = max((r.round for r in mine), default=1)
            result.append(_standing(study, rater, references, mine, round_))
    return result


def training_cases_count(study: Study) -> int:
    with study.db.read() as session:
        return len(queries.training_cases(session))


def methods_sentence(study: Study) -> str | None:
    """One sentence for the report's methods, from the data, or None without training cases."""
    status = training_status(study)
    n_cases = training_cases_count(study)
    if not n_cases:
        return None
    min_kappa, max_bias = thresholds(study)
    trained = [s for s in status if s.done]
    passed = sum(s.passed for s in status)
    return (
        f"Before the study, raters scored {n_cases} training case(s) with reference scores and saw the reference "
        f"item by item after each case; a rater passed with a linear-weighted kappa of the total against the "
        f"reference of at least {min_kappa:g} and a mean bias of at most {max_bias:g} point(s) "
        f"({len(trained)} of {len(status)} rater(s) trained, {passed} passed)."
    )
