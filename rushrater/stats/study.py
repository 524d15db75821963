"""The study's agreement table: ICC by timepoint x rater group x score x form.

One long DataFrame of independent reads goes in (case id, timepoint, rater,
rater group, one column per score: total, subtotals, items); one tidy table
comes out.  Everything is computed from a single dense ``case x rater x score``
array: for each timepoint and rater group the ANOVA mean squares of all score
columns are computed in one vectorised numpy pass (see
:mod:`rushrater.stats._anova`), so a 619-patient, 2-timepoint, 6-rater,
15-score study takes milliseconds instead of the seconds a loop calling
``pingouin.intraclass_corr`` per cell needs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from ._anova import FORMS, MODELS, TABLE_COLUMNS, TYPES, UNITS, complete_rows, icc_forms, mean_squares
from ._data import RatingArray, as_list, check_confidence, check_frame, listing, long_to_array

__all__ = ["ALL_AVAILABLE_COLUMNS", "STUDY_COLUMNS", "BETWEEN_GROUPS_COLUMNS", "agreement_table", "between_groups_table"]

#: Columns of :func:`agreement_table`.
STUDY_COLUMNS: tuple[str, ...] = (
    ("timepoint", "group", "score")
    + TABLE_COLUMNS
    + ("n_targets", "n_raters", "excluded_targets", "note")
)
#: Columns :func:`agreement_table` adds with ``all_available=True`` (before ``note``).
ALL_AVAILABLE_COLUMNS: tuple[str, ...] = (
    "icc_all_available", "ci_low_all_available", "ci_high_all_available",
    "n_targets_all_available", "n_ratings_all_available",
)
#: Columns of :func:`between_groups_table`.
BETWEEN_GROUPS_COLUMNS: tuple[str, ...] = (
    ("timepoint", "comparison", "score")
    + TABLE_COLUMNS
    + ("n_targets", "n_raters", "excluded_targets", "note")
)


def _check_forms(forms: Sequence[str]) -> list[str]:
    forms = as_list(forms, "forms")
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        raise ValueError(f"unknown ICC form(s) {listing([repr(f) for f in unknown])}; use some of {FORMS}")
    return forms


def _rater_groups(data: pd.DataFrame, rater: str, group: str, raters: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Group code of each rater in ``raters``; each rater must be in exactly one group."""
    missing = data[group].isna().to_numpy()
    if missing.any():
        bad = np.flatnonzero(missing)
        raise ValueError(
            f"rater group column {group!r} is missing in {bad.size} row(s): "
            f"{listing([repr(label) for label in data.index[bad]])}"
        )
    pairs = data[[rater, group]].drop_duplicates()
    several = pairs[pairs[rater].duplicated(keep=False)]
    if not several.empty:
        described = [
            f"{r!r} in {sorted(map(str, g[group].unique()))}" for r, g in several.groupby(rater, sort=False)
        ]
        raise ValueError(f"each rater must belong to one group; found rater(s) in several: {listing(described)}")
    try:
        codes, groups = pd.factorize(pairs[group], sort=True)
    except TypeError:
        codes, groups = pd.factorize(pairs[group], sort=False)
    mapping = pd.Series(np.asarray(codes), index=pd.Index(pairs[rater]))
    return mapping.reindex(raters).to_numpy(dtype=np.int64), pd.Index(groups)


def _cell_notes(
    n: np.ndarray,
    k: np.ndarray,
    constant: np.ndarray,
    excluded: np.ndarray,
    absent: list[list[Hashable]],
    extra: str = "",
) -> list[str]:
    """One human-readable note per cell (empty when nothing needs saying)."""
    notes = []
    for i in range(n.size):
        parts = [extra] if extra else []
        if absent[i]:
            parts.append(f"absent (no ratings): {listing([repr(r) for r in absent[i]])}")
        if k[i] < 2:
            parts.append("fewer than two raters with ratings: ICC undefined")
        elif n[i] < 2:
            parts.append("fewer than two targets rated by all raters: ICC undefined")
        elif constant[i]:
            parts.append("all ratings equal (zero variance): ICC undefined")
        if excluded[i] and k[i] >= 2:
            parts.append(f"{int(excluded[i])} target(s) excluded (not rated by all raters)")
        notes.append("; ".join(parts))
    return notes


#: One (timepoint, group) block: its two labels, the arrays of :func:`_block` and a note per score.
Block = tuple[Hashable, Hashable, dict[str, np.ndarray], list[str]]


