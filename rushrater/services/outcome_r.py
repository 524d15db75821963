"""An R script that reproduces every number of the outcome analysis (MatchIt, glm, pROC, base R).

``write_outcome_r(report, folder)`` writes ``patients.csv`` (the per-patient analysis table) and
``outcomes.R``, which recomputes, per stratum: the baseline tests (``t.test(var.equal = TRUE)``,
``t.test`` (Welch), ``wilcox.test(exact = FALSE, correct = FALSE)``, ``chisq.test(correct = FALSE)``,
``fisher.test``), the propensity-score matching (``MatchIt::matchit(method = "nearest",
distance = "glm", m.order = "largest", caliper, std.caliper = FALSE)``) with its balance,
univariable and adjusted logistic models (``glm(binomial)``, Wald CIs as SPSS's Exp(B)), Spearman
correlations (``cor.test(method = "spearman", exact = FALSE)``) and ROC curves (``pROC::roc``,
``ci.auc(method = "delong")``, ``coords("best", best.method = "youden")``). It prints, and writes
to ``outcomes-r.csv``, one long table ``stratum, analysis, term, statistic, value`` with the same
keys as :func:`outcome_numbers`, so the two can be compared line by line.

MatchIt before 4.5.4 (Debian's 4.5.1) ignores the caliper (MatchIt issue #163): the script says
so when it runs on such a version, as its matched pairs then differ from RUSH Rater's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .outcomes import DELTA, GROUP, OutcomeReport

NUMBER_COLUMNS = ["stratum", "analysis", "term", "statistic", "value"]


def outcome_numbers(report: OutcomeReport) -> pd.DataFrame:
    """Every number of the analysis as ``stratum, analysis, term, statistic, value`` (the R script's keys)."""
    rows: list[tuple] = []

    def add(stratum, analysis, term, statistic, value):
        if value is not None and np.isfinite(value):
            rows.append((stratum, analysis, term, statistic, float(value)))

    for s in report.strata:
        name = s.name
        for result, analysis in ((s.baseline, "baseline"), (s.indices_before, "indices")):
            for row in (result.rows if result is not None else []):
                for key in ("t_p", "welch_p", "mw_p", "chi2", "chi2_p", "fisher_p"):
                    if key in row:
                        add(name, analysis, row["variable"], key, row[key])
        if s.matching is not None:
            add(name, "matching", "pairs", "n", s.matching.n_pairs)
            for b in s.matching.balance.to_dict("records"):
                add(name, "balance", b["variable"], "smd_before", b["smd_before"])
                add(name, "balance", b["variable"], "smd_after", b["smd_after"])
        for fit in s.univariable:
            term = fit.terms.iloc[1]
            for key in ("or", "ci_low", "ci_high", "p"):
                add(name, "univariable", fit.predictors[0], key, term[key])
        for fit in s.adjusted:
            for adjusted in fit.terms.iloc[1:].to_dict("records"):
                for key in ("or", "ci_low", "ci_high", "p"):
                    add(name, f"adjusted:{fit.predictors[0]}", adjusted["term"], key, adjusted[key])
        if s.correlation is not None:
            for c in s.correlation.rows.to_dict("records"):
                for key in ("r", "p", "n"):
                    add(name, "spearman", c["y"], key, c[key])
        if s.roc is not None:
            for m in s.roc.markers.to_dict("records"):
                for key in ("auc", "ci_low", "ci_high", "threshold", "sensitivity", "specificity", "ppv", "npv"):
                    add(name, "roc", m["marker"], key, m[key])
    return pd.DataFrame(rows, columns=NUMBER_COLUMNS)


def _r_vector(values) -> str:
    return "c(" + ", ".join(f'"{v}"' for v in values) + ")"


def r_script(report: OutcomeReport, data_file: str = "patients.csv") -> str:
    """The script; it reads ``data_file`` (written by :func:`write_outcome_data`) from its folder."""
    t = report.table
    by = report.by
    caliper = "NULL" if report.caliper is None else repr(float(report.caliper))
    strata = []
    for s in report.strata:
        level = None
        if by is not None and s.data is not None and len(s.data):
            value = s.data[by].iloc[0]
            level = f"{float(value):.17g}" if isinstance(value, (int, float, np.number)) else f'"{value}"'
        strata.append((s.name, level, s.covariates))
    lines = [
        "# Reproduces RUSH Rater's outcome analysis (rushrater outcomes). Needs MatchIt (>= 4.5.4 for the",
        "# caliper: 4.5.1 ignores it, MatchIt issue #163) and pROC.",
        "suppressPackageStartupMessages({library(MatchIt); library(pROC)})",
        "args <- commandArgs(trailingOnly = TRUE)",
        'folder <- if (length(args)) args[1] else "."',
        f'd <- read.csv(file.path(folder, "{data_file}"))',
        f'group <- "{GROUP}"',
        f'delta <- "{DELTA}"',
        f"indices <- {_r_vector(t.indices)}",
        f"caliper <- {caliper}",
        'if (!is.null(caliper) && packageVersion("MatchIt") < "4.5.4")',
        '  message("MatchIt ", packageVersion("MatchIt"), " ignores the caliper (issue #163): matched pairs will differ")',
        "out <- data.frame(stratum = character(), analysis = character(), term = character(),",
        "                  statistic = character(), value = numeric())",
        "add <- function(s, a, term, stat, v) {",
        "  if (length(v) == 1 && is.finite(v)) out[nrow(out) + 1, ] <<- list(s, a, term, stat, as.numeric(v))",
        "}",
        "compare_rows <- function(s, part, vars, analysis) {",
        "  g <- part[[group]]",
        "  for (v in vars) {",
        "    x <- part[[v]]",
        "    keep <- !is.na(x) & !is.na(g)",
        "    if (length(unique(x[keep])) < 2) next",
        "    if (v %in% continuous) {",
        "      a <- x[keep & g == 0]; b <- x[keep & g == 1]",
        "      add(s, analysis, v, 't_p', t.test(a, b, var.equal = TRUE)$p.value)",
        "      add(s, analysis, v, 'welch_p', t.test(a, b)$p.value)",
        "      add(s, analysis, v, 'mw_p', wilcox.test(a, b, exact = FALSE, correct = FALSE)$p.value)",
        "    } else {",
        "      tab <- table(factor(x[keep]), g[keep])",
        "      chi <- suppressWarnings(chisq.test(tab, correct = FALSE))",
        "      add(s, analysis, v, 'chi2', unname(chi$statistic))",
        "      add(s, analysis, v, 'chi2_p', chi$p.value)",
        "      add(s, analysis, v, 'fisher_p', fisher.test(tab)$p.value)",
        "    }",
        "  }",
        "}",
        "# Converge to the maximum-likelihood estimate (glm's default stops at a relative deviance change",
        "# of 1e-8, which moves the SEs of a small stratum's model in the 4th digit).",
        "tight <- glm.control(epsilon = 1e-14, maxit = 100)",
        "wald <- function(fit, j) {",
        "  co <- summary(fit)$coefficients",
        "  b <- co[j, 1]; se <- co[j, 2]",
        "  c(or = exp(b), ci_low = exp(b - qnorm(0.975) * se), ci_high = exp(b + qnorm(0.975) * se),",
        "    p = 2 * pnorm(-abs(b / se)))",
        "}",
        f"continuous <- {_r_vector([c for c, k in t.kinds.items() if k == 'continuous'])}",
        "d <- d[!is.na(d[[group]]), ]",
    ]
    for name, level, covs in strata:
        select = "d" if level is None else f'd[!is.na(d${by}) & d${by} == {level}, ]'
        lines += [
            "",
            f"# --- {name}",
            f's <- "{name}"',
            f"part <- {select}",
            f"covs <- {_r_vector(covs)}",
            "compare_rows(s, part, covs, 'baseline')",
            "compare_rows(s, part, indices, 'indices')",
            "if (length(covs)) {",
            "  complete <- part[complete.cases(part[, c(group, covs)]), ]",
            "  f <- reformulate(covs, response = group)",
            "  m <- matchit(f, data = complete, method = 'nearest', distance = 'glm', m.order = 'largest',",
            "               caliper = caliper, std.caliper = FALSE, ratio = 1)",
            "  add(s, 'matching', 'pairs', 'n', sum(!is.na(m$match.matrix[, 1])))",
            "  bal <- summary(m, standardize = TRUE)",
            "  for (v in rownames(bal$sum.all)) add(s, 'balance', v, 'smd_before', bal$sum.all[v, 'Std. Mean Diff.'])",
            "  for (v in rownames(bal$sum.matched)) add(s, 'balance', v, 'smd_after', bal$sum.matched[v, 'Std. Mean Diff.'])",
            "}",
            "for (v in c(indices, covs)) {",
            "  fit <- glm(reformulate(v, response = group), data = part, family = binomial, control = tight)",
            "  w <- wald(fit, 2)",
            "  for (k in names(w)) add(s, 'univariable', v, k, w[[k]])",
            "}",
            "if (length(covs)) for (i in indices) {",
            "  fit <- glm(reformulate(c(i, covs), response = group), data = part, family = binomial, control = tight)",
            "  for (j in 2:nrow(summary(fit)$coefficients)) {",
            "    w <- wald(fit, j)",
            "    for (k in names(w)) add(s, paste0('adjusted:', i), rownames(summary(fit)$coefficients)[j], k, w[[k]])",
            "  }",
            "}",
            "if (delta %in% names(part)) for (i in indices) {",
            "  keep <- complete.cases(part[, c(delta, i)])",
            "  ct <- suppressWarnings(cor.test(part[[delta]][keep], part[[i]][keep], method = 'spearman', exact = FALSE))",
            "  add(s, 'spearman', i, 'r', unname(ct$estimate)); add(s, 'spearman', i, 'p', ct$p.value)",
            "  add(s, 'spearman', i, 'n', sum(keep))",
            "}",
            "for (i in indices) {",
            "  keep <- complete.cases(part[, c(group, i)])",
            "  r <- roc(part[[group]][keep], part[[i]][keep], levels = c(0, 1), direction = 'auto', quiet = TRUE)",
            "  ci <- ci.auc(r, method = 'delong')",
            "  add(s, 'roc', i, 'auc', as.numeric(r$auc)); add(s, 'roc', i, 'ci_low', ci[1]); add(s, 'roc', i, 'ci_high', ci[3])",
            "  best <- coords(r, 'best', best.method = 'youden', transpose = FALSE,",
            "                 ret = c('threshold', 'sensitivity', 'specificity', 'ppv', 'npv'))[1, ]",
            "  for (k in names(best)) add(s, 'roc', i, k, best[[k]])",
            "}",
        ]
    lines += [
        "",
        'write.csv(out, file.path(folder, "outcomes-r.csv"), row.names = FALSE)',
        "print(out, digits = 6)",
        "",
    ]
    return "\n".join(lines)


def outcome_data(report: OutcomeReport) -> pd.DataFrame:
    """The per-patient analysis table the script reads (the source columns are text for people)."""
    keep = [c for c in report.table.data.columns if not c.startswith("rush_source_")]
    return report.table.data[keep]


def write_outcome_data(report: OutcomeReport, path: str | Path) -> None:
    # every digit: R must see the very numbers RUSH Rater analysed
    outcome_data(report).to_csv(path, index=False, na_rep="NA", float_format="%.17g")


def write_outcome_r(report: OutcomeReport, folder: str | Path) -> list[Path]:
    """``patients.csv`` and ``outcomes.R`` in ``folder`` (created); returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "patients.csv"
    write_outcome_data(report, data)
    script = folder / "outcomes.R"
    script.write_text(r_script(report), encoding="utf-8")
    return [data, script]


__all__ = ["outcome_data", "outcome_numbers", "r_script", "write_outcome_data", "write_outcome_r"]
