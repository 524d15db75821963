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
6. consensus summary; 7. software and versions; 8. a methods paragraph ready to paste.

PDF: reportlab (BSD, maintained since 2000, pure Python, no browser): its platypus layout engine
flows long tables across pages and repeats their headers, which matplotlib's PdfPages cannot do.
Plots are drawn by matplotlib (Agg) and embedded as PNG (PDF) or inline SVG (HTML).
"""

from __future__ import annotations

import html
import io
import math
import os
import platform
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__, stats
from ..domain.errors import ValidationError
from ..storage import queries
from .agreement import ALL, POOLED, TOTAL, AgreementReport, agreement_report, study_ratings
from .consensus import automatic_consensus, current_consensus, thresholds
from .export import ExportError, check_output
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
    for package in ("numpy", "pandas", "scipy", "pingouin", "krippendorff", "SQLAlchemy", "matplotlib", "reportlab"):
        try:
            rows.append([package, metadata.version(package)])
        except metadata.PackageNotFoundError:
            continue
    return rows


# --- content --------------------------------------------------------------------------------------


def build_report(study: Study, *, form: str = "ICC(2,1)", confidence: float = 0.95) -> Report:
    """Every block of the report (see the module docstring)."""
    if form not in stats.FORMS:
        raise ValidationError(f"unknown ICC form {form!r}", fix=f"use one of {', '.join(stats.FORMS)}")
    ratings = study_ratings(study)
    if ratings.data.empty and ratings.n_unreadable == 0:
        raise ExportError(
            "the study has no ratings yet: there is nothing to report",
            where=str(study.root),
            fix="score cases first (rushrater read, or rushrater ratings import)",
        )
    report = agreement_report(study, ratings=ratings, confidence=confidence)
    spread, cutoff = thresholds(study)
    with study.db.read() as session:
        timepoints = [(tp.key, tp.label, tp.nominal_day) for tp in queries.timepoints(session)]
        raters = [(r.code, r.group.name) for r in queries.raters(session)]
        plan = queries.latest_plan(session)
        seed = None if plan is None else plan.seed
        cases = [(c.code, c.timepoint.key) for c in queries.cases(session)]
        n_patients = len(queries.patient_codes(session))
        rereads = queries.reread_assignments(session)
        n_deid = queries.image_deidentification_count(session)
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
    by_group = {g: [c for c, gg in raters if gg == g] for g in groups}
    group_text = "; ".join(f"{g}: {len(codes)} ({', '.join(codes)})" for g, codes in by_group.items())
    washout = study.settings.get("washout_days")
    n_rereads = len(rereads)
    tp_text = ", ".join(f"{label} ({key}{'' if day is None else f', day {day}'})" for key, label, day in timepoints)
    design = [
        ["Raters", f"{len(raters)} in {len(groups)} group(s) — {group_text}"],
        ["Subjects", f"{n_patients} patients, {len(cases)} reading cases (patient × time point)"],
        ["Time points", tp_text],
        ["Score", f"{study.rubric.name}: 10 items scored 1–3, total {study.rubric.min_total}–"
                  f"{study.rubric.max_total}; slow healing when the total is below {cutoff:g}"],
        ["Replicates", "one independent first read per rater and case" + (
            f"; {n_rereads} re-read(s) (read 2) planned after a washout of {washout:g} days"
            if n_rereads and washout is not None else "; no re-reads planned")],
        ["Blinding", "raters scored independently on the workstation, which shows no patient code, time "
                     "point, case code, file name or another rater's score; images de-identified (DICOM PS3.15 "
                     f"Annex E; {n_deid} image(s) with a recorded de-identification)"],
        ["Randomisation", "each rater read the cases in an independent random order" + (
            f" from seed {seed}" if seed is not None else " (no plan recorded)") +
         "; two cases of the same patient are never adjacent"],
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
            codes = [c for c, gg in raters if g == ALL or gg == g]
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
    add(Heading("3. Inter-rater reliability (ICC)"))
    add(Para(f"{form} — McGraw & Wong {mw}: {model} effects, {kind}, {unit} rater; estimates with {level} "
             f"confidence intervals from the F distribution (Shrout & Fleiss 1979; McGraw & Wong 1996), "
             f"first reads only. Reading by Koo & Li (2016), judged against the confidence interval: "
             f"below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent."))
    main = stats.add_interpretation(sel[sel["score"] == TOTAL], confidence=confidence)
    rows = [[tp_label.get(str(r["timepoint"]), str(r["timepoint"])), str(r["group"]), _ci(r), _f(r["f"], 2), f"{_df(r['df1'])}, {_df(r['df2'])}",
             _p(r["p"]), str(int(r["n_targets"])) if pd.notna(r["n_targets"]) else "0",
             str(int(r["n_raters"])) if pd.notna(r["n_raters"]) else "0", f"{r['reliability']} ({r['reliability_ci']})"]
            for _, r in main.iterrows()]
    add(Table(["Time point", "Raters", f"ICC ({level} CI)", "F", "df", "p", "Cases", "n raters", "Koo & Li (CI)"],
              rows, caption=f"Table 1. {form} of the RUSH total by time point × rater group.",
              widths=[0.95, 1.0, 1.75, 0.6, 0.75, 0.7, 0.75, 0.75, 2.0]))
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
        rows = [[("pooled" if r["rater"] == POOLED else str(r["rater"])), _ci(r), str(int(r["n_targets"]))]
                for _, r in t.iterrows()]
        add(Table(["Rater", f"ICC ({level} CI)", "Re-read cases"], rows,
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
        rows = [[tp_label.get(str(r["timepoint"])), str(r["group"]), _f(r["percent_agreement"], 1), _f(r["fleiss_kappa"]),
                 str(int(r["n_targets"]))] for _, r in heal.iterrows()]
        add(Table(["Time point", "Raters", "Pairwise agreement %", "Fleiss' κ", "Cases"], rows,
                  caption=f"Table 6. Agreement on healing status (total below {cutoff:g} = slow healing)."))

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
    add(Para(_methods(study, report, form, mw, model, kind, unit, raters, groups, n_patients, timepoints, seed,
                      washout, n_rereads, cutoff, confidence), "methods"))
    return doc


def _methods(study, report: AgreementReport, form, mw, model, kind, unit, raters, groups, n_patients,
             timepoints, seed, washout, n_rereads, cutoff, confidence) -> str:
    by_group = ", ".join(f"{sum(1 for _, g in raters if g == name)} {name}s" for name in groups)
    tps = " and ".join(label for _, label, _ in timepoints)
    icc = report.icc
    results = []
    for key, label, _ in timepoints:
        row = icc[(icc["timepoint"] == key) & (icc["group"] == ALL) & (icc["score"] == TOTAL) & (icc["form"] == form)]
        if len(row) and pd.notna(row["icc"].iloc[0]):
            r = row.iloc[0]
            results.append(f"{r['icc']:.3f} ({100 * confidence:g}% CI {r['ci_low']:.3f}–{r['ci_high']:.3f}) at {label}")
    retest = (f" A random share of cases was re-read by the same raters after a washout of {washout:g} days, in "
              f"a new random order and blind to the earlier scores ({n_rereads} re-reads); intra-rater "
              f"reliability is the ICC of read 1 vs read 2." if n_rereads and washout is not None else "")
    return (
        f"{len(raters)} raters ({by_group}) independently scored anteroposterior and lateral radiographs of "
        f"{n_patients} patients at {tps} with the Radiographic Union Score for Hip (RUSH; ten items scored "
        f"1–3, total {study.rubric.min_total}–{study.rubric.max_total}). Images were de-identified and shown "
        f"without patient identifiers, time point or other raters' scores, in an independent random order per "
        f"rater{'' if seed is None else f' (seed {seed})'}.{retest} Inter-rater reliability of the total, the "
        f"component subtotals and the items was estimated per time point, over all raters and within each "
        f"rater group, with the intraclass correlation coefficient {form} ({model} effects, {kind}, {unit} "
        f"rater; McGraw & Wong {mw}) and {100 * confidence:g}% confidence intervals from the F distribution, "
        f"on cases scored by every rater of the analysis; it was interpreted after Koo & Li (2016). Agreement "
        f"on the ordinal items was summarised with Krippendorff's alpha and Fleiss' kappa, on healing status "
        f"(total below {cutoff:g}) with Fleiss' kappa, and on the total with Bland–Altman limits of agreement. "
        f"Analyses used RUSH Rater {__version__} (Python {platform.python_version()}). "
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


def write_report(study: Study, out: str | Path, *, force: bool = False, form: str = "ICC(2,1)",
                 confidence: float = 0.95) -> Path:
    """Write the report to ``out`` (.pdf or .html), atomically; refuse an existing file unless ``force``."""
    out = Path(out).expanduser()
    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise ValidationError(f"cannot tell the report format from {out.name!r}",
                              fix="name the output report.pdf or report.html")
    check_output(out, force, what="report")
    doc = build_report(study, form=form, confidence=confidence)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        if out.suffix.lower() == ".pdf":
            render_pdf(doc, tmp)
        else:
            tmp.write_text(render_html(doc), encoding="utf-8")
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, out)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}; nothing was written", where=str(out),
                          fix="check the folder's free space and permissions") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return out