def _block(
    values: np.ndarray,
    col_mask: np.ndarray | None,
    n_cases: int,
    confidence: float,
) -> dict[str, np.ndarray]:
    """ICC of every score of one (timepoint, group) block; values is (scores, cases, raters)."""
    rows, cols = complete_rows(values, col_mask)
    ms = mean_squares(values, rows, cols)
    out = icc_forms(ms.msr, ms.msc, ms.mse, ms.msw, ms.n, ms.k, confidence)
    out["n_targets"] = ms.n.astype(np.int64)
    out["n_raters"] = ms.k.astype(np.int64)
    out["excluded_targets"] = n_cases - out["n_targets"]
    out["constant"] = ms.constant
    out["cols"] = cols
    return out


def _assemble(
    blocks: list[Block],
    scores: list[str],
    forms: list[str],
    label: str,
) -> pd.DataFrame:
    """Stack blocks of (scores x 6 forms) into one tidy table."""
    n_scores = len(scores)
    form_index = [FORMS.index(f) for f in forms]
    n_forms = len(form_index)
    pieces: dict[str, list[np.ndarray]] = {c: [] for c in STUDY_COLUMNS}
    for timepoint, group_label, res, notes in blocks:
        size = n_scores * n_forms
        pieces["timepoint"].append(np.full(size, timepoint, dtype=object))
        pieces["group"].append(np.full(size, group_label, dtype=object))
        pieces["score"].append(np.repeat(np.asarray(scores, dtype=object), n_forms))
        pieces["form"].append(np.tile(np.asarray(forms, dtype=object), n_scores))
        pieces["model"].append(np.tile(np.asarray([MODELS[i] for i in form_index], dtype=object), n_scores))
        pieces["type"].append(np.tile(np.asarray([TYPES[i] for i in form_index], dtype=object), n_scores))
        pieces["unit"].append(np.tile(np.asarray([UNITS[i] for i in form_index], dtype=object), n_scores))
        for column in TABLE_COLUMNS[4:]:
            pieces[column].append(res[column][:, form_index].reshape(-1))
        for column in ("n_targets", "n_raters", "excluded_targets"):
            pieces[column].append(np.repeat(res[column], n_forms))
        pieces["note"].append(np.repeat(np.asarray(notes, dtype=object), n_forms))
    frame = pd.DataFrame({c: np.concatenate(v) if v else np.array([]) for c, v in pieces.items()})
    for column in ("n_targets", "n_raters", "excluded_targets"):
        frame[column] = frame[column].astype(np.int64)
    for column in TABLE_COLUMNS[4:]:
        frame[column] = frame[column].astype(float)
    return frame.rename(columns={"group": label})


def _prepare(
    data: pd.DataFrame,
    target: str,
    rater: str,
    scores: str | Sequence[str],
    timepoint: str | None,
    extra_columns: Sequence[str],
    duplicates: str,
) -> tuple[RatingArray, list[str]]:
    scores = as_list(scores, "scores")
    keys = [timepoint, target] if timepoint is not None else [target]
    check_frame(data, keys + [rater] + list(extra_columns) + scores)
    return long_to_array(data, keys=keys, rater=rater, scores=scores, duplicates=duplicates), scores


