"""The study's agreement report: inter-rater and test-retest reliability from the stored ratings.

:func:`study_ratings` turns the study's current ratings (newest version of each read) into one long
DataFrame: case, patient, time point, rater, rater group, read number, the 10 items, the 4
component subtotals and the total. Reads marked unreadable carry no score: they are left out and
counted. :func:`agreement_report` then calls :mod:`rushrater.stats` on it:

* ICC (all six forms) by time point x rater group (all raters and each group) x score, on first
  reads only: a re-read is the same rater again, never a further rater;
* ICC between the groups' consensus (mean) scores, e.g. attendings vs residents;
* item-level Krippendorff's alpha (ordinal) and Fleiss' kappa, pairwise weighted kappa;
* Bland-Altman of the total per rater pair and rater vs the mean of the others;
* agreement on healing status (total below the study's cut-off);
* test-retest ICC per rater and pooled, from read 1 vs read 2 of the re-read cases.

Mid-study, a rater who has not finished shrinks every complete-case cell to the cases they have
read: each ICC cell of the total and the subtotals therefore also carries the all-available-data
estimate (REML, as R ``psych::ICC(lmer = TRUE)``) where cases were dropped, and ``raters="finished"`` restricts the
analysis to the raters who have read every case assigned to them. A re-read submitted before the
washout after the rater's own first read (possible for imported paper or legacy ratings) is
flagged in :attr:`AgreementReport.early_rereads` and in the test-retest table, and left out of it
with ``exclude_early_rereads=True``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from .. import stats
from ..domain.errors import ValidationError
from ..storage import queries
from . import audit
from .study import Study

ALL = "all"
POOLED = "pooled"
#: Scores analysed besides the items, in report order.
TOTAL = "total"


@dataclass
class StudyRatings:
    """The study's current, scored ratings in long format (one row per read)."""

    data: pd.DataFrame
    items: list[str]
    subtotals: list[str]
    timepoints: list[str]
    groups: list[str]
    #: Current reads marked unreadable (rater, case, read, reason): not in ``data``.
    unreadable: pd.DataFrame
    #: Every enrolled rater: code -> number of first reads still to do (0 = finished).
    remaining: dict[str, int] = field(default_factory=dict)
    #: The item levels (1, 2, 3 for RUSH) and the range of the total (10-30).
    levels: list[int] = field(default_factory=lambda: [1, 2, 3])
    min_total: int = 10
    max_total: int = 30

    @property
    def scores(self) -> list[str]:
        """Total, the 4 subtotals and the 10 items: the 15 scores of the report."""
        return [TOTAL, *self.subtotals, *self.items]

    @property
    def first_reads(self) -> pd.DataFrame:
        return self.data[self.data["read"] == 1]

    @property
    def n_unreadable(self) -> int:
        return len(self.unreadable)


RATING_COLUMNS = (
    "rating_id", "rater", "rater_name", "group", "case", "patient", "timepoint", "read",
    "total", "unreadable_reason", "active_seconds", "submitted_at", "source",
)


