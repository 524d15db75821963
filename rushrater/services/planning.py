"""Reading plans: every rater gets an independent random order over all cases, from a recorded seed.

The same seed gives the same lists (each rater's order comes from its own stream derived from the
seed and the rater code), and two cases of the same patient are never adjacent in a list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from ..domain.errors import NotFoundError, PlanError, ValidationError
from ..domain.ordering import order_without_adjacent, rater_rng
from ..storage import models, queries
from . import audit
from .study import Study

MAX_SEED = 2**31 - 1  # fits a 32-bit integer column on every backend


@dataclass
class PlanResult:
    seed: int
    new_plan: bool
    raters_planned: list[str] = field(default_factory=list)
    cases_appended: dict[str, int] = field(default_factory=dict)
    cases_planned: int = 0
    incomplete_cases: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new_plan or bool(self.raters_planned) or any(self.cases_appended.values())


def plan_reading(study: Study, *, seed: int | None = None, replan: bool = False, actor: str | None = None) -> PlanResult:
    """Create or extend the reading plan.

    A first call creates every rater's list. Later calls keep existing lists unchanged (raters may
    be half-way through them), give a list to raters enrolled since, and append cases imported since
    to the end of each list. ``replan`` discards all lists and starts again, allowed only before any
    rating exists.
    """
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"seed {seed} is out of range", fix=f"use a whole number from 0 to {MAX_SEED}")
    actor = actor or audit.coordinator_actor()
    with study.db.write() as session:
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
            dropped = queries.delete_assignments(session, [r.id for r in raters])
            audit.record(session, actor, "plan.discard", "reading_plan", existing.id, before={"seed": existing.seed, "assignments": dropped})
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

        if result.changed:
            audit.record(
                session,
                actor,
                "plan.create" if new_plan else "plan.extend",
                "reading_plan",
                plan.id,
                after={
                    "seed": seed,
                    "raters_planned": result.raters_planned,
                    "cases_appended": result.cases_appended,
                    "cases": len(case_ids),
                    "left_out_incomplete": incomplete,
                },
            )
        return result


def _add_assignments(session, plan_id: int, rater_id: int, case_ids: list[int], start: int) -> None:
    session.add_all(
        models.Assignment(plan_id=plan_id, rater_id=rater_id, case_id=cid, read_number=1, position=start + i)
        for i, cid in enumerate(case_ids)
    )
    session.flush()


def reading_list(study: Study, rater_ref: str) -> list[tuple[int, str, int]]:
    """(position, case code, read number) of a rater's list, in order."""
    with study.db.read() as session:
        rater = queries.rater_by_code_or_name(session, rater_ref)
        if rater is None:
            raise NotFoundError(f"no rater {rater_ref!r} in this study", fix="see `rushrater status STUDY` for rater codes")
        return [(a.position, a.case.code, a.read_number) for a in queries.assignments(session, rater.id)]