def agreement_table(
    data: pd.DataFrame,
    *,
    target: str,
    rater: str,
    scores: str | Sequence[str],
    timepoint: str | None = None,
    group: str | None = None,
    forms: Sequence[str] = FORMS,
    confidence: float = 0.95,
    duplicates: str = "raise",
    all_label: str = "all",
    all_available: bool | Sequence[str] = False,
) -> pd.DataFrame:
    """ICC table of a reading study: timepoint x rater group x score x form.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per independent read (case x rater), with one
        column per score.  Other columns (e.g. the patient id) are ignored.
    target : str
        Case id column.  Cases are identified by (timepoint, target), so the
        patient id can serve as target when each patient has one case per
        timepoint.
    rater : str
        Rater id column.
    scores : str or sequence of str
        Score columns (e.g. total, the 4 subtotals and the 10 items); the
        names are used as given in the ``score`` column of the result.
    timepoint : str, optional
        Timepoint column; without it all cases form one timepoint labelled
        ``all_label``.  Timepoints come out sorted (in category order for a
        categorical column, so make it categorical to fix e.g. day 1 before
        1 month).
    group : str, optional
        Rater group column (e.g. attending / resident); each rater must belong
        to one group.  Results are given for all raters (``all_label``) and
        for each group.
    forms : sequence of str, default all six
        Subset of :data:`FORMS` to report.
    confidence : float, default 0.95
    duplicates : {"raise", "mean"}, default "raise"
        Policy for a case read twice by the same rater.
    all_label : str, default "all"
    all_available : bool or sequence of str, default False
        ``True`` (or the scores to do it for: each REML fit takes ~0.1 s on
        600 targets) gives, in every cell that dropped targets, the all-available-data
        estimate: REML variance components fitted to every rating of the
        cell's raters (as R ``psych::ICC(x, lmer = TRUE)``, see :func:`icc`),
        in :data:`ALL_AVAILABLE_COLUMNS`. Cells that dropped nothing hold NaN
        there: their complete cases are all the data. Mid-study, when one
        rater has not finished, this keeps the other raters' cases in.

    Returns
    -------
    DataFrame
        Columns :data:`STUDY_COLUMNS`: ``timepoint, group, score, form, model,
        type, unit, icc, ci_low, ci_high, f, df1, df2, p, n_targets,
        n_raters, excluded_targets, note``.  Each cell is a complete-case
        analysis: raters without any rating of that score at that timepoint
        are absent, and cases of the timepoint not rated by all remaining
        raters are excluded and counted in ``excluded_targets``.  Cells
        without an ICC (fewer than two raters or targets, zero variance) hold
        NaN and say why in ``note``.  No rounding.

    See Also
    --------
    icc : one score, with excluded ids, ANOVA and the all-available estimate.
    between_groups_table : agreement between the consensus of rater groups.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Psychological Bulletin 86(2):420-428.
    McGraw KO, Wong SP (1996). Psychological Methods 1(1):30-46.
    Kottner J et al. (2011). Guidelines for Reporting Reliability and
    Agreement Studies (GRRAS). Journal of Clinical Epidemiology 64:96-106.
    """
    confidence = check_confidence(confidence)
    forms = _check_forms(forms)
    arr, scores = _prepare(data, target, rater, scores, timepoint, [group] if group else [], duplicates)
    rater_sets: list[tuple[Hashable, np.ndarray]] = [(all_label, np.arange(len(arr.raters)))]
    if group is not None:
        group_of_rater, groups = _rater_groups(data, rater, group, arr.raters)
        if all_label in set(groups):
            raise ValueError(f"a rater group is named {all_label!r}, the label of all raters; pass another all_label")
        rater_sets += [(g, np.flatnonzero(group_of_rater == i)) for i, g in enumerate(groups)]

    wanted = set(scores) if all_available is True else set(as_list(all_available, "all_available") if all_available else [])
    unknown = wanted - set(scores)
    if unknown:
        raise ValueError(f"all_available names score(s) not analysed: {listing([repr(u) for u in sorted(unknown)])}")
    levels = arr.levels if timepoint is not None else pd.Index([all_label])
    blocks: list[Block] = []
    for level_code, level in enumerate(levels):
        case_rows = np.flatnonzero(arr.level_codes == level_code)
        level_values = arr.values[case_rows]
        for label, raters in rater_sets:
            # (cases, raters, scores) -> (scores, cases, raters): scores become the batch.
            values = np.moveaxis(level_values[:, raters, :], -1, 0)
            res = _block(values, None, case_rows.size, confidence)
            absent = [list(arr.raters[raters[~res["cols"][s]]]) for s in range(len(scores))]
            notes = _cell_notes(res["n_targets"], res["n_raters"], res["constant"], res["excluded_targets"], absent)
            if all_available is not False:
                _add_all_available(res, values, confidence, scores, notes, wanted)
            blocks.append((level, label, res, notes))
    table = _assemble(blocks, scores, forms, "group")
    if all_available is not False:
        table = _with_all_available(table, blocks, scores, forms)
    return table


def _add_all_available(res: dict[str, np.ndarray], values: np.ndarray, confidence: float, scores: list[str], notes: list[str],
                       wanted: set[str]) -> None:
    """REML all-available ICCs of the scores of one block that dropped targets (into ``res``)."""
    from .icc import _all_available

    n_scores = values.shape[0]
    res["aa"] = np.full((n_scores, len(FORMS), 3), np.nan)
    res["aa_n"] = np.zeros(n_scores, dtype=np.int64)
    res["aa_ratings"] = np.zeros(n_scores, dtype=np.int64)
    for s in range(n_scores):
        if scores[s] not in wanted or res["excluded_targets"][s] == 0 or res["n_raters"][s] < 2:
            continue
        y = values[s][:, res["cols"][s]]
        y = y[~np.isnan(y).all(axis=1)]
        table, _components, extra = _all_available(y, y.shape[0], y.shape[1], confidence, scores[s])
        res["aa"][s] = table[["icc", "ci_low", "ci_high"]].to_numpy(dtype=float)
        res["aa_n"][s] = y.shape[0]
        res["aa_ratings"][s] = int((~np.isnan(y)).sum())
        problems = [n for n in extra if "undefined" in n or "cannot" in n or "convergence" in n]
        if problems:
            notes[s] = "; ".join(filter(None, [notes[s], *problems]))