def study_ratings(study: Study) -> StudyRatings:
    """Current versions of every rating of the study as a long DataFrame.

    Columns: ``rating_id, rater, rater_name, group, case, patient, timepoint, read,
    active_seconds, submitted_at``, the item keys, the component (subtotal) keys and ``total``.
    ``timepoint`` is categorical in the study's order (day 1 before month 1); ``rater`` and
    ``group`` are categorical over every enrolled rater and group, so a rater without ratings is
    visible as absent rather than missing.
    """
    rubric = study.rubric
    items = list(rubric.item_keys)
    subtotals = [c.key for c in rubric.components]
    with study.db.read() as session:
        rows, score_rows = queries.current_rating_rows(session)
        timepoints = [tp.key for tp in queries.timepoints(session)]
        rater_rows = queries.raters(session)
        raters = [(r.code, r.group.name) for r in rater_rows]
        progress = queries.progress(session)
        n_cases = len(queries.cases(session))
    groups = sorted({g for _, g in raters})
    frame = pd.DataFrame(rows, columns=list(RATING_COLUMNS))
    unreadable_mask = frame["unreadable_reason"].notna()
    unreadable = frame.loc[unreadable_mask, ["rater", "case", "read", "unreadable_reason", "source"]].reset_index(drop=True)
    frame = frame.loc[~unreadable_mask].drop(columns=["unreadable_reason", "total"]).reset_index(drop=True)

    item_of = study.item_keys_by_id
    scores = pd.DataFrame(score_rows, columns=["rating_id", "item_id", "value"])
    wide = scores.pivot(index="rating_id", columns="item_id", values="value").rename(columns=item_of)
    wide = wide.reindex(columns=items)
    values = wide.reindex(frame["rating_id"].to_numpy()).to_numpy(dtype=float)
    for j, key in enumerate(items):
        frame[key] = values[:, j]
    for component in subtotals:
        members = [j for j, it in enumerate(rubric.items) if it.component == component]
        frame[component] = values[:, members].sum(axis=1)
    frame[TOTAL] = values.sum(axis=1)
    frame["timepoint"] = pd.Categorical(frame["timepoint"], categories=timepoints, ordered=True)
    frame["rater"] = pd.Categorical(frame["rater"], categories=[code for code, _ in raters])
    frame["group"] = pd.Categorical(frame["group"], categories=groups)
    frame["read"] = frame["read"].astype(np.int64)
    levels = sorted({lv.value for item in rubric.items for lv in item.levels})
    # First reads still to do: of the rater's planned list, or of every case when nothing is planned.
    read_first = pd.concat([frame.loc[frame["read"] == 1, "rater"].astype(str),
                            unreadable.loc[unreadable["read"] == 1, "rater"].astype(str)]).value_counts()
    remaining = {}
    for rater in rater_rows:
        planned = progress.get(rater.id, {}).get("assigned", 0)
        remaining[rater.code] = max((planned or n_cases) - int(read_first.get(rater.code, 0)), 0)
    return StudyRatings(
        frame, items, subtotals, timepoints, groups, unreadable, remaining, levels, rubric.min_total, rubric.max_total
    )


