"""The coordinator console window: it assembles the tabs and follows the study's changes.

Each tab is its own widget (:class:`~.tab.ConsoleTab`): Progress, Agreement, Plots, Discordant
cases, Outcomes, Risk model, Training, Audit trail and Settings. Each reads the study off the GUI
thread and says which parts of it it shows; after every committed write (from this window, another
one or another workstation's process sharing the study handle) the window hands the
:class:`~rushrater.domain.changes.Changes` to the tabs, and only the tabs they touch read again.
F5 reads every tab again.
"""

from __future__ import annotations

from ...domain.changes import Changes
from ...domain.errors import RushRaterError
from ...services.study import Study
from ..errors import show_error
from ..operations import StudyEvents, run_operation, wait_for_operations
from ..qt import (
    QAction,
    QKeySequence,
    QMainWindow,
    QMessageBox,
    Qt,
    QTabWidget,
    QWidget,
    Slot,
)
from .agreement import AgreementTab
from .audit import AuditTab
from .discordant import DiscordantTab
from .outcomes import OutcomesView
from .password import unlock
from .plots_tab import PlotsTab
from .progress import ProgressTab
from .riskmodel import RiskModelView
from .settings import SettingsTab
from .tab import ConsoleTab, alive, reading_label, reload_tabs
from .training import TrainingView


class ConsoleWindow(QMainWindow):
    """The coordinator console of one open study (the caller keeps the study open)."""

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study = study
        self.setWindowTitle(self.tr("Coordinator console — {0}").format(study.title))
        self.resize(1320, 860)
        self.progress = ProgressTab(study)
        self.agreement = AgreementTab(study)
        self.plots = PlotsTab(study, form=self.agreement.form)
        self.discordant = DiscordantTab(study)
        self.outcomes = OutcomesView(study)
        self.riskmodel = RiskModelView(study)
        self.training = TrainingView(study)
        self.audit_tab = AuditTab(study)
        self.settings_tab = SettingsTab(study)
        # Settin&gs, not &Settings: Alt+S is the Study menu's.
        self.pages: list[tuple[ConsoleTab, str]] = [
            (self.progress, self.tr("&Progress")),
            (self.agreement, self.tr("&Agreement")),
            (self.plots, self.tr("P&lots")),
            (self.discordant, self.tr("&Discordant cases")),
            (self.outcomes, self.tr("&Outcomes")),
            (self.riskmodel, self.tr("Ris&k model")),
            (self.training, self.tr("&Training")),
            (self.audit_tab, self.tr("A&udit trail")),
            (self.settings_tab, self.tr("Settin&gs")),
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        for page, title in self.pages:
            self.tabs.addTab(page, title)
        # One analysis of the ratings feeds three tabs.
        self.agreement.report_changed.connect(self.plots.show_report)
        self.agreement.report_changed.connect(lambda report: self.progress.show_counts(report.counts))
        self.agreement.form_changed.connect(self.plots.set_form)
        self._actions()
        self.statusBar().showMessage(self.tr("F5 reads the study again"))
        self.tabs.currentChanged.connect(self._focus_tab)
        self.events = StudyEvents(study, self)
        self.events.changed.connect(self.follow)
        self.refresh()

    def _actions(self) -> None:
        refresh = QAction(self.tr("&Refresh"), self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        close = QAction(self.tr("&Close"), self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(self.close)
        self.addAction(close)
        study_menu = self.menuBar().addMenu(self.tr("&Study"))
        export = QAction(self.tr("&Export…"), self)
        export.setShortcut(QKeySequence("Ctrl+E"))
        export.triggered.connect(lambda: self.open_output_dialog("export"))
        report = QAction(self.tr("Make &report…"), self)
        report.setShortcut(QKeySequence("Ctrl+Shift+R"))
        report.triggered.connect(lambda: self.open_output_dialog("report"))
        self.plan_action = QAction(self.tr("&Plan reading…"), self)
        self.plan_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.plan_action.setStatusTip(self.tr("Create or extend the reading plan and add re-reads after a washout"))
        self.plan_action.triggered.connect(self.open_plan_dialog)
        self.study_menu = study_menu
        for action in (self.plan_action, export, report, refresh, close):
            study_menu.addAction(action)
        study_menu.insertSeparator(export)

    @Slot()
    def _focus_tab(self) -> None:
        # The queue's caption says "press Enter to adjudicate": Enter must reach the table.
        if self.tabs.currentWidget() is self.discordant:
            self.discordant.queue_table.setFocus(Qt.FocusReason.TabFocusReason)

    # --- reading -------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Every tab reads the study again (F5)."""
        reload_tabs(self, [page for page, _ in self.pages])

    @Slot(object)
    def follow(self, changes: Changes) -> None:
        """A write committed: the tabs showing what it changed read again."""
        reload_tabs(self, [page for page, _ in self.pages if page.follows(changes)])

    # --- the Study menu ------------------------------------------------------------------------

    def open_plan_dialog(self) -> None:
        """Study ▸ Plan reading…: the plan service, as ``rushrater plan``; the status bar says what changed."""
        from ...services.status import study_status
        from .planning import PlanDialog

        study = self.study
        self.plan_action.setEnabled(False)  # one dialog at a time

        def opened(status: dict) -> None:
            self.plan_action.setEnabled(True)
            dialog = PlanDialog(study, status, self)
            if dialog.exec() == PlanDialog.DialogCode.Accepted:
                self.statusBar().showMessage(dialog.summary(), 15_000)

        def failed(exc: BaseException) -> None:
            self.plan_action.setEnabled(True)
            show_error(self, self.tr("Cannot read the study"), exc)

        run_operation(self, lambda progress: study_status(study), done=lambda s: opened(s) if alive(self) else None,
                      failed=lambda e: failed(e) if alive(self) else None, label=reading_label(), queue=study)

    def open_output_dialog(self, kind: str) -> bool:
        """Export… / Make report…: the dialog writes the files; the status bar says where."""
        from .export import OutputDialog

        dialog = OutputDialog(self.study, kind, self, icc_form=self.agreement.form)
        if dialog.exec() != OutputDialog.DialogCode.Accepted:
            return False
        where = ", ".join(str(p) for p in dialog.written)
        message = self.tr("Exported to {0}") if kind == "export" else self.tr("Report written to {0}")
        self.statusBar().showMessage(message.format(where), 15_000)
        return True

    def closeEvent(self, event) -> None:
        # The tabs stop following the study; a read still running delivers to nobody (short ones
        # finish first, so closing the study after this finds no operation on it).
        self.events.close()
        wait_for_operations(10_000)
        super().closeEvent(event)


def open_console(study: Study, parent: QWidget | None = None) -> ConsoleWindow | None:
    """Ask for the study admin password (set on first use), then show the console."""
    if not unlock(study, parent):
        return None
    try:
        window = ConsoleWindow(study, parent)
    except (RushRaterError, OSError) as exc:
        show_error(parent, QMessageBox.tr("Cannot open the coordinator console"), exc)
        return None
    window.setWindowFlag(Qt.WindowType.Window, True)
    window.show()
    return window
