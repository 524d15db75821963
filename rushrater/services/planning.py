"""Reading plans: every rater gets an independent random order over all cases, from a recorded seed.

The same seed gives the same lists (each rater's order comes from its own stream derived from the
seed and the rater code), and two cases of the same patient are never adjacent in a list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.changes import NO_CHANGES, Changes
from ..domain.errors import NotFoundError, PlanError, ValidationError
from ..domain.settings import StudySettings
from ..domain.ordering import order_without_adjacent, rater_rng
from ..storage import models, queries, writes
from . import audit
from .settings import check_setting
from .study import DEFAULT_SETTINGS, Study
from .unit_of_work import unit_of_work

MAX_SEED = 2**31 - 1  # fits a 32-bit integer column on every backend


@dataclass
class PlanResult:
    seed: int
    new_plan: bool
    raters_planned: list[str] = field(default_factory=list)
    cases_appended: dict[str, int] = field(default_factory=dict)
    cases_planned: int = 0
    incomplete_cases: list[str] = field(default_factory=list)
    #: Re-reads added by this call: rater code -> number of cases (read 2).
    rereads_added: dict[str, int] = field(default_factory=dict)
    #: Raters who already had re-reads, left unchanged.
    rereads_kept: list[str] = field(default_factory=list)
    #: When the re-reads added become available (now + washout), ISO 8601.
    rereads_available_from: str | None = None
    washout_days: float | None = None
    #: Re-read cases whose first read is not yet submitted: their washout counts from today.
    rereads_before_first_read: int = 0
    #: What planning changed (set once the plan is stored).
    changes: Changes = field(default=NO_CHANGES, compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return (
            self.new_plan
            or bool(self.raters_planned)
            or any(self.cases_appended.values())
            or any(self.rereads_added.values())
        )


DEFAULT_WASHOUT_DAYS = DEFAULT_SETTINGS["washout_days"]


def plan_reading(
    study: Study,
    *,
    seed: int | None = None,
    replan: bool = False,
    actor: str | None = None,
    reread_fraction: float | None = None,
    washout_days: float | None = None,
) -> PlanResult:
    """Create or extend the reading plan.

    A first call creates every rater's list. Later calls keep existing lists unchanged (raters may
    be half-way through them), give a list to raters enrolled since, and append cases imported since
    to the end of each list. ``replan`` discards all lists and starts again, allowed only before any
    rating exists.

    ``reread_fraction`` (0-1] adds test-retest re-reads: for each rater without re-reads yet, a
    random subset of that share of the rater's cases (at least one), drawn from the plan's seed and
    the rater code, appended to the list in a new random order (no two cases of a patient adjacent)
    as read 2, available from now + ``washout_days`` (default: the study's ``washout_days``
    setting, 28) and, as the reading session enforces, never sooner than ``washout_days`` after the
    rater's own first read of the case; the washout given here becomes the study's setting.
    :attr:`PlanResult.rereads_before_first_read` counts re-read cases not yet read a first time.
    """
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"seed {seed} is out of range", fix=f"use a whole number from 0 to {MAX_SEED}")
    if reread_fraction is not None and not 0.0 < reread_fraction <= 1.0:
        raise ValidationError(
            f"re-read fraction {reread_fraction} is out of range", fix="give a share above 0 and at most 1, e.g. 0.2"
        )
    if washout_days is not None:
        washout_days = check_setting("washout_days", washout_days)
    if washout_days is not None and reread_fraction is None:
        raise ValidationError(
            "a washout applies to re-reads only", fix="add --reread-fraction (e.g. 0.2) to plan re-reads"
        )
    with unit_of_work(study, actor) as uow:
        session, actor = uow.session, uow.actor
        raters = queries.raters(session)
        if not raters:
            raise PlanError("no raters are enrolled", fix="enrol raters first: rushrater raters add STUDY NAME --group GROUP")
        all_cases = queries.cases(session)
        complete = [c for c in all_cases if {i.view for i in c.images} == {"AP", "LAT"}]
        incomplete = [c.code for c in all_cases if c not in complete]
        if not complete:
            raise PlanError(
                "no case has both an AP and a lateral image", fix="import images first: rushrater import STUDY SOURCE --manifest CSV"
            )
        patient_of = {c.id: c.patient_id for c in complete}
        case_ids = [c.id for c in complete]

        existing = queries.latest_plan(session)
        if existing is not None and replan:
            if queries.raters_with_ratings(session):
                raise PlanError(
                    "ratings have been submitted, so the reading lists cannot be discarded",
                    fix="plan again without --replan: new raters and new cases are added to the existing plan",
                )
            dropped = writes.delete_assignments(session, [r.id for r in raters])
            uow.record("plan.discard", "reading_plan", existing.id, before={"seed": existing.seed, "assignments": dropped})
            existing = None
        if existing is not None and seed is not None and seed != existing.seed:
            raise PlanError(
                f"the study is already planned with seed {existing.seed}",
                fix="omit --seed to extend the existing plan, or add --replan (only before any rating) to start over",
            )

        new_plan = existing is None
        if new_plan:
            seed = secrets.randbelow(MAX_SEED + 1) if seed is None else seed
            plan = models.ReadingPlan(seed=seed, created_at=audit.now(), created_by=actor)
            session.add(plan)
            session.flush()
        else:
            plan = existing
            seed = plan.seed
        result = PlanResult(seed=seed, new_plan=new_plan, cases_planned=len(case_ids), incomplete_cases=incomplete)

        for rater in raters:
            current = queries.assignments(session, rater.id)
            first_reads = [a for a in current if a.read_number == 1]
            if not current:
                order = order_without_adjacent(case_ids, patient_of, rater_rng(seed, rater.code))
                _add_assignments(session, plan.id, rater.id, order, start=1)
                result.raters_planned.append(rater.code)
                continue
            listed = {a.case_id for a in first_reads}
            missing = [cid for cid in case_ids if cid not in listed]
            if missing:
                last = current[-1]
                rng = rater_rng(seed, rater.code, purpose=f"append-after-{last.position}")
                order = order_without_adjacent(missing, patient_of, rng, not_first=patient_of.get(last.case_id))
                _add_assignments(session, plan.id, rater.id, order, start=last.position + 1)
                result.cases_appended[rater.code] = len(order)

        if reread_fraction is not None:
            days = float(study.settings.washout_days if washout_days is None else washout_days)
            _plan_rereads(session, study, plan, raters, patient_of, reread_fraction, days, result)
            if result.rereads_added and days != study.settings.washout_days:
                # The reading session enforces the washout from each first read with this setting.
                row = queries.study(session)
                before = dict(row.settings or {})
                row.settings = {**before, "washout_days": days}
                uow.record("study.settings", "study", row.uid, before=before, after=row.settings,
                           reason="washout of the planned re-reads")
                study.settings = StudySettings.from_stored(row.settings)

        if result.changed:
            uow.record(
                "plan.create" if new_plan else "plan.extend",
                "reading_plan",
                plan.id,
                after={
                    "seed": seed,
                    "raters_planned": result.raters_planned,
                    "cases_appended": result.cases_appended,
                    "cases": len(case_ids),
                    "left_out_incomplete": incomplete,
                    **(
                        {
                            "reread_fraction": reread_fraction,
                            "washout_days": result.washout_days,
                            "rereads_added": result.rereads_added,
                            "rereads_available_from": result.rereads_available_from,
                        }
                        if result.rereads_added
                        else {}
                    ),
                },
            )
    result.changes = uow.changes
    return result


def _add_assignments(session, plan_id: int, rater_id: int, case_ids: list[int], start: int) -> None:
    session.add_all(
        models.Assignment(plan_id=plan_id, rater_id=rater_id, case_id=cid, read_number=1, position=start + i)
        for i, cid in enumerate(case_ids)
    )
    session.flush()


def _plan_rereads(session, study: Study, plan, raters, patient_of: dict[int, int], fraction: float, days: float,
                  result: PlanResult) -> None:
    """Append read-2 assignments for raters without re-reads (see :func:`plan_reading`)."""
    available_from = audit.now() + timedelta(days=days)
    result.washout_days = days
    done = queries.rated_keys(session)
    for rater in raters:
        current = queries.assignments(session, rater.id)
        if any(a.read_number > 1 for a in current):
            result.rereads_kept.append(rater.code)
            continue
        first = sorted(a.case_id for a in current if a.read_number == 1 and a.case_id in patient_of)
        if not first:
            continue
        rng = rater_rng(plan.seed, rater.code, purpose="reread")
        count = min(len(first), max(1, round(fraction * len(first))))
        last = current[-1]
        # A tiny subset can be all one patient's cases, which no order keeps apart: draw again
        # (from the same stream, so still reproducible).
        for attempt in range(50):
            chosen = rng.sample(first, count)
            try:
                order = order_without_adjacent(chosen, patient_of, rng, not_first=patient_of.get(last.case_id))
                break
            except PlanError:
                if attempt == 49:
                    raise
        session.add_all(
            models.Assignment(
                plan_id=plan.id,
                rater_id=rater.id,
                case_id=cid,
                read_number=2,
                position=last.position + 1 + i,
                available_from=available_from,
            )
            for i, cid in enumerate(order)
        )
        session.flush()
        result.rereads_added[rater.code] = len(order)
        result.rereads_before_first_read += sum(1 for cid in order if (rater.id, cid, 1) not in done)
    if result.rereads_added:
        result.rereads_available_from = available_from.isoformat()


def reading_list(study: Study, rater_ref: str) -> list[tuple[int, str, int]]:
    """(position, case code, read number) of a rater's list, in order."""
    with study.db.read() as session:
        rater = queries.rater_by_code_or_name(session, rater_ref)
        if rater is None:
            raise NotFoundError(f"no rater {rater_ref!r} in this study", fix="see `rushrater status STUDY` for rater codes")
        return [(a.position, a.case.code, a.read_number) for a in queries.assignments(session, rater.id)]