@dataclass
class AgreementReport:
    """Everything :func:`agreement_report` computed, as tidy DataFrames at full precision."""

    title: str
    confidence: float
    cutoff: float
    ratings: StudyRatings
    #: ICC of first reads: timepoint x group ("all" and each group) x score x form.
    icc: pd.DataFrame
    #: ICC between the groups' consensus (mean) scores: timepoint x score x form.
    between_groups: pd.DataFrame
    #: Items: timepoint, group, score, alpha, kappa and their counts and notes.
    items: pd.DataFrame
    #: Pairwise weighted kappa (items and total) per time point, all raters.
    weighted_kappa: pd.DataFrame
    #: Bland-Altman of the total per time point: rater pairs and rater vs the mean of the others.
    bland_altman: pd.DataFrame
    #: Healing-status agreement (total < cutoff) per time point x group.
    healing: pd.DataFrame
    #: Test-retest ICC (read 1 vs read 2) per rater and pooled ("pooled"), score x form.
    test_retest: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: Re-reads submitted before the washout after the rater's own first read (see :func:`early_rereads`).
    early_rereads: pd.DataFrame = field(default_factory=lambda: _empty(EARLY_COLUMNS))
    #: Whether early re-reads were left out of the test-retest analysis.
    early_rereads_excluded: bool = False
    #: "all" (every rater with ratings) or "finished" (raters who read every case assigned to them).
    raters: str = "all"
    #: Raters left out of the inter-rater analysis by ``raters="finished"`` (code -> reads to do).
    unfinished: dict[str, int] = field(default_factory=dict)
    #: The washout the re-reads were checked against, in days (None: the study sets none).
    washout_days: float | None = None

    @property
    def counts(self) -> dict[str, int]:
        data = self.ratings.data
        first = data[data["read"] == 1]
        return {
            "ratings": int(len(data) + self.ratings.n_unreadable),
            "first_reads": int(len(first)),
            "rereads": int((data["read"] > 1).sum()),
            "unreadable": self.ratings.n_unreadable,
            "cases_rated": int(first["case"].nunique()),
            "raters_with_ratings": int(first["rater"].nunique()),
        }

    def cell(self, timepoint: str, group: str, score: str = TOTAL, form: str = "ICC(2,1)") -> pd.Series:
        """One row of :attr:`icc`."""
        t = self.icc
        rows = t[(t["timepoint"] == timepoint) & (t["group"] == group) & (t["score"] == score) & (t["form"] == form)]
        if rows.empty:
            raise KeyError(f"no ICC cell for {timepoint!r}, {group!r}, {score!r}, {form!r}")
        return rows.iloc[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every table as a list of records, NaN as null, no rounding."""
        return {
            "study": self.title,
            "confidence": self.confidence,
            "slow_healing_cutoff": self.cutoff,
            "counts": self.counts,
            "timepoints": self.ratings.timepoints,
            "groups": self.ratings.groups,
            "scores": self.ratings.scores,
            "icc": records(self.icc),
            "between_groups": records(self.between_groups),
            "items": records(self.items),
            "weighted_kappa": records(self.weighted_kappa),
            "bland_altman": records(self.bland_altman),
            "healing": records(self.healing),
            "test_retest": records(self.test_retest),
            "unreadable": records(self.ratings.unreadable),
            "raters_analysed": self.raters,
            "unfinished_raters_left_out": dict(self.unfinished),
            "washout_days": self.washout_days,
            "early_rereads": records(self.early_rereads),
            "early_rereads_excluded": self.early_rereads_excluded,
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame -> list of dicts with plain Python values (NaN -> None)."""
    columns = [str(c) for c in frame.columns]
    return [{c: _plain(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]


def _with_levels(frame: pd.DataFrame, **levels: Any) -> pd.DataFrame:
    frame = frame.copy()
    for position, (name, value) in enumerate(levels.items()):
        frame.insert(position, name, value)
    return frame


def _rater_sets(data: pd.DataFrame, groups: list[str]) -> list[tuple[str, pd.DataFrame]]:
    return [(ALL, data)] + [(g, data[data["group"] == g]) for g in groups]


def agreement_report(
    study: Study,
    *,
    confidence: float = 0.95,
    cutoff: float | None = None,
    ratings: StudyRatings | None = None,
    raters: str = "all",
    exclude_early_rereads: bool = False,
) -> AgreementReport:
    """The study's full agreement report (see the module docstring).

    ``cutoff`` defaults to the study's ``slow_healing_cutoff`` setting (18). ``ratings`` may be
    passed when already loaded (the console loads them once for several views). ``raters``:
    ``"all"`` raters with ratings, or only those ``"finished"`` with their first reads.
    ``exclude_early_rereads`` leaves re-reads made before the washout out of test-retest.
    """
    if not isinstance(confidence, (int, float)) or not 0.0 < float(confidence) < 1.0:
        raise ValidationError(f"confidence level {confidence!r} is not between 0 and 1", fix="give e.g. 0.95")
    if raters not in RATER_SETS:
        raise ValidationError(f"unknown rater set {raters!r}", fix=f"use one of {', '.join(RATER_SETS)}")
    confidence = float(confidence)
    cutoff = float(study.settings.slow_healing_cutoff if cutoff is None else cutoff)
    ratings = ratings if ratings is not None else study_ratings(study)
    data = ratings.data
    first = ratings.first_reads
    scores = ratings.scores
    notes: list[str] = []
    unfinished = {code: left for code, left in ratings.remaining.items()
                  if left and (first["rater"].astype(str) == code).any()}
    if raters == "finished":
        first = first[~first["rater"].astype(str).isin(list(unfinished))]
        if unfinished:
            notes.append("raters who have finished only: left out " + ", ".join(
                f"{code} ({left} first read(s) to do)" for code, left in unfinished.items()))
    elif unfinished:
        notes.append("not finished yet: " + ", ".join(f"{code} ({left} first read(s) to do)"
                                                      for code, left in unfinished.items())
                     + "; complete-case cells hold only the cases they have read (see the all-available "
                       "estimate, or analyse the raters who have finished)")
    washout = float(study.settings.washout_days)
    early = early_rereads(data, washout)
    if len(early):
        notes.append(
            f"{len(early)} re-read(s) were submitted less than the {washout:g}-day washout after the rater's own "
            f"first read ({', '.join(sorted(set(early['rater'])))}): "
            + ("left out of test-retest" if exclude_early_rereads else
               "kept in test-retest (leave them out with --exclude-early-rereads)"))
    if ratings.n_unreadable:
        notes.append(
            f"{ratings.n_unreadable} read(s) marked unreadable carry no score and are left out of every analysis"
        )
    n_rereads = int((data["read"] > 1).sum())
    if n_rereads:
        notes.append(
            f"{n_rereads} re-read(s) (read 2+) enter only the test-retest analysis, never the inter-rater ICC"
        )

    # Rater and group as plain strings for the stats core: categorical levels without ratings would
    # otherwise count as absent raters in every cell (the study's timepoint order is kept).
    first = first.assign(rater=first["rater"].astype(str), group=first["group"].astype(str))
    present_groups = [g for g in ratings.groups if (first["group"] == g).any()]
    keys = dict(target="patient", rater="rater", timepoint="timepoint")

    icc_table = _empty(stats.STUDY_COLUMNS)
    between = _empty(stats.BETWEEN_GROUPS_COLUMNS)
    items = _empty(ITEM_COLUMNS)
    kappas = _empty(KAPPA_COLUMNS)
    ba = _empty(("timepoint",) + stats.BLAND_ALTMAN_COLUMNS)
    healing = _empty(HEALING_COLUMNS)
    if first.empty:
        notes.append("no scored first reads yet: nothing to analyse")
    else:
        # The all-available estimate (one REML fit per score and cell that dropped cases, ~0.1 s each on
        # 600 patients) for the total and the subtotals, the scores monitored mid-study.
        icc_table = stats.agreement_table(first, scores=scores, group="group", confidence=confidence,
                                          all_available=[TOTAL, *ratings.subtotals], **keys)
        if len(present_groups) >= 2:
            between = stats.between_groups_table(
                first, scores=scores, group="group", groups=present_groups, confidence=confidence, **keys
            )
        items = _item_agreement(first, ratings, present_groups)
        kappas = _weighted_kappas(first, ratings)
        ba = _bland_altman(first, ratings, confidence)
        healing = _healing(first, ratings, present_groups, cutoff)
    retest_data = data
    if exclude_early_rereads and len(early):
        early_keys = pd.MultiIndex.from_frame(early[["rater", "case"]])
        is_early = pd.MultiIndex.from_frame(data[["rater", "case"]].astype(str)).isin(early_keys) & (data["read"] == 2)
        retest_data = data[~is_early]
    retest = _test_retest(retest_data, ratings, confidence, early)
    return AgreementReport(
        title=study.title,
        confidence=confidence,
        cutoff=cutoff,
        ratings=ratings,
        icc=icc_table,
        between_groups=between,
        items=items,
        weighted_kappa=kappas,
        bland_altman=ba,
        healing=healing,
        test_retest=retest,
        notes=notes,
        early_rereads=early,
        early_rereads_excluded=bool(exclude_early_rereads and len(early)),
        raters=raters,
        unfinished=unfinished if raters == "finished" else {},
        washout_days=washout,
    )


RATER_SETS = ("all", "finished")
EARLY_COLUMNS = ("rater", "case", "first_submitted_at", "reread_submitted_at", "days_after_first_read", "source")


def early_rereads(data: pd.DataFrame, washout_days: float | None) -> pd.DataFrame:
    """Scored re-reads (read 2) submitted less than ``washout_days`` after the same rater's scored
    first read of the case: the washout was not observed (the workstation never offers such a
    re-read; imported paper or legacy ratings can carry any date)."""
    if washout_days is None:
        return _empty(EARLY_COLUMNS)
    keys = ["rater", "case"]
    frame = data.assign(rater=data["rater"].astype(str))
    first = frame.loc[frame["read"] == 1, keys + ["submitted_at"]]
    second = frame.loc[frame["read"] == 2, keys + ["submitted_at", "source"]]
    pairs = second.merge(first, on=keys, suffixes=("_2", "_1"))
    if pairs.empty:
        return _empty(EARLY_COLUMNS)
    t1 = pd.to_datetime(pairs["submitted_at_1"], utc=True, format="mixed")
    t2 = pd.to_datetime(pairs["submitted_at_2"], utc=True, format="mixed")
    days = (t2 - t1).dt.total_seconds() / 86400.0
    out = pd.DataFrame({
        "rater": pairs["rater"], "case": pairs["case"], "first_submitted_at": t1, "reread_submitted_at": t2,
        "days_after_first_read": days, "source": pairs["source"],
    })
    return out[out["days_after_first_read"] < washout_days].reset_index(drop=True)


ITEM_COLUMNS = ("timepoint", "group", "score", "alpha", "kappa", "n_targets", "n_raters", "excluded_targets", "note")
KAPPA_COLUMNS = ("timepoint", "score", "rater_a", "rater_b", "weights", "kappa", "n_targets", "note")
HEALING_COLUMNS = (
    "timepoint", "group", "cutoff", "n_targets", "n_raters", "n_slow_ratings", "percent_agreement",
    "percent_unanimous", "fleiss_kappa", "n_targets_kappa", "excluded_targets", "note",
)
RETEST_COLUMNS = (("rater",) + tuple(c for c in stats.STUDY_COLUMNS if c not in ("timepoint", "group", "note"))
                  + ("early_rereads", "note"))


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _by_timepoint(first: pd.DataFrame, ratings: StudyRatings):
    for timepoint in ratings.timepoints:
        subset = first[first["timepoint"] == timepoint]
        if not subset.empty:
            yield timepoint, subset


def _item_agreement(first: pd.DataFrame, ratings: StudyRatings, groups: list[str]) -> pd.DataFrame:
    """Krippendorff's alpha (ordinal, on the 1-3 scale) and Fleiss' kappa of each item."""
    frames = []
    for timepoint, at_time in _by_timepoint(first, ratings):
        for label, subset in _rater_sets(at_time, groups):
            if subset["rater"].nunique() < 2:
                continue
            alpha = stats.krippendorff_alpha(
                subset, "patient", "rater", ratings.items, level="ordinal", value_domain=ratings.levels
            )
            kappa = stats.fleiss_kappa(subset, "patient", "rater", ratings.items, categories=ratings.levels)
            merged = alpha[["score", "alpha", "note"]].merge(
                kappa[["score", "kappa", "n_targets", "n_raters", "excluded_targets", "note"]],
                on="score",
                suffixes=("_alpha", "_kappa"),
            )
            merged["note"] = [
                "; ".join(filter(None, [f"alpha: {a}" if a else "", f"kappa: {k}" if k else ""]))
                for a, k in zip(merged.pop("note_alpha"), merged.pop("note_kappa"))
            ]
            frames.append(_with_levels(merged, timepoint=timepoint, group=label))
    if not frames:
        return _empty(ITEM_COLUMNS)
    return pd.concat(frames, ignore_index=True)[list(ITEM_COLUMNS)]


def _weighted_kappas(first: pd.DataFrame, ratings: StudyRatings) -> pd.DataFrame:
    """Linear and quadratic weighted kappa of every rater pair: each item (1-3) and the total (10-30)."""
    frames = []
    for timepoint, at_time in _by_timepoint(first, ratings):
        if at_time["rater"].nunique() < 2:
            continue
        on_items = stats.weighted_kappa_matrix(at_time, "patient", "rater", ratings.items, categories=ratings.levels)
        totals = list(range(ratings.min_total, ratings.max_total + 1))
        on_total = stats.weighted_kappa_matrix(at_time, "patient", "rater", TOTAL, categories=totals)
        frames.append(_with_levels(pd.concat([on_total, on_items], ignore_index=True), timepoint=timepoint))
    if not frames:
        return _empty(KAPPA_COLUMNS)
    return pd.concat(frames, ignore_index=True)[list(KAPPA_COLUMNS)]


def _bland_altman(first: pd.DataFrame, ratings: StudyRatings, confidence: float) -> pd.DataFrame:
    frames = []
    for timepoint, at_time in _by_timepoint(first, ratings):
        if at_time["rater"].nunique() < 2:
            continue
        frames.append(
            _with_levels(stats.bland_altman(at_time, "patient", "rater", TOTAL, confidence=confidence), timepoint=timepoint)
        )
    if not frames:
        return _empty(("timepoint",) + stats.BLAND_ALTMAN_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _healing(first: pd.DataFrame, ratings: StudyRatings, groups: list[str], cutoff: float) -> pd.DataFrame:
    frames = []
    for timepoint, at_time in _by_timepoint(first, ratings):
        for label, subset in _rater_sets(at_time, groups):
            if subset.empty:
                continue
            result = stats.healing_agreement(subset, "patient", "rater", TOTAL, cutoff=cutoff)
            frames.append(_with_levels(result, timepoint=timepoint, group=label))
    if not frames:
        return _empty(HEALING_COLUMNS)
    return pd.concat(frames, ignore_index=True)[list(HEALING_COLUMNS)]


def retest_pairs(data: pd.DataFrame) -> pd.DataFrame:
    """Read 1 and read 2 of every (rater, case) that has a scored read 2, in long format."""
    second = data[data["read"] == 2]
    if second.empty:
        return data.iloc[0:0].assign(pair=pd.Series(dtype=object))
    keys = pd.MultiIndex.from_frame(second[["rater", "case"]].astype(str))
    both = data[data["read"].isin([1, 2])]
    in_pair = pd.MultiIndex.from_frame(both[["rater", "case"]].astype(str)).isin(keys)
    pairs = both[in_pair].copy()
    pairs["rater"] = pairs["rater"].astype(str)
    pairs["pair"] = pairs["rater"] + "/" + pairs["case"].astype(str)
    return pairs


def _test_retest(data: pd.DataFrame, ratings: StudyRatings, confidence: float,
                 early: pd.DataFrame | None = None) -> pd.DataFrame:
    """ICC of read 1 vs read 2 (the two reads are the 'raters'), per rater and pooled over raters.

    Pooled, the targets are (rater, case) pairs, so every rater's re-reads count once each.
    ``early_rereads`` counts the pairs in the analysis whose re-read came before the washout.
    """
    pairs = retest_pairs(data)
    if pairs.empty:
        return _empty(RETEST_COLUMNS)
    early_keys = set() if early is None else set(zip(early["rater"].astype(str), early["case"].astype(str)))
    is_early = pd.Series([(r, str(c)) in early_keys for r, c in zip(pairs["rater"], pairs["case"])], index=pairs.index)
    pairs = pairs.assign(_early=is_early & (pairs["read"] == 2))
    scores = ratings.scores
    frames = []
    for code in [str(r) for r in ratings.data["rater"].cat.categories]:
        subset = pairs[pairs["rater"] == code]
        if subset.empty:
            continue
        table = stats.agreement_table(subset, target="case", rater="read", scores=scores, confidence=confidence)
        frames.append(_with_levels(table.drop(columns=["timepoint", "group"]), rater=code)
                      .assign(early_rereads=int(subset["_early"].sum())))
    pooled = stats.agreement_table(pairs, target="pair", rater="read", scores=scores, confidence=confidence)
    frames.append(_with_levels(pooled.drop(columns=["timepoint", "group"]), rater=POOLED)
                  .assign(early_rereads=int(pairs["_early"].sum())))
    return pd.concat(frames, ignore_index=True)[list(RETEST_COLUMNS)]


def reading_progress(study: Study, *, now=None) -> pd.DataFrame:
    """Per rater: group, first reads done and assigned, median active seconds per case, re-reads
    done, due now (washout over, not yet read) and still in washout (with the earliest date)."""
    now = now or audit.now()
    with study.db.read() as session:
        raters = queries.raters(session)
        progress = queries.progress(session)
        rereads = queries.reread_assignments(session)
        done = queries.rated_keys(session)
        rows, _ = queries.current_rating_rows(session)
        washout = timedelta(days=float(study.settings.washout_days))
        # Due exactly as the workstation decides it: planned date passed and washout since the first read.
        due_now = {
            rater.id: sum(
                a.read_number > 1
                for a in queries.next_assignments(session, rater.id, now, limit=1_000_000, washout=washout)
            )
            for rater in raters
        }
    seconds = pd.DataFrame(rows, columns=list(RATING_COLUMNS))
    seconds = seconds[seconds["read"] == 1].groupby("rater")["active_seconds"].median()
    out = []
    for rater in raters:
        p = progress.get(rater.id, {"assigned": 0, "done": 0, "reread_assigned": 0, "reread_done": 0})
        waiting = 0  # re-reads not yet read, then less those due now
        next_due = None
        for rater_id, case_id, read, available in rereads:
            if rater_id != rater.id or (rater_id, case_id, read) in done:
                continue
            if available is not None and available.tzinfo is None:
                available = available.replace(tzinfo=now.tzinfo)
            if available is not None and available > now:
                next_due = available if next_due is None else min(next_due, available)
            waiting += 1
        due = due_now[rater.id]
        waiting -= due
        median = seconds.get(rater.code, np.nan)
        out.append(
            {
                "rater": rater.code,
                "name": rater.name,
                "group": rater.group.name,
                "assigned": p["assigned"],
                "done": p["done"],
                "median_seconds": float(median) if median is not None else np.nan,
                "rereads_assigned": p["reread_assigned"],
                "rereads_done": p["reread_done"],
                "rereads_due": due,
                "rereads_waiting": waiting,
                "next_reread_from": next_due,
            }
        )
    columns = ["rater", "name", "group", "assigned", "done", "median_seconds", "rereads_assigned", "rereads_done",
               "rereads_due", "rereads_waiting", "next_reread_from"]
    return pd.DataFrame(out, columns=columns)
