"""Agreement statistics for multi-rater RUSH reading studies.

DataFrame in, DataFrame out: every function takes long-format ratings (one
row per rating, column names as arguments) and returns tidy tables at full
precision.  This package imports nothing from the rest of :mod:`rushrater`
(no Qt, no database), so services, the CLI and notebooks can all use it.

Public API
----------
ICC
    :func:`icc` (six Shrout & Fleiss forms with F-based CIs, complete-case,
    plus the all-available REML estimate) -> :class:`IccResult`;
    :func:`icc_from_variance_components`; :data:`FORMS`, :data:`MCGRAW_WONG`.
Study tables
    :func:`agreement_table` (timepoint x rater group x score x form),
    :func:`between_groups_table` (ICC between group consensus scores).
Ordinal items
    :func:`krippendorff_alpha`, :func:`fleiss_kappa`,
    :func:`fleiss_kappa_counts`, :func:`weighted_kappa`,
    :func:`weighted_kappa_matrix`.
Totals
    :func:`bland_altman`, :func:`limits_of_agreement`.
Healing status
    :func:`classify_healing`, :func:`healing_agreement`,
    :func:`healing_agreement_by_target`, :data:`SLOW_HEALING_CUTOFF`.
Interpretation
    :func:`koo_li_label`, :func:`interpret_icc`, :func:`add_interpretation`.
Outcomes (one row per patient; issue 14)
    :func:`compare` (baseline table), :func:`match` (propensity-score matching as MatchIt),
    :func:`logistic` / :func:`univariable_logistic` (odds ratios), :func:`correlate`,
    :func:`roc` (AUC with DeLong CI, Youden cut-off, paired DeLong tests).
Time-to-event risk models (one row per patient; R survival / rms / riskRegression numbers)
    :func:`cox_fit` -> :class:`CoxResult` (coxph, concordance, cox.zph), :func:`concordance`,
    :func:`schoenfeld_figure`; :func:`td_auc` -> :class:`TdRocResult`, :func:`roc_figure`;
    :func:`cox_nomogram`, :func:`logistic_nomogram`, :func:`nomogram_figure`;
    :func:`calibrate` -> :class:`CalibrationResult`, :func:`calibration_figure`;
    :func:`external_validation`, :func:`optimism_corrected_c`, :func:`compare_risk_scores`;
    :func:`risk_model` (all of it for one model: the core of ``rushrater riskmodel``).
"""

from ._anova import FORMS, MCGRAW_WONG, TABLE_COLUMNS
from ._data import DUPLICATE_POLICIES
from .bland_altman import BLAND_ALTMAN_COLUMNS, bland_altman, limits_of_agreement
from .healing import SLOW_HEALING_CUTOFF, classify_healing, healing_agreement, healing_agreement_by_target
from .icc import IccResult, icc, icc_from_variance_components
from .interpret import KOO_LI_CATEGORIES, add_interpretation, interpret_icc, koo_li_label
from .ordinal import (
    KAPPA_WEIGHTS,
    fleiss_kappa,
    fleiss_kappa_counts,
    krippendorff_alpha,
    weighted_kappa,
    weighted_kappa_matrix,
)
from .baseline import CompareResult, compare
from .correlation import CorrelationResult, correlate
from .logistic import LogisticResult, logistic
from .logistic import univariable as univariable_logistic
from .matching import MatchResult, match
from .roc import RocResult, roc
from .study import BETWEEN_GROUPS_COLUMNS, STUDY_COLUMNS, agreement_table, between_groups_table
from .calibration import CalibrationResult, calibrate, calibration_figure
from .cox import CoxResult, concordance, cox_fit, schoenfeld_figure
from .nomogram import Nomogram, cox_nomogram, logistic_nomogram, nomogram_figure
from .survival_validation import compare_risk_scores, external_validation, optimism_corrected_c, risk_model
from .tdroc import TdRocResult, roc_figure, td_auc

__all__ = [
    "BETWEEN_GROUPS_COLUMNS",
    "BLAND_ALTMAN_COLUMNS",
    "DUPLICATE_POLICIES",
    "FORMS",
    "KAPPA_WEIGHTS",
    "KOO_LI_CATEGORIES",
    "MCGRAW_WONG",
    "SLOW_HEALING_CUTOFF",
    "STUDY_COLUMNS",
    "TABLE_COLUMNS",
    "CalibrationResult",
    "CompareResult",
    "CorrelationResult",
    "CoxResult",
    "IccResult",
    "LogisticResult",
    "MatchResult",
    "Nomogram",
    "RocResult",
    "TdRocResult",
    "add_interpretation",
    "agreement_table",
    "between_groups_table",
    "bland_altman",
    "calibrate",
    "calibration_figure",
    "compare_risk_scores",
    "concordance",
    "cox_fit",
    "cox_nomogram",
    "external_validation",
    "logistic_nomogram",
    "nomogram_figure",
    "optimism_corrected_c",
    "risk_model",
    "roc_figure",
    "schoenfeld_figure",
    "td_auc",
    "classify_healing",
    "compare",
    "correlate",
    "fleiss_kappa",
    "fleiss_kappa_counts",
    "healing_agreement",
    "healing_agreement_by_target",
    "icc",
    "icc_from_variance_components",
    "interpret_icc",
    "koo_li_label",
    "krippendorff_alpha",
    "limits_of_agreement",
    "logistic",
    "match",
    "roc",
    "univariable_logistic",
    "weighted_kappa",
    "weighted_kappa_matrix",
]
