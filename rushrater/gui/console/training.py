"""The console's Training tab (issue 17): per rater, training cases done, linear-weighted kappa
against the reference per item and for the total, bias of the total and whether they passed; the
pass threshold and policy (study settings) and the reference CSV import."""

from __future__ import annotations

from ...domain.changes import Entity
from ...services import training
from ...services.settings import update_settings
from ...services.study import Study
from ..errors import show_error
from ..i18n import item_label
from ..qt import (
    QBrush,
    QColor,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from .tab import ConsoleTab, saving_label

PASSED = QColor("#d6f0d9")
NOT_PASSED = QColor("#f6dcd5")


def _cell(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
    cell.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    if colour is not None:
        cell.setBackground(QBrush(colour))
    return cell


def load_training(study: Study) -> tuple[list[training.RaterTraining], int]:
    return training.training_status(study), training.training_cases_count(study)


class TrainingView(ConsoleTab):
    # The pass threshold and the policy are study settings.
    entities = (Entity.TRAINING, Entity.RATERS, Entity.STUDY)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(study, parent)
        self.status: list[training.RaterTraining] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        form = QFormLayout()
        self.policy_combo = QComboBox()
        for key, text in (("before_study", self.tr("Before the study, once")),
                          ("until_passed", self.tr("Until passed (study cases wait)")),
                          ("off", self.tr("Off"))):
            self.policy_combo.addItem(text, key)
        self.kappa_spin = QDoubleSpinBox()
        self.kappa_spin.setRange(-1.0, 1.0)
        self.kappa_spin.setSingleStep(0.05)
        self.kappa_spin.setDecimals(2)
        self.bias_spin = QDoubleSpinBox()
        self.bias_spin.setRange(0.0, 20.0)
        self.bias_spin.setSingleStep(0.5)
        self.bias_spin.setDecimals(1)
        form.addRow(self.tr("&Training:"), self.policy_combo)
        form.addRow(self.tr("Pass at weighted kappa of the total &at least:"), self.kappa_spin)
        form.addRow(self.tr("and |bias| of the total at &most (points):"), self.bias_spin)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.apply_button = QPushButton(self.tr("A&pply threshold"))
        self.apply_button.clicked.connect(self.apply)
        self.import_button = QPushButton(self.tr("&Import reference scores (CSV)…"))
        self.import_button.clicked.connect(self.import_references)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        items = self.study.rubric.items
        # The verdict first, the ten item kappas after it (they scroll).
        headers = [self.tr("Rater"), self.tr("Name"), self.tr("Round"), self.tr("Cases done"), self.tr("Passed"),
                   self.tr("Kappa total"), self.tr("Bias total")]
        headers += [item_label(i) for i in items]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setToolTip(self.tr("Linear-weighted kappa of each rater's scores against the reference, per item "
                                      "and for the total; bias: mean (rater − reference) of the total"))
        layout.addWidget(self.table, 1)

    def loader(self):
        study = self.study
        return lambda: load_training(study)

    def show_data(self, data) -> None:
        self.status, n_cases = data
        min_kappa, max_bias = training.thresholds(self.study)
        self.policy_combo.setCurrentIndex(max(0, self.policy_combo.findData(training.policy(self.study))))
        self.kappa_spin.setValue(min_kappa)
        self.bias_spin.setValue(max_bias)
        if n_cases:
            passed = sum(s.passed for s in self.status)
            self.summary.setText(self.tr("{0} training cases with reference scores; {1} of {2} raters passed. "
                                         "Training reads never enter the study's agreement or exports.").format(
                n_cases, passed, len(self.status)))
        else:
            self.summary.setText(self.tr("No training cases yet: import reference scores for cases imported for "
                                         "training (before the reading plan)."))
        keys = self.study.rubric.item_keys
        self.table.setRowCount(len(self.status))
        for row, s in enumerate(self.status):
            colour = PASSED if s.passed else NOT_PASSED if s.done >= s.of > 0 else None
            first = QTableWidgetItem(s.rater)
            first.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            self.table.setItem(row, 0, first)
            name = QTableWidgetItem(s.name)
            name.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            self.table.setItem(row, 1, name)
            self.table.setItem(row, 2, _cell(str(s.round)))
            self.table.setItem(row, 3, _cell(f"{s.done} / {s.of}"))
            self.table.setItem(row, 4, _cell(self.tr("yes") if s.passed else self.tr("no"), colour))
            self.table.setItem(row, 6, _cell("—" if s.bias is None else f"{s.bias:+.2f}"))
            for column, key in ((5, training.TOTAL), *((7 + n, k) for n, k in enumerate(keys))):
                value = s.kappa.get(key)
                self.table.setItem(row, column, _cell("—" if value is None else f"{value:.2f}"))

    def apply(self) -> None:
        """Save the policy and the threshold; the table follows through the study's change signal."""
        study = self.study
        changes = {
            training.POLICY_SETTING: self.policy_combo.currentData(),
            training.MIN_KAPPA_SETTING: round(self.kappa_spin.value(), 2),
            training.MAX_BIAS_SETTING: round(self.bias_spin.value(), 1),
        }
        self._write(lambda progress: update_settings(study, changes, reason="training threshold set in the console"),
                    self.tr("The threshold was not saved"))

    def import_references(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Reference scores of training cases"), "",
                                                  self.tr("CSV files (*.csv)"))
        if not path:
            return False
        study = self.study
        self._write(lambda progress: training.import_references(study, path),
                    self.tr("The reference scores were not imported"))
        return True

    def _write(self, fn, title: str) -> None:
        buttons = (self.apply_button, self.import_button)
        for button in buttons:
            button.setEnabled(False)  # one write at a time

        def finished(_=None) -> None:
            for button in buttons:
                button.setEnabled(True)

        def failed(exc: BaseException) -> None:
            finished()
            show_error(self, title, exc)

        self.operate(fn, done=finished, failed=failed, label=saving_label())
