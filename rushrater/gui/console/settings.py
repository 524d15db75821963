"""The console's Settings tab: the reading and analysis settings, rater PINs and the consensus panel.

Each action is one service write; what it changed comes back through the study's change signal, so
this tab (and the others showing it) read it again by themselves."""

from __future__ import annotations

from ...domain.changes import Entity
from ...services.consensus import add_panel_member, panel_members, thresholds
from ...services.raters import list_raters
from ...services.reading import set_rater_pin
from ...services.settings import update_settings
from ..qt import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    Slot,
)
from .tab import ConsoleTab, saving_label


class SettingsTab(ConsoleTab):
    """Settings (from the open study), the raters' PINs and who may adjudicate."""

    # The settings and the panel live in the study row; the PIN list names the raters.
    entities = (Entity.STUDY, Entity.RATERS)

    def __init__(self, study, parent: QWidget | None = None):
        super().__init__(study, parent)
        outer = QVBoxLayout(self)
        box = QGroupBox(self.tr("Reading and analysis"))
        form = QFormLayout(box)
        self.edit_policy = QComboBox()
        self.edit_policy.addItem(self.tr("Raters may go back and correct the previous case"), "previous")
        self.edit_policy.addItem(self.tr("No going back: a submitted score is final"), "none")
        form.addRow(self.tr("&Edit policy:"), self.edit_policy)
        self.blank_ms = QSpinBox()
        self.blank_ms.setRange(0, 10_000)
        self.blank_ms.setSingleStep(250)
        self.blank_ms.setSuffix(self.tr(" ms"))
        form.addRow(self.tr("&Blank screen between cases:"), self.blank_ms)
        self.washout = QDoubleSpinBox()
        self.washout.setRange(0, 365)
        self.washout.setDecimals(0)
        self.washout.setSuffix(self.tr(" days"))
        form.addRow(self.tr("&Washout before re-reads:"), self.washout)
        self.spread = QDoubleSpinBox()
        self.spread.setRange(0, 20)
        self.spread.setDecimals(0)
        self.spread.setSuffix(self.tr(" points"))
        form.addRow(self.tr("Discordant when totals span &more than:"), self.spread)
        self.cutoff = QDoubleSpinBox()
        self.cutoff.setRange(10, 30)
        self.cutoff.setDecimals(0)
        form.addRow(self.tr("Slow healing when the total is &below:"), self.cutoff)
        self.save_button = QPushButton(self.tr("Sa&ve settings"))
        self.save_button.clicked.connect(self.save_settings)
        form.addRow("", self.save_button)
        outer.addWidget(box)

        pins = QGroupBox(self.tr("Rater PINs"))
        pin_form = QFormLayout(pins)
        self.pin_rater = QComboBox()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("4 to 32 characters"))
        pin_form.addRow(self.tr("R&ater:"), self.pin_rater)
        pin_form.addRow(self.tr("New &PIN:"), self.pin_edit)
        buttons = QHBoxLayout()
        self.set_pin_button = QPushButton(self.tr("Set PIN"))
        self.set_pin_button.clicked.connect(lambda: self.set_pin(self.pin_edit.text()))
        self.clear_pin_button = QPushButton(self.tr("Remove PIN"))
        self.clear_pin_button.clicked.connect(lambda: self.set_pin(None))
        buttons.addWidget(self.set_pin_button)
        buttons.addWidget(self.clear_pin_button)
        buttons.addStretch(1)
        pin_form.addRow("", buttons)
        outer.addWidget(pins)

        panel = QGroupBox(self.tr("Consensus panel"))
        panel_form = QFormLayout(panel)
        self.panel_label = QLabel()
        self.panel_label.setWordWrap(True)
        panel_form.addRow(self.tr("Who may adjudicate:"), self.panel_label)
        self.panel_edit = QLineEdit()
        self.panel_edit.setPlaceholderText(self.tr("Name of a panel member"))
        self.add_member_button = QPushButton(self.tr("Add to the panel"))
        self.add_member_button.clicked.connect(lambda: self.add_panel_member(self.panel_edit.text()))
        self.panel_edit.returnPressed.connect(self.add_member_button.click)
        member_row = QHBoxLayout()
        member_row.addWidget(self.panel_edit, 1)
        member_row.addWidget(self.add_member_button)
        panel_form.addRow(self.tr("&New member:"), member_row)
        outer.addWidget(panel)
        for group in (box, pins, panel):
            group.setMaximumWidth(760)  # a form stretched over a wide window is hard to read
        outer.addStretch(1)

    def loader(self):
        study = self.study
        return lambda: list_raters(study)

    def show_data(self, raters) -> None:
        # The settings and the panel are the open study's (kept in step by every settings write).
        settings = self.study.settings
        self.edit_policy.setCurrentIndex(max(0, self.edit_policy.findData(settings.edit_policy)))
        self.blank_ms.setValue(int(settings.blank_screen_ms))
        self.washout.setValue(float(settings.washout_days))
        spread, cutoff = thresholds(self.study)
        self.spread.setValue(spread)
        self.cutoff.setValue(cutoff)
        chosen = self.pin_rater.currentData()
        self.pin_rater.clear()
        for rater in raters:
            self.pin_rater.addItem(f"{rater.code} — {rater.name} ({rater.group})", rater.code)
        self.pin_rater.setCurrentIndex(max(0, self.pin_rater.findData(chosen)))
        members = panel_members(self.study)
        self.panel_label.setText(
            self.tr("the study coordinator; {0}").format(", ".join(members)) if members
            else self.tr("the study coordinator only")
        )

    # --- actions -------------------------------------------------------------------------------

    @Slot()
    def save_settings(self) -> None:
        changes = {
            "edit_policy": self.edit_policy.currentData(),
            "blank_screen_ms": self.blank_ms.value(),
            "washout_days": self.washout.value(),
            "discordance_spread": self.spread.value(),
            "slow_healing_cutoff": self.cutoff.value(),
        }
        study = self.study
        self._write(lambda progress: update_settings(study, changes), self.save_button,
                    self.tr("Cannot save the settings"), lambda _: self.status_message(self.tr("Settings saved")))

    def add_panel_member(self, name: str) -> None:
        study = self.study

        def added(stored: str) -> None:
            self.panel_edit.clear()
            self.status_message(self.tr("{0} may now adjudicate").format(stored))

        self._write(lambda progress: add_panel_member(study, name), self.add_member_button,
                    self.tr("Cannot add the panel member"), added)

    def set_pin(self, pin: str | None) -> None:
        code = self.pin_rater.currentData()
        if not code:
            return
        study = self.study

        def set_(_) -> None:
            self.pin_edit.clear()
            message = self.tr("PIN of {0} set") if pin else self.tr("PIN of {0} removed")
            self.status_message(message.format(code))

        self._write(lambda progress: set_rater_pin(study, code, pin), self.set_pin_button,
                    self.tr("Cannot change the PIN"), set_, also=self.clear_pin_button)

    def _write(self, fn, button: QPushButton, title: str, done, also: QPushButton | None = None) -> None:
        """One service write with its button(s) disabled until it is done (no double submits)."""
        buttons = [b for b in (button, also) if b is not None]
        for b in buttons:
            b.setEnabled(False)

        def finished(result) -> None:
            for b in buttons:
                b.setEnabled(True)
            done(result)

        def failed(exc: BaseException) -> None:
            from ..errors import show_error

            for b in buttons:
                b.setEnabled(True)
            show_error(self, title, exc)

        self.operate(fn, done=finished, failed=failed, label=saving_label())
