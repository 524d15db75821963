"""The outcome analysis of a study: from RUSH scores, body composition and clinical data to the
paper's Tables 1–3 (issue 14).

:func:`analysis_table` builds one row per patient: RUSH at each time point (the saved consensus of
all raters where there is one, otherwise the mean of the raters' current first reads; a
``rush_source_<tp>`` column says which), ΔRUSH between two chosen time points, the healing group
(``slow_healing`` = 1 when RUSH < cut-off at the chosen time point; default 18 at the last time
point), the CT body-composition indices (``bodycomp_table``) and the clinical variables.

:func:`run_outcomes` runs the whole analysis on it, per stratum (e.g. per institution): the
baseline table by healing group before and after propensity-score matching (with balance),
group comparisons of the indices, univariable and covariate-adjusted logistic odds ratios,
Spearman correlation of ΔRUSH with each index and ROC curves with the Youden cut-off. The
statistics are those of :mod:`rushrater.stats` (each checked against R there); this module only
chooses the rows and columns and shapes the tables. A statistic that cannot be computed for a
stratum (a covariate constant in it, one healing group empty, separation) becomes a note, never a
crash.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import stats
from ..domain.errors import ValidationError
from ..stats._outcome import json_object
from .agreement import TOTAL, study_ratings
from .bodycomp import bodycomp_table
from .clinical import clinical_table, codebook
from .consensus import current_consensus, thresholds
from .study import Study

#: The indices of the paper, in its order.
INDICES = ("smi", "vfi", "sfi", "vsr")
INDEX_LABELS = {"smi": "SMI (cm²/m²)", "vfi": "VFI (cm²/m²)", "sfi": "SFI (cm²/m²)", "vsr": "VSR"}
GROUP = "slow_healing"
DELTA = "delta_rush"


@dataclass
class AnalysisTable:
    data: pd.DataFrame
    timepoints: list[str]
    timepoint: str
    cutoff: float
    delta: tuple[str, str] | None
    indices: list[str]
    clinical: list[str]
    kinds: dict[str, str]
    labels: dict[str, str]


def analysis_table(study: Study, *, timepoint: str | None = None, cutoff: float | None = None,
                   delta: tuple[str, str] | None = None) -> AnalysisTable:
    """One row per patient (see the module docstring); only patients with a RUSH score or CT data."""
    _, cutoff = thresholds(study, cutoff=cutoff)
    ratings = study_ratings(study)
    tps = list(ratings.timepoints)
    if not tps:
        raise ValidationError("the study has no time points", fix="create the study with --timepoints day1,month1")
    timepoint = timepoint or tps[-1]
    if timepoint not in tps:
        raise ValidationError(f"no time point {timepoint!r} in the study", fix="choose one of: " + ", ".join(tps))
    if delta is None and len(tps) >= 2:
        delta = (tps[0], tps[-1])
    for tp in delta or ():
        if tp not in tps:
            raise ValidationError(f"no time point {tp!r} in the study", fix="choose two of: " + ", ".join(tps))

    first = ratings.first_reads
    means = first.assign(total=first[TOTAL].astype(float)).groupby(["patient", "timepoint"], observed=True)["total"]
    mean, count = means.mean(), means.size()
    agreed = current_consensus(study)
    agreed = agreed[(agreed["scope"] == "all") & agreed["total"].notna()]
    with study.db.read() as session:
        from ..storage import queries

        slot_of = {c.code: (c.patient.code, c.timepoint.key) for c in queries.cases(session)}
    decided = {slot_of[c]: float(t) for c, t in zip(agreed["case"], agreed["total"]) if c in slot_of}

    body = bodycomp_table(study)
    clinical = clinical_table(study)
    book = codebook(study)
    patients = sorted(set(first["patient"]) | {p for p, _ in decided} | set(body["patient"]) | set(clinical["patient"]))
    # object dtype even when empty: the joins below are on patient codes (text)
    out = pd.DataFrame({"patient": pd.Series(patients, dtype=object)})
    for tp in tps:
        values: list[float] = []
        sources: list[str | None] = []
        for p in patients:
            if (p, tp) in decided:
                values.append(decided[(p, tp)])
                sources.append("consensus")
            elif (p, tp) in mean.index:
                values.append(float(mean[(p, tp)]))
                sources.append(f"mean of {int(count[(p, tp)])} first read(s)")
            else:
                values.append(np.nan)
                sources.append(None)
        out[f"rush_{tp}"] = values
        out[f"rush_source_{tp}"] = sources
    if delta is not None:
        out[DELTA] = out[f"rush_{delta[1]}"] - out[f"rush_{delta[0]}"]
    basis = out[f"rush_{timepoint}"]
    out[GROUP] = np.where(basis.isna(), np.nan, (basis < cutoff).astype(float))
    indices = [i for i in INDICES if i in body.columns]
    if not body.empty:
        columns = ["patient", *[c for c in body.columns if c in stats_index_columns()]]
        out = out.merge(body[columns].astype({"patient": object}), on="patient", how="left")
    else:
        for index in indices:
            out[index] = np.nan
    names = [n for n in book if n in clinical.columns]
    out = out.merge(clinical[["patient", *names]].astype({"patient": object}), on="patient", how="left")
    kinds = {n: ("continuous" if book[n].kind == "continuous" else book[n].kind) for n in names}
    kinds.update({i: "continuous" for i in indices})
    labels = {n: book[n].label for n in names} | {i: INDEX_LABELS.get(i, i) for i in indices}
    return AnalysisTable(out, tps, timepoint, float(cutoff), delta, list(indices), names, kinds, labels)


def stats_index_columns() -> tuple[str, ...]:
    from .bodycomp import INDICES as ALL_INDICES

    return ALL_INDICES


# --- the analysis ----------------------------------------------------------------------------


@dataclass
class StratumResult:
    name: str
    n: int
    n_slow: int
    n_normal: int
    covariates: list[str]
    baseline: stats.CompareResult | None = None
    baseline_matched: stats.CompareResult | None = None
    matching: stats.MatchResult | None = None
    indices_before: stats.CompareResult | None = None
    indices_after: stats.CompareResult | None = None
    univariable: list[stats.LogisticResult] = field(default_factory=list)
    adjusted: list[stats.LogisticResult] = field(default_factory=list)
    correlation: stats.CorrelationResult | None = None
    roc: stats.RocResult | None = None
    notes: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None  # the stratum's rows (for plots)

    def to_dict(self) -> dict[str, Any]:
        def maybe(obj):
            return None if obj is None else obj.to_dict()

        return {
            "stratum": self.name, "n": self.n, "n_slow": self.n_slow, "n_normal": self.n_normal,
            "covariates": self.covariates, "baseline": maybe(self.baseline), "baseline_matched": maybe(self.baseline_matched),
            "matching": maybe(self.matching), "indices_before": maybe(self.indices_before),
            "indices_after": maybe(self.indices_after),
            "univariable": [r.to_dict() for r in self.univariable], "adjusted": [r.to_dict() for r in self.adjusted],
            "correlation": maybe(self.correlation), "roc": maybe(self.roc), "notes": self.notes,
        }


@dataclass
class OutcomeReport:
    table: AnalysisTable
    by: str | None
    strata: list[StratumResult]
    caliper: float | None
    #: {variable: {level as the tables show it: value label}} from the codebook
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        t = self.table
        return json_object({
            "timepoint": t.timepoint, "cutoff": t.cutoff, "delta": list(t.delta) if t.delta else None,
            "by": self.by, "indices": t.indices, "caliper": self.caliper,
            "group": {"column": GROUP, "event": 1, "label": f"slow healing (RUSH < {t.cutoff:g} at {t.timepoint})"},
            "strata": [s.to_dict() for s in self.strata],
            "patients": t.data.to_dict("records"),
        })


def _attempt(notes: list[str], what: str, call):
    try:
        return call()
    except ValueError as exc:
        notes.append(f"{what}: {exc}")
        return None


def run_outcomes(study: Study | None = None, *, table: AnalysisTable | None = None, timepoint: str | None = None,
                 cutoff: float | None = None, by: str | None = None, covariates: list[str] | None = None,
                 caliper: float | None = 0.05, profile: str | None = None) -> OutcomeReport:
    """The whole outcome analysis per stratum (see the module docstring)."""
    if table is None:
        if study is None:
            raise ValueError("give the study or its analysis table")
        table = analysis_table(study, timepoint=timepoint, cutoff=cutoff)
    data = table.data
    if by is not None and by not in data.columns:
        raise ValidationError(f"no variable {by!r} to stratify by",
                              fix="choose a clinical variable, e.g. --by institution (rushrater clinical show lists them)")
    if covariates is None:
        covariates = [c for c in table.clinical if c != by]
    unknown = [c for c in covariates if c not in data.columns]
    if unknown:
        raise ValidationError("unknown covariate(s): " + ", ".join(unknown),
                              fix="choose among: " + ", ".join(table.clinical))
    if by in covariates:
        raise ValidationError(f"{by!r} is the stratum; it cannot also be a covariate", fix=f"leave {by} out of --covariates")
    if not table.indices:
        raise ValidationError("no body-composition indices in the study", fix="measure T12 body composition first (rushrater bodycomp)")
    rated = data[data[GROUP].notna()]
    if by is None:
        groups = [("all patients", rated)]
    else:
        labels = codebook_labels(study, by) if study is not None else {}
        groups = [(labels.get(str(level), str(level)), part) for level, part in rated.groupby(by, sort=True)]
        if rated[by].isna().any():
            groups.append((f"{by} missing", rated[rated[by].isna()]))
    with warnings.catch_warnings():
        # statsmodels warns (overflow in exp) while it explores a separated model; the stats core
        # reports separation and non-convergence itself, and they reach the stratum's notes.
        warnings.simplefilter("ignore", RuntimeWarning)
        strata = [_stratum(name, part.reset_index(drop=True), table, list(covariates), caliper, profile)
                  for name, part in groups]
    value_labels = {name: codebook_labels(study, name) for name in table.clinical} if study is not None else {}
    return OutcomeReport(table, by, strata, caliper, value_labels)


def outcomes_missing(study: Study) -> str | None:
    """What the study still lacks for the outcome analysis (one line), or None when it can run:
    the reliability report and the R export add the analysis only when both inputs are there."""
    missing = []
    if bodycomp_table(study).empty:
        missing.append("no CT body composition (rushrater bodycomp)")
    if clinical_table(study).empty:
        missing.append("no clinical data (rushrater clinical import)")
    return "; ".join(missing) or None


@dataclass
class OutcomeRequest:
    """The coordinator's choices for the outcome analysis in the report and the R export
    (defaults: the study's cut-off at the last time point, every clinical variable a covariate)."""

    timepoint: str | None = None
    cutoff: float | None = None
    by: str | None = None
    covariates: list[str] | None = None
    caliper: float | None = 0.05

    def run(self, study: Study) -> OutcomeReport:
        return run_outcomes(study, timepoint=self.timepoint, cutoff=self.cutoff, by=self.by,
                            covariates=self.covariates, caliper=self.caliper)


def codebook_labels(study: Study, name: str) -> dict[str, str]:
    variable = codebook(study).get(name)
    if variable is None:
        return {}
    out = {}
    for value, label in variable.levels:
        out[value] = label
        number = _number(value)
        if number is not None:
            out[str(number)] = label
    return out


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _stratum(name: str, part: pd.DataFrame, table: AnalysisTable, covariates: list[str], caliper, profile) -> StratumResult:
    slow = int((part[GROUP] == 1).sum())
    result = StratumResult(name, len(part), slow, len(part) - slow, [], data=part)
    notes = result.notes
    usable = []
    for c in covariates:
        if part[c].nunique(dropna=True) < 2:
            notes.append(f"{c} is the same for every patient of this stratum (or missing): left out of the models")
        else:
            usable.append(c)
    result.covariates = usable
    indices = [i for i in table.indices if part[i].notna().any()]
    kinds = {k: v for k, v in table.kinds.items() if k in part.columns}
    if slow == 0 or slow == len(part):
        notes.append(f"every patient of this stratum is in the same healing group ({slow} slow of {len(part)}): "
                     "nothing to compare")
        return result
    result.baseline = _attempt(notes, "baseline table", lambda: stats.compare(part, GROUP, usable, kinds=kinds))
    result.indices_before = _attempt(notes, "index comparison", lambda: stats.compare(part, GROUP, indices, kinds=kinds))
    if usable:
        result.matching = _attempt(notes, "propensity-score matching",
                                   lambda: stats.match(part, GROUP, usable, caliper=caliper, id_column="patient"))
    m = result.matching
    if m is not None and m.n_pairs:
        matched = part[part["patient"].isin({p for pair in m.pairs for p in pair})]
        result.baseline_matched = _attempt(notes, "baseline table after matching",
                                           lambda: stats.compare(matched, GROUP, usable, kinds=kinds))
        result.indices_after = _attempt(notes, "index comparison after matching",
                                        lambda: stats.compare(matched, GROUP, indices, kinds=kinds))
    result.univariable = [r for r in (_attempt(notes, f"logistic regression on {p}",
                                                lambda p=p: stats.logistic(part, GROUP, [p], profile=profile))
                                      for p in [*indices, *usable]) if r is not None]
    if usable:
        result.adjusted = [r for r in (_attempt(notes, f"adjusted logistic regression on {i}",
                                                lambda i=i: stats.logistic(part, GROUP, [i, *usable], profile=profile))
                                       for i in indices) if r is not None]
    if DELTA in part.columns:
        result.correlation = _attempt(notes, "correlation", lambda: stats.correlate(part, DELTA, indices))
    result.roc = _attempt(notes, "ROC analysis", lambda: stats.roc(part, GROUP, indices))
    for warned in (result.baseline, result.matching, result.correlation, result.roc):
        if warned is not None:
            notes.extend(warned.warnings)
    for fit in [*result.univariable, *result.adjusted]:
        if fit.problem:
            notes.append(f"logistic model on {', '.join(fit.predictors)}: {fit.problem}")
    return result


# --- the paper's tables ----------------------------------------------------------------------


def _p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _summary(row: dict, level) -> list[tuple[str, str]]:
    """(level label, text) cells of one variable in one group, as a baseline table prints them."""
    s = row["groups"][level]
    if row["kind"] == "continuous":
        if s["n"] == 0:
            return [("", "–")]
        if row["test"] == "mann_whitney":
            return [("", f"{s['median']:.1f} ({s['q1']:.1f}–{s['q3']:.1f})")]
        return [("", f"{s['mean']:.1f} ± {s['sd']:.1f}")]
    return [(str(value), f"{c['n']} ({c['percent']:.1f}%)") for value, c in s["levels"].items()]


#: How the tables name the stats core's tests.
TEST_NAMES = {"student_t": "t-test", "welch_t": "Welch t-test", "mann_whitney": "Mann–Whitney U", "chi2": "χ²",
              "fisher": "Fisher's exact"}


def compare_table(result: stats.CompareResult | None, labels: dict[str, str], value_labels=None) -> pd.DataFrame:
    """A baseline table as printed: variable, level, one column per healing group, test, p, SMD."""
    columns = ["variable", "level", "normal healing", "slow healing", "test", "p", "smd"]
    if result is None:
        return pd.DataFrame(columns=columns)
    levels = result.levels
    rows = []
    for row in result.rows:
        normal, slow = _summary(row, levels[0]), _summary(row, levels[1])
        for k, ((level, a), (_, b)) in enumerate(zip(normal, slow)):
            shown = (value_labels or {}).get(row["variable"], {}).get(level, level) if level else ""
            rows.append({"variable": labels.get(row["variable"], row["variable"]) if k == 0 else "", "level": shown,
                         "normal healing": a, "slow healing": b,
                         "test": TEST_NAMES.get(row["test"], row["test"] or "") if k == 0 else "",
                         "p": _p(row["p"]) if k == 0 else "", "smd": f"{row['smd']:.3f}" if k == 0 and np.isfinite(row["smd"]) else ""})
    return pd.DataFrame(rows, columns=columns)


def or_table(fits: list[stats.LogisticResult], labels: dict[str, str], *, first_term_only: bool = True) -> pd.DataFrame:
    rows = []
    for fit in fits:
        terms = fit.terms[fit.terms["term"] != "(Intercept)"]
        if first_term_only:
            terms = terms.iloc[:1]
        for t in terms.to_dict("records"):
            base = t["term"].split("[")[0]
            rows.append({"variable": labels.get(base, t["term"]), "term": t["term"], "or": t["or"], "ci_low": t["ci_low"],
                         "ci_high": t["ci_high"], "p": t["p"], "n": fit.n, "events": fit.events,
                         "text": "–" if not np.isfinite(t["or"]) else f"{t['or']:.3f} ({t['ci_low']:.3f}–{t['ci_high']:.3f})"})
    return pd.DataFrame(rows, columns=["variable", "term", "or", "ci_low", "ci_high", "p", "n", "events", "text"])


def paper_tables(stratum: StratumResult, table: AnalysisTable, value_labels=None) -> dict[str, pd.DataFrame]:
    """Table 1 (baseline before/after matching), Table 2 (indices by group, ORs), Table 3 (ΔRUSH
    correlations, ROC) of one stratum, as text cells."""
    labels = table.labels
    t1 = compare_table(stratum.baseline, labels, value_labels)
    after = compare_table(stratum.baseline_matched, labels, value_labels)
    if not after.empty and len(after) == len(t1):
        t1 = t1.join(after[["normal healing", "slow healing", "p", "smd"]].add_suffix(" (matched)"))
    before = compare_table(stratum.indices_before, labels)
    after_i = compare_table(stratum.indices_after, labels)
    t2 = before.drop(columns=["level"])
    if not after_i.empty and len(after_i) == len(before):
        t2 = t2.join(after_i[["normal healing", "slow healing", "p"]].add_suffix(" (matched)"))
    uni = or_table([f for f in stratum.univariable if f.predictors[0] in table.indices], labels)
    adj = or_table(stratum.adjusted, labels)
    t2 = t2.assign(**{"OR (95% CI)": t2["variable"].map(dict(zip(uni["variable"], uni["text"]))).fillna("–"),
                      "OR p": t2["variable"].map(dict(zip(uni["variable"], uni["p"].map(_p)))).fillna("–"),
                      "adjusted OR (95% CI)": t2["variable"].map(dict(zip(adj["variable"], adj["text"]))).fillna("–"),
                      "adjusted p": t2["variable"].map(dict(zip(adj["variable"], adj["p"].map(_p)))).fillna("–")})
    rows = []
    corr = stratum.correlation.rows.set_index("y") if stratum.correlation is not None else pd.DataFrame()
    roc = stratum.roc.markers.set_index("marker") if stratum.roc is not None else pd.DataFrame()
    for index in table.indices:
        row: dict[str, object] = {"index": labels.get(index, index)}
        if index in corr.index:
            c = corr.loc[index].to_dict()
            row |= {"spearman r (ΔRUSH)": f"{c['r']:.3f}" if np.isfinite(c["r"]) else "–", "r p": _p(float(c["p"])),
                    "n (r)": int(c["n"])}
        if index in roc.index:
            r = roc.loc[index]
            row |= {"AUC (95% CI)": f"{r['auc']:.3f} ({r['ci_low']:.3f}–{r['ci_high']:.3f})",
                    "cut-off": f"{r['threshold']:.2f}" if np.isfinite(r["threshold"]) else "–",
                    "direction": "slow when " + ("higher" if r["direction"] == "<" else "lower"),
                    "sensitivity": f"{r['sensitivity']:.3f}", "specificity": f"{r['specificity']:.3f}",
                    "PPV": f"{r['ppv']:.3f}", "NPV": f"{r['npv']:.3f}"}
        rows.append(row)
    return {"table1": t1, "table2": t2, "table3": pd.DataFrame(rows)}


__all__ = ["AnalysisTable", "OutcomeReport", "OutcomeRequest", "StratumResult", "analysis_table", "outcomes_missing",
           "paper_tables", "run_outcomes"]