def _with_all_available(table: pd.DataFrame, blocks: list[Block], scores: list[str], forms: list[str]) -> pd.DataFrame:
    """Insert the all-available columns (in block order, as :func:`_assemble` stacks) before ``note``."""
    form_index = [FORMS.index(f) for f in forms]
    columns: dict[str, list[np.ndarray]] = {c: [] for c in ALL_AVAILABLE_COLUMNS}
    for _level, _label, res, _notes in blocks:
        for j, name in enumerate(("icc", "ci_low", "ci_high")):
            columns[f"{name}_all_available"].append(res["aa"][:, form_index, j].reshape(-1))
        columns["n_targets_all_available"].append(np.repeat(res["aa_n"], len(form_index)))
        columns["n_ratings_all_available"].append(np.repeat(res["aa_ratings"], len(form_index)))
    at = table.columns.get_loc("note")
    for offset, name in enumerate(ALL_AVAILABLE_COLUMNS):
        table.insert(at + offset, name, np.concatenate(columns[name]))
    return table


def between_groups_table(
    data: pd.DataFrame,
    *,
    target: str,
    rater: str,
    group: str,
    scores: str | Sequence[str],
    timepoint: str | None = None,
    groups: Sequence[Hashable] | None = None,
    forms: Sequence[str] = FORMS,
    confidence: float = 0.95,
    duplicates: str = "raise",
    all_label: str = "all",
) -> pd.DataFrame:
    """ICC between rater-group consensus scores (e.g. attendings vs residents).

    The consensus of a group for a case is the mean of its raters' scores,
    taken over cases rated by every rater of the group (a mean over a
    different subset of raters would not be the same measurement); the group
    consensus scores are then the "raters" of an ICC.  Cases without a
    consensus in every compared group are excluded and counted.

    Parameters
    ----------
    data, target, rater, scores, timepoint, forms, confidence, duplicates, all_label
        As in :func:`agreement_table`.
    group : str
        Rater group column.
    groups : sequence, optional
        Groups to compare (at least two); default all groups.

    Returns
    -------
    DataFrame
        Columns :data:`BETWEEN_GROUPS_COLUMNS`: as :func:`agreement_table` with
        ``comparison`` (e.g. ``"attending vs resident"``) instead of
        ``group``; ``n_raters`` counts the groups.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Psychological Bulletin 86(2):420-428.
    McGraw KO, Wong SP (1996). Psychological Methods 1(1):30-46.
    """
    confidence = check_confidence(confidence)
    forms = _check_forms(forms)
    arr, scores = _prepare(data, target, rater, scores, timepoint, [group], duplicates)
    group_of_rater, all_groups = _rater_groups(data, rater, group, arr.raters)
    chosen = list(all_groups) if groups is None else list(groups)
    unknown = [g for g in chosen if g not in set(all_groups)]
    if unknown:
        raise ValueError(f"group(s) {listing([repr(g) for g in unknown])} not found in column {group!r}")
    if len(chosen) < 2:
        raise ValueError(f"comparing rater groups needs at least two groups; got {chosen!r}")
    label = " vs ".join(str(g) for g in chosen)

    levels = arr.levels if timepoint is not None else pd.Index([all_label])
    blocks: list[Block] = []
    for level_code, level in enumerate(levels):
        case_rows = np.flatnonzero(arr.level_codes == level_code)
        level_values = arr.values[case_rows]
        consensus = []
        absent: list[list[Hashable]] = [[] for _ in scores]
        for g in chosen:
            raters = np.flatnonzero(group_of_rater == all_groups.get_loc(g))
            values = np.moveaxis(level_values[:, raters, :], -1, 0)
            rows, cols = complete_rows(values)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(cols[:, None, :], values, 0.0).sum(axis=-1) / cols.sum(axis=-1)[:, None]
            consensus.append(np.where(rows, mean, np.nan))
            for s in range(len(scores)):
                if not cols[s].any():
                    absent[s].append(g)
        values = np.stack(consensus, axis=-1)  # (scores, cases, groups)
        res = _block(values, np.ones(values.shape[::2], dtype=bool), case_rows.size, confidence)
        notes = _cell_notes(
            res["n_targets"], res["n_raters"], res["constant"], res["excluded_targets"], absent,
            extra="raters are group consensus means",
        )
        blocks.append((level, label, res, notes))
    table = _assemble(blocks, scores, forms, "comparison")
    return table
