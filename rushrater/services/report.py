"""The study's reliability report, written to the GRRAS items (Kottner et al. 2011).

``write_report(study, out)`` writes ``out`` as PDF or self-contained HTML (by its suffix). Both come
from one list of blocks (:func:`build_report`): headings, paragraphs, tables and matplotlib figures,
so the two formats always hold the same content:

1. design: raters and groups, subjects, time points, re-reads and washout, blinding, randomisation seed;
2. completeness: ratings expected, scored, unreadable and missing per time point and group;
3. ICC (form chosen, default ICC(2,1)) of the total and subtotals by time point x rater group, with
   CI, F, df, p and the Koo & Li (2016) reading against the CI; between-group and test-retest ICC;
4. item-level agreement (Krippendorff's alpha, Fleiss' kappa) and healing-status agreement;
5. Bland-Altman plots of each rater's total against the mean of the others;
6. consensus summary; 7. software and versions; 8. a methods paragraph ready to paste;
9. the outcome analysis shaped like the paper's Tables 1–3 (services.outcome_report), when the study
   has CT body composition and clinical data; 10. the TRIPOD-style risk model the coordinator chose
   (services.riskmodel_report), when the study has follow-up events. Without their data these two
   sections say in one line what is missing.

PDF: reportlab (BSD, maintained since 2000, pure Python, no browser): its platypus layout engine
flows long tables across pages and repeats their headers, which matplotlib's PdfPages cannot do.
Plots are drawn by matplotlib (Agg) and embedded as PNG (PDF) or inline SVG (HTML).
"""

from __future__ import annotations

import html
import io
import math
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__, stats
from ..domain.errors import ValidationError
from ..storage import queries
from . import training
from .agreement import ALL, POOLED, TOTAL, AgreementReport, agreement_report, study_ratings
from .consensus import automatic_consensus, current_consensus, thresholds
from .export import ExportError, check_output
from .files import atomic_path
from .study import Study

REPORT_SUFFIXES = (".pdf", ".html", ".htm")


# --- the document model ---------------------------------------------------------------------------


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str
    style: str = "body"  # body | note | methods


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    #: Relative column widths (PDF); None = equal.
    widths: list[float] | None = None


@dataclass
class Figure:
    figure: Any  # matplotlib Figure
    caption: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    blocks: list = field(default_factory=list)


