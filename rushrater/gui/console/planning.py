"""Study ▸ Plan reading…: create or extend the reading plan and add test-retest re-reads, as
``rushrater plan`` does, through :func:`rushrater.services.planning.plan_reading`."""

from __future__ import annotations

from ...services.planning import (
    MAX_SEED,
    PlanResult,
    plan_reading,
)
from ...services.study import Study
from ..errors import show_error
from ..i18n import plural
from ..operations import run_operation
from ..qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


class PlanDialog(QDialog):
    """Seed (a new plan), start over (only before any rating), re-reads with their washout.

    ``status`` is :func:`rushrater.services.status.study_status` of the study, read by the caller
    off the GUI thread."""

    def __init__(self, study: Study, status: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.result: PlanResult | None = None
        self._planning = False
        plan = status["plan"]
        self.planned_seed: int | None = plan["seed"] if plan else None
        self.rated = status["ratings"] > 0
        self.setWindowTitle(self.tr("Plan reading"))
        layout = QVBoxLayout(self)
        if plan is None:
            intro = self.tr("Every rater gets an independent random order over all cases, from the seed "
                            "recorded here (the same seed gives the same lists).")
        else:
            intro = self.tr("The study is planned with seed {0}. Planning again keeps every list and adds "
                            "raters enrolled and cases imported since.").format(plan["seed"])
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.random_seed = QCheckBox(self.tr("Ra&ndom seed"))
        self.random_seed.setChecked(plan is None)
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(self.planned_seed or 0)
        self.seed.setAccessibleName(self.tr("Seed"))
        seed_label = QLabel(self.tr("&Seed:"))
        seed_label.setBuddy(self.seed)
        form.addRow(seed_label, self.seed)
        form.addRow("", self.random_seed)
        self.replan = QCheckBox(self.tr("Discard the lists and plan a&gain"))
        if plan is None:
            self.replan.setEnabled(False)
        elif self.rated:
            self.replan.setEnabled(False)
            self.replan.setToolTip(self.tr("Ratings have been submitted, so the reading lists cannot be discarded"))
        form.addRow("", self.replan)
        self.rereads = QCheckBox(self.tr("Add &re-reads (test-retest)"))
        form.addRow("", self.rereads)
        self.fraction = QSpinBox()
        self.fraction.setRange(1, 100)
        self.fraction.setValue(20)
        self.fraction.setSuffix(" %")
        fraction_label = QLabel(self.tr("Share of each rater's &cases:"))
        fraction_label.setBuddy(self.fraction)
        form.addRow(fraction_label, self.fraction)
        self.washout = QDoubleSpinBox()
        self.washout.setRange(0, 3650)
        self.washout.setDecimals(1)
        self.washout.setValue(float(study.settings.washout_days))
        self.washout.setSuffix(self.tr(" days"))
        washout_label = QLabel(self.tr("&Washout before re-reads:"))
        washout_label.setBuddy(self.washout)
        form.addRow(washout_label, self.washout)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("&Plan") if plan is None else self.tr("&Extend plan"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for widget in (self.random_seed, self.replan, self.rereads):
            widget.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        choosing_seed = self.planned_seed is None or self.replan.isChecked()
        self.random_seed.setEnabled(choosing_seed)
        self.seed.setEnabled(choosing_seed and not self.random_seed.isChecked())
        if not choosing_seed:
            self.seed.setValue(self.planned_seed)
        self.fraction.setEnabled(self.rereads.isChecked())
        self.washout.setEnabled(self.rereads.isChecked())

    def accept(self) -> None:
        if self._planning:
            return
        choosing_seed = self.planned_seed is None or self.replan.isChecked()
        seed = self.seed.value() if choosing_seed and not self.random_seed.isChecked() else None
        study, options = self.study, dict(
            seed=seed,
            replan=self.replan.isChecked(),
            reread_fraction=self.fraction.value() / 100 if self.rereads.isChecked() else None,
            washout_days=self.washout.value() if self.rereads.isChecked() else None,
        )
        self._set_planning(True)
        run_operation(self, lambda progress: plan_reading(study, **options), done=self._planned,
                      failed=self._not_planned, title=self.tr("Plan reading"), queue=study)

    def _set_planning(self, planning: bool) -> None:
        self._planning = planning
        self.buttons.setEnabled(not planning)  # one plan call per press

    def _planned(self, result: PlanResult) -> None:
        self._set_planning(False)
        self.result = result
        super().accept()

    def _not_planned(self, exc: BaseException) -> None:
        # e.g. start over once rated: the service refuses, we say why
        self._set_planning(False)
        show_error(self, self.tr("Cannot plan the reading"), exc)

    def reject(self) -> None:
        if not self._planning:  # the plan being written finishes first
            super().reject()

    def summary(self) -> str:
        """What the plan call changed, for the status bar."""
        r = self.result
        if r is None:
            return ""
        parts = []
        if r.new_plan:
            parts.append(self.tr("Planned {0} cases for {1} raters with seed {2}").format(
                r.cases_planned, len(r.raters_planned), r.seed))
        else:
            if r.raters_planned:
                parts.append(self.tr("New lists for {0}").format(", ".join(r.raters_planned)))
            appended = sum(r.cases_appended.values())
            if appended:
                parts.append(plural(self.tr("%n case(s) appended to the lists", "", appended), appended))
        if r.rereads_added:
            n = sum(r.rereads_added.values())
            parts.append(plural(self.tr("%n re-read(s) added, available from {0}", "", n), n).format(
                (r.rereads_available_from or "")[:10]))
        if r.rereads_kept:
            parts.append(self.tr("re-reads kept for {0}").format(", ".join(r.rereads_kept)))
        if not parts:
            parts.append(self.tr("The plan (seed {0}) already covers every rater and case; nothing changed").format(r.seed))
        return "; ".join(parts)
