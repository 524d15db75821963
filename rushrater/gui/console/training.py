"""The console's Training tab (issue 17): per rater, training cases done, linear-weighted kappa
against the reference per item and for the total, bias of the total and whether they passed; the
pass threshold and policy (study settings) and the reference CSV import."""

from __future__ import annotations

from ...domain.errors import RushRaterError
from ...services import training
from ...services.settings import update_settings
from ...services.study import Study
from ..errors import show_error, wait_cursor
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

PASSED = QColor("#d6f0d9")
NOT_PASSED = QColor("#f6dcd5")


def _cell(text: str, colour: QColor | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
    cell.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    if colour is not None:
        cell.setBackground(QBrush(colour))
    return cell


class TrainingView(QWidget):
    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
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
        self.refresh()

    def refresh(self) -> None:
        try:
            with wait_cursor():
                self.status = training.training_status(self.study)
                n_cases = training.training_cases_count(self.study)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("Cannot read the study"), exc)
            return
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

    def apply(self) -> bool:
        try:
            update_settings(self.study, {
                training.POLICY_SETTING: self.policy_combo.currentData(),
                training.MIN_KAPPA_SETTING: round(self.kappa_spin.value(), 2),
                training.MAX_BIAS_SETTING: round(self.bias_spin.value(), 1),
            }, reason="training threshold set in the console")
        except RushRaterError as exc:
            show_error(self, self.tr("The threshold was not saved"), exc)
            return False
        self.refresh()
        return True

    def import_references(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Reference scores of training cases"), "",
                                                  self.tr("CSV files (*.csv)"))
        if not path:
            return False
        try:
            with wait_cursor():
                training.import_references(self.study, path)
        except (RushRaterError, OSError) as exc:
            show_error(self, self.tr("The reference scores were not imported"), exc)
            return False
        self.refresh()
        return True
