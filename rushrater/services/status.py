"""What a coordinator checks first: how big the study is and how far each rater has got."""

from __future__ import annotations

from typing import Any

from ..storage import queries
from .study import Study


def study_status(study: Study) -> dict[str, Any]:
    with study.db.read() as session:
        study_row = queries.study(session)
        counts = queries.counts(session)
        cases = queries.cases(session)
        plan = queries.latest_plan(session)
        progress = queries.progress(session)
        raters = queries.raters(session)
        groups = queries.groups(session)
        timepoints = queries.timepoints(session)
        per_timepoint = {tp.key: 0 for tp in timepoints}
        for case in cases:
            per_timepoint[case.timepoint.key] += 1
        rater_rows = []
        for rater in raters:
            p = progress.get(rater.id, {"assigned": 0, "done": 0, "reread_assigned": 0, "reread_done": 0})
            rater_rows.append(
                {
                    "code": rater.code,
                    "name": rater.name,
                    "group": rater.group.name,
                    "assigned": p["assigned"],
                    "done": p["done"],
                    "remaining": p["assigned"] - p["done"],
                    "percent_done": round(100.0 * p["done"] / p["assigned"], 1) if p["assigned"] else 0.0,
                    "reread_assigned": p["reread_assigned"],
                    "reread_done": p["reread_done"],
                }
            )
        return {
            "study": {
                "title": study_row.title,
                "uid": study_row.uid,
                "path": str(study.root),
                "rubric": study.rubric.name,
                "created_at": study_row.created_at.isoformat(),
            },
            "timepoints": [{"key": tp.key, "label": tp.label, "cases": per_timepoint[tp.key]} for tp in timepoints],
            "patients": counts["patients"],
            "cases": counts["cases"],
            "complete_cases": sum(1 for c in cases if {i.view for i in c.images} == {"AP", "LAT"}),
            "images": counts["images"],
            "ratings": counts["ratings"],
            "groups": [{"name": g.name, "raters": [r.code for r in g.raters]} for g in groups],
            "plan": None if plan is None else {"seed": plan.seed, "created_at": plan.created_at.isoformat()},
            "raters": rater_rows,
        }