def _f(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "n/a"
    return f"{float(value):.{digits}f}"


def _p(value: Any) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _df(value: Any) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _ci(row) -> str:
    if pd.isna(row["icc"]):
        return "n/a"
    return f"{row['icc']:.3f} ({row['ci_low']:.3f}–{row['ci_high']:.3f})"


def _versions() -> list[list[str]]:
    rows = [["RUSH Rater", __version__], ["Python", platform.python_version()]]
    for package in ("numpy", "pandas", "scipy", "statsmodels", "krippendorff", "SQLAlchemy", "matplotlib", "reportlab"):
        try:
            rows.append([package, metadata.version(package)])
        except metadata.PackageNotFoundError:
            continue
    return rows


# --- content --------------------------------------------------------------------------------------


@dataclass
class Provenance:
    """What actually happened, from the data: who scored, what was re-read, how ratings and images got in."""

    enrolled: list[tuple[str, str]]  # (code, group) of every enrolled rater
    scored: list[tuple[str, str]]  # of the raters with at least one scored first read
    sources: dict[str, int]  # rating source -> current ratings (scored or unreadable)
    rereads_planned: int
    rereads_done: int  # scored re-reads (read 2) in the analysis data
    images: list[tuple[str, bool, int]]  # (source format, de-identification recorded, count)

    @property
    def not_scored(self) -> list[str]:
        done = {c for c, _ in self.scored}
        return [c for c, _ in self.enrolled if c not in done]

    def sources_text(self) -> str:
        names = {"workstation": "scored on the RUSH Rater workstation", "import": "imported from paper or legacy "
                 "records", "demo": "simulated for the demo study", "api": "submitted through the API"}
        total = sum(self.sources.values())
        parts = [f"{n} {names.get(src, src)}" for src, n in sorted(self.sources.items(), key=lambda kv: -kv[1])]
        return f"{total} current rating(s): " + ", ".join(parts)

    def images_text(self) -> str:
        dicom = sum(n for fmt, _d, n in self.images if fmt == "DICOM")
        annex_e = sum(n for fmt, d, n in self.images if fmt == "DICOM" and d)
        others: dict[str, int] = {}
        for fmt, _d, n in self.images:
            if fmt != "DICOM":
                others[fmt] = others.get(fmt, 0) + n
        parts = []
        if dicom:
            parts.append(f"{dicom} DICOM image(s), {annex_e} of them de-identified with DICOM PS3.15 Annex E "
                         "(Basic Application Level Confidentiality Profile)")
        if others:
            parts.append(", ".join(f"{n} {fmt}" for fmt, n in others.items()) +
                         " image(s) without a DICOM header (only the pixels were imported)")
        return "; ".join(parts) if parts else "no images recorded"


def _provenance(study: Study, report: AgreementReport) -> Provenance:
    with study.db.read() as session:
        enrolled = [(r.code, r.group.name) for r in queries.raters(session)]
        planned = len(queries.reread_assignments(session))
        images = queries.image_provenance(session)
    data = report.ratings.data
    first = data[data["read"] == 1]
    codes = set(first["rater"].astype(str))
    if report.raters == "finished":
        codes -= set(report.unfinished)
    sources = data["source"].astype(str).value_counts().to_dict()
    unreadable = report.ratings.unreadable
    if len(unreadable) and "source" in unreadable:
        for src, n in unreadable["source"].astype(str).value_counts().items():
            sources[src] = sources.get(src, 0) + int(n)
    retest = report.test_retest
    pooled = retest[(retest["rater"] == POOLED) & (retest["score"] == TOTAL)] if len(retest) else retest
    done = int(pooled["n_targets"].iloc[0]) if len(pooled) else 0
    return Provenance(enrolled, [(c, g) for c, g in enrolled if c in codes], {k: int(v) for k, v in sources.items()},
                      planned, done, images)


def build_report(study: Study, *, form: str = "ICC(2,1)", confidence: float = 0.95, raters: str = "all",
                 exclude_early_rereads: bool = False, outcome=None, risk=None, notes: list[str] | None = None,
                 with_outcomes: bool = True) -> Report:
    """Every block of the report (see the module docstring); ``raters`` and
    ``exclude_early_rereads`` as in :func:`~rushrater.services.agreement.agreement_report`.

    ``outcome`` (an OutcomeRequest; default choices when None) shapes the outcome section and
    ``risk`` (a RiskRequest) chooses the risk model; a section the study has no data for says so in
    one line, and that line is also appended to ``notes`` (the CLI prints them)."""
    if form not in stats.FORMS:
        raise ValidationError(f"unknown ICC form {form!r}", fix=f"use one of {', '.join(stats.FORMS)}")
    ratings = study_ratings(study)
    if ratings.data.empty and ratings.n_unreadable == 0:
        raise ExportError(
            "the study has no ratings yet: there is nothing to report",
            where=str(study.root),
            fix="score cases first (rushrater read, or rushrater ratings import)",
        )
    report = agreement_report(study, ratings=ratings, confidence=confidence, raters=raters,
                              exclude_early_rereads=exclude_early_rereads)
    facts = _provenance(study, report)
    spread, cutoff = thresholds(study)
    with study.db.read() as session:
        timepoints = [(tp.key, tp.label, tp.nominal_day) for tp in queries.timepoints(session)]
        enrolled = [(r.code, r.group.name) for r in queries.raters(session)]
        plan = queries.latest_plan(session)
        seed = None if plan is None else plan.seed
        cases = [(c.code, c.timepoint.key) for c in queries.cases(session)]
        n_patients = len(queries.patient_codes(session))
    level = f"{100 * confidence:g}%"
    tp_label = {key: label for key, label, _ in timepoints}
    mw = dict(zip(stats.FORMS, stats.MCGRAW_WONG))[form]
    icc = report.icc
    sel = icc[icc["form"] == form]
    model, kind, unit = sel[["model", "type", "unit"]].iloc[0] if len(sel) else ("", "", "")
    groups = report.ratings.groups
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = Report(f"Reliability report — {study.title}",
                 f"RUSH Rater {__version__}, {now}. Written to the GRRAS items (Kottner et al. 2011).")
    add = doc.blocks.append

    # 1. Design
    add(Heading("1. Design"))
    by_group = {g: [c for c, gg in facts.scored if gg == g] for g in groups}
    group_text = "; ".join(f"{g}: {len(codes)} ({', '.join(codes)})" for g, codes in by_group.items() if codes)
    not_scored = facts.not_scored
    washout = report.washout_days
    early = report.early_rereads
    tp_text = ", ".join(f"{label} ({key}{'' if day is None else f', day {day}'})" for key, label, day in timepoints)
    design = [
        ["Raters", f"{len(facts.scored)} rater(s) with scored first reads in the analysis — {group_text}"
                   + (f"; enrolled without ratings or left out: {', '.join(not_scored)}" if not_scored else "")],
        ["Subjects", f"{n_patients} patients, {len(cases)} reading cases (patient × time point)"],
        ["Time points", tp_text],
        ["Score", f"{study.rubric.name}: 10 items scored 1–3, total {study.rubric.min_total}–"
                  f"{study.rubric.max_total}; slow healing when the total is below {cutoff:g}"],
        ["Replicates", "one independent first read per rater and case; " + _replicates_text(facts, washout, early,
                                                                                           report.early_rereads_excluded)],
        ["Ratings obtained", facts.sources_text()],
        ["Images", facts.images_text()],
        ["Blinding", _blinding_text(facts)],
        ["Randomisation", _randomisation_text(facts, seed)],
    ]
    add(Table(["Item", "Value"], design, widths=[1, 4]))

    # 2. Completeness
    add(Heading("2. Completeness"))
    data = report.ratings.first_reads
    unread = report.ratings.unreadable
    case_tp = dict(cases)
    rows = []
    for key, label, _ in timepoints:
        n_cases = sum(1 for _, tp in cases if tp == key)
        for g in [ALL, *groups]:
            codes = [c for c, gg in enrolled if g == ALL or gg == g]
            expected = n_cases * len(codes)
            scored = int(((data["timepoint"] == key) & data["rater"].astype(str).isin(codes)).sum())
            bad = int(sum(1 for r, c, read in zip(unread["rater"], unread["case"], unread["read"])
                          if read == 1 and case_tp.get(c) == key and r in codes))
            cell = icc[(icc["timepoint"] == key) & (icc["group"] == g) & (icc["score"] == TOTAL) & (icc["form"] == form)]
            analysed = int(cell["n_targets"].iloc[0]) if len(cell) and pd.notna(cell["n_targets"].iloc[0]) else 0
            rows.append([label, g, str(expected), str(scored), str(bad), str(max(expected - scored - bad, 0)),
                         str(analysed)])
    add(Table(["Time point", "Raters", "Expected", "Scored", "Unreadable", "Missing", "Cases in ICC"], rows,
              caption="First reads per time point and rater group. The ICC of each cell is a complete-case "
                      "analysis: a case enters when every rater of the cell scored it."))
    for note in report.notes:
        add(Para(note, "note"))

    # 3. ICC
    if report.raters == "finished":
        add(Para("Raters who have finished only: raters with first reads still to do are left out of every "
                 "inter-rater analysis.", "note"))
    if len(early):
        rows = [[str(r["rater"]), str(r["case"]), _f(r["days_after_first_read"], 1), str(r["source"])]
                for _, r in early.iterrows()]
        add(Table(["Rater", "Case", "Days after first read", "Source"], rows,
                  caption=f"Re-reads submitted before the {washout:g}-day washout after the rater's own first read: "
                          + ("left out of test–retest." if report.early_rereads_excluded else
                             "kept in test–retest (rushrater report --exclude-early-rereads leaves them out).")))

    add(Heading("3. Inter-rater reliability (ICC)"))
    add(Para(f"{form} — McGraw & Wong {mw}: {model} effects, {kind}, {unit} rater; estimates with {level} "
             f"confidence intervals from the F distribution (Shrout & Fleiss 1979; McGraw & Wong 1996), "
             f"first reads only. Reading by Koo & Li (2016), judged against the confidence interval: "
             f"below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent."))
    main = stats.add_interpretation(sel[sel["score"] == TOTAL], confidence=confidence)
    rows = [[tp_label.get(str(r["timepoint"]), str(r["timepoint"])), str(r["group"]), _ci(r), _f(r["f"], 2), f"{_df(r['df1'])}, {_df(r['df2'])}",
             _p(r["p"]), f"{int(r['n_targets'])} × {int(r['n_raters'])}",
             str(int(r["excluded_targets"])), _ci_all_available(r), f"{r['reliability']} ({r['reliability_ci']})"]
            for _, r in main.iterrows()]
    add(Table(["Time point", "Raters", f"ICC ({level} CI)", "F", "df", "p", "Cases × raters", "Dropped",
               "All available data", "Koo & Li (CI)"],
              rows, caption=f"Table 1. {form} of the RUSH total by time point × rater group. The ICC uses the cases "
                            f"scored by every rater of the cell; 'Dropped' counts the cases left out, and where any "
                            f"were, 'All available data' gives the estimate from every rating (REML variance "
                            f"components, as R psych::ICC(lmer = TRUE); its CI is psych's approximation).",
              widths=[0.85, 1.0, 1.45, 0.65, 0.7, 0.9, 0.8, 0.9, 1.55, 1.3]))
    sub = sel[sel["score"].isin(report.ratings.subtotals)]
    rows = [[tp_label.get(str(r["timepoint"])), str(r["group"]), str(r["score"]).replace("_", " "), _ci(r)] for _, r in sub.iterrows()]
    add(Table(["Time point", "Raters", "Subtotal", f"ICC ({level} CI)"], rows,
              caption=f"Table 2. {form} of the four component subtotals.", widths=[1, 1, 2.4, 1.8]))
    between = report.between_groups
    if len(between):
        b = between[(between["form"] == form) & (between["score"] == TOTAL)]
        rows = [[tp_label.get(str(r["timepoint"])), str(r["comparison"]), _ci(r), str(int(r["n_targets"]))] for _, r in b.iterrows()]
        add(Table(["Time point", "Comparison", f"ICC ({level} CI)", "Cases"], rows,
                  caption=f"Table 3. {form} between the rater groups' mean totals."))
    retest = report.test_retest
    if len(retest):
        t = retest[(retest["form"] == form) & (retest["score"] == TOTAL)]
        rows = [[("pooled" if r["rater"] == POOLED else str(r["rater"])), _ci(r), str(int(r["n_targets"])),
                 str(int(r["early_rereads"]))] for _, r in t.iterrows()]
        add(Table(["Rater", f"ICC ({level} CI)", "Re-read cases", "Before washout"], rows,
                  caption=f"Table 4. Intra-rater (test–retest) {form} of the total, read 1 vs read 2 after a "
                          f"washout of {washout if washout is not None else 'n/a'} days."))
    else:
        add(Para("No re-reads scored yet: no intra-rater (test–retest) reliability.", "note"))

    # 4. Items and healing status
    add(Heading("4. Item-level agreement and healing status"))
    items = report.items
    if len(items):
        it = items[items["group"] == ALL]
        pivot_rows = []
        tps = [k for k, _, _ in timepoints if (it["timepoint"] == k).any()]
        for item in report.ratings.items:
            row = [item.replace("_", " ")]
            for tp in tps:
                r = it[(it["timepoint"] == tp) & (it["score"] == item)]
                row += [_f(r["alpha"].iloc[0]) if len(r) else "n/a", _f(r["kappa"].iloc[0]) if len(r) else "n/a"]
            pivot_rows.append(row)
        header = ["Item"] + [f"{tp_label[tp]} {m}" for tp in tps for m in ("α", "κ")]
        add(Table(header, pivot_rows, caption="Table 5. Krippendorff's alpha (ordinal) and Fleiss' kappa of each "
                                               "item (1–3), all raters."))
    heal = report.healing
    if len(heal):
        rows = [[tp_label.get(str(r["timepoint"])), str(r["group"]), _f(r["percent_agreement"], 1),
                 str(int(r["n_targets"])), _f(r["fleiss_kappa"]), str(int(r["n_targets_kappa"]))]
                for _, r in heal.iterrows()]
        add(Table(["Time point", "Raters", "Pairwise agreement %", "Cases", "Fleiss' κ", "Cases (κ)"], rows,
                  caption=f"Table 6. Agreement on healing status (total below {cutoff:g} = slow healing). Pairwise "
                          f"agreement uses every case with two or more ratings; Fleiss' κ the cases scored by every "
                          f"rater of the row."))

    # 5. Bland-Altman
    add(Heading("5. Bland–Altman plots"))
    ba = report.bland_altman
    for key, label, _ in timepoints:
        figure = _bland_altman_figure(data, ba, key, label)
        if figure is not None:
            add(Figure(figure, f"Each rater's total against the mean of the other raters, {label}: bias (solid) "
                               f"and 95% limits of agreement (dashed)."))
    if len(ba):
        b = ba[ba["comparison"] == "consensus"]
        rows = [[tp_label.get(str(r["timepoint"])), str(r["rater_a"]), _f(r["bias"], 2), f"{_f(r['loa_low'], 2)} to {_f(r['loa_high'], 2)}",
                 str(int(r["n"]))] for _, r in b.iterrows()]
        add(Table(["Time point", "Rater", "Bias", "95% limits of agreement", "Cases"], rows,
                  caption="Table 7. Bland–Altman of each rater vs the mean of the others (total)."))

    # 6. Consensus
    add(Heading("6. Consensus"))
    auto = automatic_consensus(study, ratings=report.ratings)
    decided = current_consensus(study)
    rows = []
    for key, label, _ in timepoints:
        a = auto[(auto["scope"] == ALL) & (auto["timepoint"] == key)]
        dec = decided[decided["case"].map(case_tp) == key] if len(decided) else decided
        n_decided = int(dec["method"].isin(["adjudicated", "panel"]).sum()) if len(dec) else 0
        rows.append([label, str(len(a)), str(int(a["discordant"].sum())) if len(a) else "0",
                     str(int(a["slow_by_median"].sum())) if len(a) else "0", str(n_decided)])
    add(Table(["Time point", "Cases rated", "Discordant", "Slow healing (median)", "Decided (adjudicated/panel)"], rows,
              caption=f"Cases are discordant when their totals span more than {spread:g} points or the raters split "
                      f"on healing status. Independent reads are kept apart from consensus; reliability uses "
                      f"independent reads only."))

    # 7. Software
    add(Heading("7. Software"))
    add(Table(["Software", "Version"], _versions(), widths=[2, 2]))

    # 8. Methods
    add(Heading("8. Methods paragraph"))
    add(Para(_methods(study, report, facts, form, mw, model, kind, unit, groups, n_patients, timepoints, seed,
                      washout, cutoff, confidence), "methods"))

    if with_outcomes:
        doc.blocks += outcome_section(study, outcome, notes)
        doc.blocks += risk_section(study, risk, notes)
    return doc


def outcome_section(study: Study, request=None, notes: list[str] | None = None) -> list:
    """9. Outcome analysis: the paper's Tables 1–3 with their figures, or one line saying what the
    study lacks for them (services.outcome_report; imported here, as it builds on this module)."""
    from .outcome_report import outcome_blocks
    from .outcomes import OutcomeRequest, outcomes_missing

    title = "9. Outcome analysis"
    missing = outcomes_missing(study)
    if missing:
        line = f"No outcome analysis: the study has {missing}."
        if notes is not None:
            notes.append(line)
        return [Heading(title), Para(line, "note")]
    return outcome_blocks((request or OutcomeRequest()).run(study), heading=title)


def risk_section(study: Study, request=None, notes: list[str] | None = None) -> list:
    """10. Risk model (TRIPOD items, services.riskmodel_report) of the model the coordinator chose,
    or one line saying what is missing: follow-up events, or the choice of a model."""
    from .followup import event_types
    from .riskmodel import riskmodel_missing
    from .riskmodel_report import riskmodel_blocks

    title = "10. Risk model"
    missing = riskmodel_missing(study)
    line = None
    if missing:
        line = f"No risk model: the study has {missing}."
    elif request is None:
        kinds = ", ".join(f"{t} ({events} events in {n})" for t, (n, events) in event_types(study).items())
        line = (f"No risk model chosen. Follow-up events recorded: {kinds}. Choose one with "
                "rushrater report … --risk-event TYPE --risk-predictors A,B.")
    else:
        try:
            model = request.run(study)
        except ValidationError as exc:
            line = f"No risk model of {request.event}: {exc}"
        else:
            return riskmodel_blocks(model, heading=f"{title}: {model.source.event}")
    if notes is not None:
        notes.append(line)
    return [Heading(title), Para(line, "note")]


def _ci_all_available(row) -> str:
    value = row.get("icc_all_available")
    if value is None or pd.isna(value):
        return "—" if not row["excluded_targets"] else "n/a"
    return (f"{value:.3f} ({row['ci_low_all_available']:.3f}–{row['ci_high_all_available']:.3f}); "
            f"{int(row['n_targets_all_available'])} cases")


def _replicates_text(facts: Provenance, washout, early: pd.DataFrame, excluded: bool) -> str:
    if not facts.rereads_planned and not facts.rereads_done:
        return "no re-reads"
    text = f"{facts.rereads_done} re-read(s) (read 2) scored of {facts.rereads_planned} planned"
    if washout is None:
        return text + "; no washout set"
    if not facts.rereads_done:
        return text + f" (washout {washout:g} days)"
    if len(early):
        return text + (f"; {len(early)} submitted less than the {washout:g}-day washout after the rater's own first "
                       f"read ({'left out of' if excluded else 'kept in'} test–retest)")
    return text + f"; every one submitted at least {washout:g} days (the washout) after the rater's own first read"


def _on_workstation(facts: Provenance) -> int:
    """Ratings made in RUSH Rater's reading conditions: on the workstation (not imported, simulated or
    submitted through the API, whose reading conditions RUSH Rater does not see)."""
    return facts.sources.get("workstation", 0)


def _elsewhere(facts: Provenance) -> str:
    """How the ratings not made on the workstation were obtained, in words."""
    names = {"import": "imported from paper or legacy records", "demo": "simulated for the demo study",
             "api": "submitted through the API"}
    return ", ".join(f"{n} {names.get(src, src)}" for src, n in facts.sources.items() if src != "workstation")


def _randomisation_text(facts: Provenance, seed) -> str:
    if not _on_workstation(facts):
        return ("a reading order was planned" + (f" from seed {seed}" if seed is not None else "") +
                ", but no rating was made on the workstation, so the order they were read in is not recorded")
    return ("on the workstation each rater reads the cases in an independent random order" +
            (f" from seed {seed}" if seed is not None else " (no plan recorded)") +
            "; two cases of the same patient are never adjacent")


def _blinding_text(facts: Provenance) -> str:
    workstation = _on_workstation(facts)
    total = sum(facts.sources.values())
    if not workstation:
        return f"no rating was made on the workstation ({_elsewhere(facts)}): RUSH Rater did not record the reading conditions"
    text = ("ratings made on the workstation show no patient code, time point, case code, file name or another "
            "rater's score")
    if workstation < total:
        text += f"; not on the workstation ({_elsewhere(facts)}), reading conditions not recorded"
    return text


def _methods(study, report: AgreementReport, facts: Provenance, form, mw, model, kind, unit, groups, n_patients,
             timepoints, seed, washout, cutoff, confidence) -> str:
    """The methods paragraph, every number from the data: raters who scored, re-reads done, how the
    ratings were obtained, what the images were and whether the washout held."""
    scored = facts.scored
    by_group = ", ".join(f"{n} {name}{'s' if n != 1 else ''}" for name in groups
                         if (n := sum(1 for _, g in scored if g == name)))
    tps = " and ".join(label for _, label, _ in timepoints)
    icc = report.icc
    results = []
    for key, label, _ in timepoints:
        row = icc[(icc["timepoint"] == key) & (icc["group"] == ALL) & (icc["score"] == TOTAL) & (icc["form"] == form)]
        if len(row) and pd.notna(row["icc"].iloc[0]):
            r = row.iloc[0]
            text = (f"{r['icc']:.3f} ({100 * confidence:g}% CI {r['ci_low']:.3f}–{r['ci_high']:.3f}; "
                    f"{int(r['n_targets'])} cases) at {label}")
            if r["excluded_targets"] and pd.notna(r.get("icc_all_available")):
                text += (f" ({int(r['excluded_targets'])} case(s) not scored by every rater left out; "
                         f"{r['icc_all_available']:.3f} from all available ratings)")
            results.append(text)
    sources = facts.sources
    total = sum(sources.values())
    if sources.get("workstation", 0) == total:
        how = "on the RUSH Rater reading workstation"
    elif sources.get("demo", 0) == total:
        how = "as simulated ratings (demo study)"
    else:
        how = "ratings: " + facts.sources_text().split(": ", 1)[1]
    dicom = sum(n for fmt, _d, n in facts.images if fmt == "DICOM")
    annex_e = sum(n for fmt, d, n in facts.images if fmt == "DICOM" and d)
    n_images = sum(n for _f, _d, n in facts.images)
    if n_images and dicom == n_images and annex_e == n_images:
        images = "DICOM images de-identified with the DICOM PS3.15 Annex E confidentiality profile"
    elif dicom:
        images = (f"{dicom} DICOM images ({annex_e} de-identified with DICOM PS3.15 Annex E) and "
                  f"{n_images - dicom} images from other formats of which only the pixels were imported")
    else:
        images = "images from non-DICOM files of which only the pixels were imported"
    retest = ""
    if facts.rereads_done:
        early = report.early_rereads
        retest = (f" {facts.rereads_done} case(s) were re-read by the same raters"
                  + (f" after a planned washout of {washout:g} days" if washout is not None else "")
                  + "; intra-rater reliability is the ICC of read 1 vs read 2")
        if len(early):
            retest += (f"; {len(early)} re-read(s) were submitted sooner than the washout after the first read and "
                       + ("were left out" if report.early_rereads_excluded else "were kept"))
        retest += "."
    elif facts.rereads_planned:
        retest = f" Re-reads were planned ({facts.rereads_planned}) but none had been scored."
    finished = " Only raters who had finished their first reads were analysed." if report.raters == "finished" else ""
    trained = training.methods_sentence(study)  # issue 17: how raters were trained (GRRAS item 7)
    finished += f" {trained}" if trained else ""
    on_workstation = _on_workstation(facts)
    order = f"in an independent random order per rater{'' if seed is None else f' (seed {seed})'}"
    if on_workstation == total:
        shown = f"; the workstation showed them without patient identifiers, time point or other raters' scores, {order}"
    elif on_workstation:
        shown = (f"; ratings made on the workstation saw them without patient identifiers, time point or other "
                 f"raters' scores, {order}; for the {total - on_workstation} other rating(s) RUSH Rater did not "
                 f"record the reading conditions")
    else:
        shown = "; no rating was made on the workstation and RUSH Rater did not record the reading conditions (blinding, order)"
    return (
        f"{len(scored)} rater{'s' if len(scored) != 1 else ''} ({by_group}) scored anteroposterior and lateral "
        f"radiographs of {n_patients} patients at {tps} with the Radiographic Union Score for Hip (RUSH; ten items "
        f"scored 1–3, total {study.rubric.min_total}–{study.rubric.max_total}), {how}. The radiographs were "
        f"{images}{shown}.{retest}{finished} "
        f"Inter-rater reliability of the total, the component subtotals and the items was estimated per time point, "
        f"over all raters and within each rater group, with the intraclass correlation coefficient {form} ({model} "
        f"effects, {kind}, {unit} rater; McGraw & Wong {mw}) and {100 * confidence:g}% confidence intervals from the "
        f"F distribution, on cases scored by every rater of the analysis; it was interpreted after Koo & Li (2016). "
        f"Agreement on the ordinal items was summarised with Krippendorff's alpha and Fleiss' kappa, on healing "
        f"status (total below {cutoff:g}) with Fleiss' kappa, and on the total with Bland–Altman limits of "
        f"agreement. Analyses used RUSH Rater {__version__} (Python {platform.python_version()}). "
        + (f"The ICC of the RUSH total was {'; '.join(results)}." if results else "")
    )


def _bland_altman_figure(data: pd.DataFrame, ba: pd.DataFrame, timepoint: str, label: str):
    """Small multiples: each rater's total minus the mean of the others, against their mean."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure

    at = data[data["timepoint"] == timepoint]
    wide = at.pivot_table(index="patient", columns="rater", values=TOTAL, observed=True)
    wide = wide.dropna(axis=1, how="all")
    if wide.shape[1] < 2:
        return None
    codes = list(wide.columns)
    cols = min(3, len(codes))
    rows = math.ceil(len(codes) / cols)
    fig = MplFigure(figsize=(7.0, 2.3 * rows), dpi=110, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    for ax in axes.flat[len(codes):]:
        ax.set_visible(False)
    for ax, code in zip(axes.flat, codes):
        own = wide[code]
        others = wide.drop(columns=[code]).mean(axis=1)
        ok = own.notna() & others.notna()
        mean = (own[ok] + others[ok]) / 2
        diff = own[ok] - others[ok]
        ax.scatter(mean, diff, s=8, alpha=0.5, color="#1f5f8b", linewidths=0)
        row = ba[(ba["timepoint"] == timepoint) & (ba["comparison"] == "consensus") & (ba["rater_a"].astype(str) == str(code))]
        if len(row):
            r = row.iloc[0]
            ax.axhline(r["bias"], color="#333333", lw=1)
            ax.axhline(r["loa_low"], color="#b03a2e", lw=0.9, ls="--")
            ax.axhline(r["loa_high"], color="#b03a2e", lw=0.9, ls="--")
        ax.set_title(f"{code} vs others", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25, lw=0.5)
    for ax in axes[-1]:
        ax.set_xlabel("mean total", fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("difference", fontsize=7)
    fig.suptitle(f"Bland–Altman, RUSH total — {label}", fontsize=9)
    return fig


# --- rendering ------------------------------------------------------------------------------------


HTML_STYLE = """
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       color: #1d2733; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 1px solid #c9d3dd; padding-bottom: .2rem; }
.subtitle { color: #5a6978; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .88rem; }
th, td { border-bottom: 1px solid #dde3e9; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
caption { caption-side: bottom; text-align: left; color: #5a6978; font-size: .82rem; padding-top: .3rem; }
.note { color: #6b5a00; font-size: .9rem; }
.methods { background: #f5f7f9; border-left: 3px solid #1f5f8b; padding: .6rem .9rem; }
figure { margin: 1rem 0; } figcaption { color: #5a6978; font-size: .82rem; }
svg { max-width: 100%; height: auto; }
"""


def render_html(doc: Report) -> str:
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{esc(doc.title)}</title><style>{HTML_STYLE}</style></head><body>",
             f"<h1>{esc(doc.title)}</h1>", f'<p class="subtitle">{esc(doc.subtitle)}</p>']
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level + 1}>{esc(block.text)}</h{block.level + 1}>")
        elif isinstance(block, Para):
            parts.append(f'<p class="{block.style}">{esc(block.text)}</p>')
        elif isinstance(block, Table):
            head = "".join(f"<th>{esc(h)}</th>" for h in block.header)
            body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
            parts.append(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif isinstance(block, Figure):
            buffer = io.StringIO()
            block.figure.savefig(buffer, format="svg")
            svg = buffer.getvalue()
            svg = svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG in HTML5
            parts.append(f"<figure>{svg}<figcaption>{esc(block.caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_pdf(doc: Report, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = getSampleStyleSheet()
    heading = ParagraphStyle("heading", parent=styles["Heading2"], keepWithNext=1)
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, alignment=TA_LEFT)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    note = ParagraphStyle("note", parent=body, textColor=colors.HexColor("#6b5a00"))
    methods = ParagraphStyle("methods", parent=body, backColor=colors.HexColor("#f2f5f8"), borderPadding=6,
                             leftIndent=4, rightIndent=4, spaceBefore=4)
    caption = ParagraphStyle("caption", parent=body, fontSize=7.5, textColor=colors.HexColor("#5a6978"))
    esc = html.escape
    width = A4[0] - 36 * mm
    story = [Paragraph(esc(doc.title), styles["Title"]), Paragraph(esc(doc.subtitle), caption), Spacer(1, 4 * mm)]
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(esc(block.text), heading))
        elif isinstance(block, Para):
            story.append(Paragraph(esc(block.text), {"note": note, "methods": methods}.get(block.style, body)))
        elif isinstance(block, Table):
            weights = block.widths or [1.0] * len(block.header)
            widths = [width * w / sum(weights) for w in weights]
            data = [[Paragraph(esc(h), head) for h in block.header]]
            data += [[Paragraph(esc(c), cell) for c in row] for row in block.rows]
            table = LongTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#7d8b99")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d5dce3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]))
            story.append(table)
            if block.caption:
                story.append(Paragraph(esc(block.caption), caption))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Figure):
            buffer = io.BytesIO()
            block.figure.savefig(buffer, format="png", dpi=150)
            buffer.seek(0)
            w_in, h_in = block.figure.get_size_inches()
            w = min(width, w_in * 72)
            image = Image(buffer, width=w, height=w * h_in / w_in)
            story.append(KeepTogether([image, Paragraph(esc(block.caption), caption), Spacer(1, 3 * mm)]))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#7d8b99"))
        canvas.drawString(18 * mm, 10 * mm, doc.title)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=doc.title, author="RUSH Rater", subject=doc.subtitle)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)



def report_path(out: str | Path, force: bool) -> Path:
    """The output path of a report document (.pdf or .html), checked before any work is done."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise ValidationError(f"cannot tell the report format from {out.name!r}",
                              fix="name the output report.pdf or report.html")
    check_output(out, force, what="report")
    return out


def write_document(doc: Report, out: Path) -> Path:
    """Render ``doc`` to ``out`` (PDF or HTML by its suffix) atomically: a temporary file in the same
    folder, renamed into place; on any failure nothing is left behind."""
    try:
        with atomic_path(out) as tmp:
            if out.suffix.lower() == ".pdf":
                render_pdf(doc, tmp)
            else:
                tmp.write_text(render_html(doc), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}; nothing was written", where=str(out),
                          fix="check the folder's free space and permissions") from exc
    return out


REPORT_STAGES = ("statistics", "render")


def write_report(study: Study, out: str | Path, *, force: bool = False, form: str = "ICC(2,1)",
                 confidence: float = 0.95, raters: str = "all", exclude_early_rereads: bool = False,
                 outcome=None, risk=None, notes: list[str] | None = None,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Write the report to ``out`` (.pdf or .html), atomically; refuse an existing file unless ``force``.
    ``outcome``, ``risk`` and ``notes`` as in :func:`build_report`.

    ``progress`` is told each stage as it starts (:data:`REPORT_STAGES`: "statistics", then "render"),
    so a window can say what the ~10 s are spent on."""
    say = progress or (lambda _stage: None)
    out = report_path(out, force)
    say("statistics")
    doc = build_report(study, form=form, confidence=confidence, raters=raters,
                       exclude_early_rereads=exclude_early_rereads, outcome=outcome, risk=risk, notes=notes)
    say("render")
    return write_document(doc, out)
