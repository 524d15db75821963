"""The reading workstation window: AP left, lateral right, the scoring panel, "Case 37 of 240".

Nothing on screen identifies the case: no patient code, time point, case code, file name or
header, and no other rater's score. Scores are taken only on what the rater saw: when an image of
the case fails to load, scoring and Submit are off and the case can only be marked "unreadable:
image failed to load" (the failure is reported to the coordinator). Going back to a submitted case
asks for the rater's PIN again. Keys (the window keeps keyboard focus on the scoring panel):

  1 2 3   score the highlighted item and move on      Tab, arrows   move between items
  Enter   submit (only when all items are scored)       U             image unreadable…
  Backspace  back to the previous case (if the study allows; a change needs a reason)
  P presets · B bone · A auto window · I invert · R reset · F fit · O 1:1 · + - zoom
  L link/unlink the two views · S swap sides · V one view large · M magnifier · F11 full screen
  Ctrl+P pause (images hidden, time stopped; Space resumes) · Ctrl+W log out · Ctrl+Q quit

Every service call runs on the study's operation thread (gui.operations): the window asks for the
first cases while it builds itself, a submit carries the query for the next cases with it (one trip),
and the images of the cases after the current one are decoded meanwhile (loader). Submit is off while
its operation runs; a failed submit leaves the scores on screen with the error; the next case appears
only after the submit committed.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from ...domain.errors import RushRaterError
from ...services.reading import IMAGE_FAILED_REASON, ActiveClock, CaseView, ReadingSession
from ..errors import show_error
from ..i18n import component_label, item_label
from ..operations import run_operation, wait_for_operations
from ..qt import (
    QT_TRANSLATE_NOOP,
    QAction,
    QApplication,
    QCoreApplication,
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from . import training
from .dialogs import UNREADABLE_REASONS, PinCheckDialog, ReasonDialog
from .loader import CaseLoader, PreparedCase
from .scoring import ScoringPanel
from .viewer import ImageViewer

PREFETCH = 2  # cases prepared ahead of the current one

# The RUSH sheet's four subtotals, named short enough to sit beside the total (the rubric's own
# labels, e.g. "Cortical fracture-line disappearance (4 cortices)", are for the console's tables).
COMPONENT_SHORT = {
    "cortical_bridging": QT_TRANSLATE_NOOP("WorkstationWindow", "Cortical bridging"),
    "cortical_fracture_line": QT_TRANSLATE_NOOP("WorkstationWindow", "Cortical fracture line"),
    "trabecular_consolidation": QT_TRANSLATE_NOOP("WorkstationWindow", "Trabecular consolidation"),
    "trabecular_fracture_line": QT_TRANSLATE_NOOP("WorkstationWindow", "Trabecular fracture line"),
}

# benchmarks/run.py (first_case_s) sets this: the window prints the wall-clock time at which the
# first case's images were painted, then quits. A timestamp, so the benchmark can measure from
# the moment it spawned the command.
FIRST_CASE_PROBE = "RUSHRATER_FIRST_CASE_PROBE"


def _report_first_case() -> None:
    if os.environ.get(FIRST_CASE_PROBE):
        print(f"first_case_shown {time.time():.6f}", file=sys.stderr, flush=True)
        QTimer.singleShot(0, QApplication.instance().quit)

@dataclass
class NextCases:
    """What the window needs to show the next case, read on the operation thread."""

    upcoming: list[CaseView]
    progress: tuple[int, int] | None = None  # (done, total), read only when nothing is left to show
    can_go_back: bool | None = None  # known at the start; after a submit it follows the edit policy
    asks_pin: bool | None = None


def next_cases(session: ReadingSession, *, starting: bool = False) -> NextCases:
    """The next cases (the current one first); at the start also whether going back is possible
    and asks for the PIN. Runs on the operation thread."""
    upcoming = session.upcoming(PREFETCH + 1)
    progress = None if upcoming else session.progress()
    if not starting:
        return NextCases(upcoming, progress)
    return NextCases(upcoming, progress, session.can_go_back(), session.asks_pin_for_changes())


STYLE = """
QMainWindow, QWidget#central { background: #1b1c1f; color: #d9dadc; }
QLabel { color: #d9dadc; }
QLabel#caseLabel { font-size: 17pt; font-weight: 600; color: #f0f0f0; }
QLabel#muted, QLabel#hint { color: #8c8f95; }
QLabel#correcting { color: #f2b84b; font-weight: 600; }
QProgressBar { background: #2a2c30; border: none; border-radius: 3px; max-height: 6px; }
QProgressBar::chunk { background: #5a8dee; border-radius: 3px; }
QScrollArea, QScrollArea > QWidget > QWidget { background: #222327; border: none; }
QLabel#groupHeading { color: #9fb7e8; font-weight: 600; padding: 8px 4px 2px 4px; }
QFrame#itemRow { background: #26282c; border: 1px solid #2f3236; border-radius: 6px; }
QFrame#itemRow[current="true"] { border: 2px solid #5a8dee; background: #2b2f38; }
QFrame#itemRow[missing="true"] { border: 2px solid #e0a030; }
QFrame#itemRow[missing="true"][current="true"] { border: 3px solid #8fb4ff; background: #323a4d; }
QLabel#itemTitle { color: #e8e8e8; }
QPushButton#levelButton { background: #303237; color: #c9cacd; border: 1px solid #3a3d42; border-radius: 4px;
    font-size: 12pt; font-weight: 600; }
QLabel#anchor { color: #7f838a; font-size: 8.5pt; }
QLabel#anchor[chosen="true"] { color: #9fb7e8; font-size: 9pt; }
QPushButton#levelButton:checked { background: #3d6fd6; color: white; border-color: #5a8dee; }
QPushButton#levelButton:disabled { background: #24262a; color: #4d5056; border-color: #2c2e33; }
QLabel#itemTitle:disabled { color: #6b6e74; }
QFrame#definitionBox { background: #202125; border: 1px solid #2f3236; border-radius: 6px; }
QLabel#definitionTitle { font-weight: 600; color: #e8e8e8; }
QLabel#definition { color: #b9bbbf; }
QLabel#total { font-size: 15pt; font-weight: 600; color: #f0f0f0; }
QLabel#missingNote { color: #f2b84b; }
QLabel#subtotalName { color: #9a9da3; }
QLabel#subtotal { color: #e8e8e8; font-weight: 600; }
QLabel#pausedPage { background: #000000; color: #c9cacd; font-size: 20pt; }
QMenuBar { background: #1b1c1f; color: #c9cacd; }
QMenuBar::item:selected { background: #2c2e33; }
QMenu { background: #26282c; color: #e8e8e8; border: 1px solid #3a3d42; }
QMenu::item:selected { background: #3d6fd6; color: white; }
QPushButton#submit { background: #3d6fd6; color: white; border: none; border-radius: 5px; padding: 8px 14px;
    font-weight: 600; }
QPushButton#submit:disabled { background: #34363b; color: #7d8086; }
QPushButton#secondary, QToolButton { background: #2c2e33; color: #c9cacd; border: 1px solid #3a3d42;
    border-radius: 4px; padding: 4px 8px; }
QToolButton:checked { background: #3d6fd6; color: white; border-color: #8fb4ff; }
QPushButton#secondary:disabled { color: #5d6066; border-color: #2f3236; }
QWidget#blank { background: #000000; }
"""
# The window's style sheet reaches its dialogs (reason, unreadable, PIN, messages) too: without these
# rules they kept the light default background under the light-grey label text above.
STYLE += """
QDialog { background: #26282c; }
QDialog QLabel, QDialog QRadioButton, QDialog QCheckBox { color: #ececec; background: transparent; }
QDialog QLineEdit { background: #1b1c1f; color: #f0f0f0; border: 1px solid #50545b; border-radius: 4px;
    padding: 4px; }
QDialog QLineEdit:focus { border-color: #8fb4ff; }
QDialog QPushButton { background: #34373c; color: #f0f0f0; border: 1px solid #50545b; border-radius: 4px;
    padding: 5px 14px; }
QDialog QPushButton:default { background: #3d6fd6; border-color: #8fb4ff; color: white; }
QDialog QPushButton:disabled { color: #80838a; }
"""


class WorkstationWindow(QMainWindow):
    """One rater reading their list. ``case_shown`` fires when both images of a case are on screen."""

    case_shown = Signal()
    finished = Signal()
    submitted = Signal(object)  # the CaseView whose rating (or change) has just been committed
    ended = Signal(bool)  # the window closed: True when the rater logged out (the login comes back)

    def __init__(self, session: ReadingSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.case: CaseView | None = None
        self._return_to: CaseView | None = None  # the unread case to come back to after a change
        self._upcoming: list[CaseView] = []
        self.started_at: datetime | None = None
        self.clock = ActiveClock(session.idle_pause_seconds)
        self.linked = True
        self.swapped = False
        self.single: str | None = None  # "left" or "right" when one view is shown large
        self.loader = CaseLoader(session, self)
        self.loader.prepared.connect(self._on_prepared)
        self.loader.failed.connect(self._on_failed)
        self.loader.image_ready.connect(self._on_image_ready)

        self._can_go_back: bool | None = None
        self._asks_pin = True  # until the start says otherwise: never show submitted scores unasked
        self._pending: str | None = None  # "start", "save", "previous", "next": the case is changing
        self._closed = False
        self._first_case_reported = False
        self.paused = False
        self.logged_out = False
        self._leave_confirmed = False  # the rater already said to leave an unsubmitted case
        self.images_failed = False  # an image of the current case did not load: no scores on it
        # Ask for the first cases before building the window: the query and the build overlap,
        # and the images start decoding as soon as the answer is back.
        self._pending = "start"
        loader = self.loader

        def start(_progress) -> NextCases:
            state = next_cases(session, starting=True)
            if state.upcoming:  # the first case's images decode from here, not after the answer's trip
                loader.request(state.upcoming[0])
            return state

        run_operation(self, start, done=self._started, failed=self._start_failed,
                      title=self.tr("RUSH Rater — reading"), queue=session.study)

        self.setWindowTitle(self.tr("RUSH Rater — reading"))
        self.setStyleSheet(STYLE)
        self.resize(1600, 960)
        self._build()
        QApplication.instance().installEventFilter(self)
        # Nothing to score until the first case is there.
        self.panel.setEnabled(False)
        for button in (self.submit_button, self.unreadable_button, self.back_button):
            button.setEnabled(False)

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(8)

        header = QHBoxLayout()
        self.case_label = QLabel()
        self.case_label.setObjectName("caseLabel")
        self.correcting_label = QLabel(self.tr("Changing a submitted case: a reason will be asked"))
        self.correcting_label.setObjectName("correcting")
        self.correcting_label.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(260)
        self.rater_label = QLabel(self.session.rater_name)
        self.rater_label.setObjectName("muted")
        self._build_session_menu()
        self.pause_button = QToolButton()
        self.pause_button.setDefaultAction(self.pause_action)
        self.logout_button = QToolButton()
        self.logout_button.setDefaultAction(self.logout_action)
        for button in (self.pause_button, self.logout_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header.addWidget(self.case_label)
        header.addSpacing(16)
        header.addWidget(self.progress)
        header.addSpacing(12)
        header.addWidget(self.correcting_label)
        header.addStretch(1)
        header.addWidget(self.rater_label)
        header.addSpacing(8)
        header.addWidget(self.pause_button)
        header.addWidget(self.logout_button)
        outer.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(12)
        outer.addLayout(body, 1)

        # Images: a toolbar, then the two viewers; a blank page between cases; a finished page.
        image_side = QVBoxLayout()
        image_side.setSpacing(6)
        toolbar = QHBoxLayout()
        toolbar.setSpacing(4)
        self.tool_buttons: dict[str, QToolButton] = {}
        for key, text, tip, checkable in (
            ("preset", self.tr("Presets (P)"), self.tr("Next window preset: the file's windows, bone, automatic"), False),
            ("bone", self.tr("Bone (B)"), self.tr("Bone window"), False),
            ("auto", self.tr("Auto (A)"), self.tr("Automatic window from this image's values"), False),
            ("invert", self.tr("Invert (I)"), self.tr("Invert grey levels"), True),
            ("fit", self.tr("Fit (F)"), self.tr("Fit the image to its view"), False),
            ("one", self.tr("1:1 (O)"), self.tr("One image pixel per screen pixel"), False),
            ("link", self.tr("Link (L)"), self.tr("Window and zoom change both views together"), True),
            ("swap", self.tr("Swap (S)"), self.tr("Swap the two views left and right"), False),
            ("single", self.tr("One view (V)"), self.tr("Show one view large; again for the other, then both"), True),
            ("magnifier", self.tr("Magnifier (M)"), self.tr("A loupe under the mouse pointer"), True),
            ("reset", self.tr("Reset (R)"), self.tr("Default window, no inversion, fitted"), False),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(checkable)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _c=False, k=key: self.command(k))
            self.tool_buttons[key] = button
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        self.tool_buttons["link"].setChecked(True)
        image_side.addLayout(toolbar)

        self.pages = QStackedWidget()
        viewers_page = QWidget()
        viewers = QHBoxLayout(viewers_page)
        viewers.setContentsMargins(0, 0, 0, 0)
        viewers.setSpacing(6)
        self.viewers = {"AP": ImageViewer(self.tr("AP")), "LAT": ImageViewer(self.tr("Lateral"))}
        self.viewer_layout = viewers
        for view, viewer in self.viewers.items():
            viewers.addWidget(viewer, 1)
            viewer.window_edited.connect(lambda dc, dw, v=view: self._link_window(v, dc, dw))
            viewer.zoom_edited.connect(lambda v=view: self._link_zoom(v))
            viewer.lens_shown.connect(lambda v=view: self._hide_other_lenses(v))
        self.blank = QWidget()
        self.blank.setObjectName("blank")
        self.done_page = QLabel()
        self.done_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_page.setWordWrap(True)
        self.paused_page = QLabel(self.tr("Paused — press Space to resume"))
        self.paused_page.setObjectName("pausedPage")
        self.paused_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_page.setWordWrap(True)
        self.paused_page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keys go to the window, not the form
        self.pages.addWidget(viewers_page)
        self.pages.addWidget(self.blank)
        self.pages.addWidget(self.done_page)
        self.pages.addWidget(self.paused_page)
        self.viewers_page = viewers_page
        image_side.addWidget(self.pages, 1)
        hint = QLabel(self.tr(
            "Right-drag: window/level · wheel: zoom · left-drag: pan · 1–3: score · Tab/arrows: next item · "
            "Enter: submit · U: unreadable"
        ))
        hint.setObjectName("hint")
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        image_side.addWidget(hint)
        body.addLayout(image_side, 1)

        # Scoring: the items, the definitions pane, the total and the actions.
        side = QVBoxLayout()
        side.setSpacing(8)
        self.panel = ScoringPanel(self.session.rubric)
        self.panel.changed.connect(self._on_form_changed)
        self.panel.submit_requested.connect(self.submit)
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side.addWidget(scroll, 1)
        totals = QHBoxLayout()
        self.total_label = QLabel()
        self.total_label.setObjectName("total")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        totals.addWidget(self.total_label)
        totals.addStretch(1)
        totals.addWidget(self.count_label)
        side.addLayout(totals)
        subtotals = QGridLayout()
        subtotals.setHorizontalSpacing(10)
        subtotals.setVerticalSpacing(2)
        self.subtotal_labels: dict[str, QLabel] = {}
        for n, component in enumerate(self.session.rubric.components):
            name = QLabel(self._component_name(component))
            name.setObjectName("subtotalName")
            name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            value = QLabel()
            value.setObjectName("subtotal")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row, column = divmod(n, 2)
            subtotals.addWidget(name, row, 2 * column)
            subtotals.addWidget(value, row, 2 * column + 1)
            self.subtotal_labels[component.key] = value
        subtotals.setColumnStretch(0, 1)
        subtotals.setColumnStretch(2, 1)
        side.addLayout(subtotals)
        self.failed_note = QLabel()
        self.failed_note.setObjectName("missingNote")
        self.failed_note.setWordWrap(True)
        self.failed_note.hide()
        side.addWidget(self.failed_note)
        self.missing_note = QLabel()
        self.missing_note.setObjectName("missingNote")
        self.missing_note.setWordWrap(True)
        self.missing_note.hide()
        side.addWidget(self.missing_note)
        actions = QHBoxLayout()
        self.back_button = QPushButton(self.tr("← Previous case"))
        self.back_button.setObjectName("secondary")
        self.back_button.setToolTip(self.tr("Change the case you submitted last (Backspace)"))
        self.back_button.clicked.connect(self.go_back)
        self.unreadable_button = QPushButton(self.tr("Unreadable… (U)"))
        self.unreadable_button.setObjectName("secondary")
        self.unreadable_button.setToolTip(self.tr("Mark the images unreadable, with a reason"))
        self.unreadable_button.clicked.connect(self.mark_unreadable)
        self.submit_button = QPushButton(self.tr("Submit (Enter)"))
        self.submit_button.setObjectName("submit")
        self.submit_button.clicked.connect(self.submit)
        for button in (self.back_button, self.unreadable_button, self.submit_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        actions.addWidget(self.back_button)
        actions.addWidget(self.unreadable_button)
        actions.addStretch(1)
        actions.addWidget(self.submit_button)
        side.addLayout(actions)
        side_widget = QFrame()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(430)
        body.addWidget(side_widget)
        self.side_widget = side_widget
        # While paused the scores are hidden too; this keeps their column, so nothing jumps.
        self.side_blank = QWidget()
        self.side_blank.setFixedWidth(side_widget.width())
        self.side_blank.hide()
        body.addWidget(self.side_blank)

    def _build_session_menu(self) -> None:
        """Pause, log out and quit: in the window itself (a kiosk may have no window manager)."""
        menu = self.menuBar().addMenu(self.tr("&Session"))
        self.pause_action = QAction(self.tr("Pause"), self)
        self.pause_action.setShortcuts([QKeySequence("Ctrl+P"), QKeySequence(Qt.Key.Key_Pause)])
        self.pause_action.setToolTip(self.tr("Hide the images and stop the clock (Ctrl+P); Space resumes"))
        self.pause_action.setCheckable(True)  # checked while paused: the button shows the state
        self.pause_action.triggered.connect(self.toggle_pause)
        self.logout_action = QAction(self.tr("Log out"), self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+W"))
        self.logout_action.setToolTip(self.tr("Hide the images and go back to the login (Ctrl+W)"))
        self.logout_action.triggered.connect(self.log_out)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setToolTip(self.tr("Close the workstation (Ctrl+Q); submitted scores are already stored"))
        self.quit_action.triggered.connect(self.quit)
        for action in (self.pause_action, self.logout_action, self.quit_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            menu.addAction(action)
            self.addAction(action)  # the shortcuts work with the menu bar hidden (full screen) too

    def _component_name(self, component) -> str:
        short = COMPONENT_SHORT.get(component.key)
        return QCoreApplication.translate("WorkstationWindow", short) if short else component_label(component)

    # -- pause, log out, quit --------------------------------------------------------------------

    def toggle_pause(self) -> None:
        self.resume() if self.paused else self.pause()

    def pause(self) -> None:
        """Images and scores hidden, active time stopped, until Space (or Ctrl+P) resumes."""
        if self.paused:
            return
        self.paused = True
        self._page_before_pause = self.pages.currentWidget()
        self.pages.setCurrentWidget(self.paused_page)
        self.side_widget.hide()
        self.side_blank.show()
        for button in self.tool_buttons.values():
            button.setEnabled(False)
        self.clock.set_focused(False)
        self.pause_action.setChecked(True)
        self.paused_page.setFocus()

    def resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        self.pages.setCurrentWidget(self._page_before_pause)
        self.side_blank.hide()
        self.side_widget.show()
        for button in self.tool_buttons.values():
            button.setEnabled(True)
        self.clock.set_focused(True)  # the rater pressed a key here: they are back
        self.pause_action.setChecked(False)
        self.panel.setFocus()

    def _set_page(self, page: QWidget) -> None:
        """Show ``page``, or, while paused, keep the pause screen and show it on resuming."""
        if self.paused:
            self._page_before_pause = page
        else:
            self.pages.setCurrentWidget(page)

    def unsubmitted(self) -> bool:
        """Scores on the form that are not stored (the case is read again next time if left)."""
        if self.case is None:
            return False
        return dict(self.panel.values) != dict(self.case.previous_values or {})

    def _confirm_leave(self) -> bool:
        if self._leave_confirmed or not self.unsubmitted():
            return True
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Leave this case?"),
                          self.tr("The scores on this case are not submitted and will not be kept."), parent=self)
        box.setInformativeText(self.tr("Every case you submitted is stored. This case is shown again next time."))
        leave = box.addButton(self.tr("Leave without submitting"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(self.tr("Keep reading"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.exec()
        self._leave_confirmed = box.clickedButton() is leave
        if not self._leave_confirmed:
            self.panel.setFocus()
        return self._leave_confirmed

    def _finish_saving(self) -> None:
        """Let a submit in flight commit (and the next case come) before asking about leaving."""
        if self._pending == "save":
            wait_for_operations(30_000)

    def quit(self) -> bool:
        """Ctrl+Q: close (``rushrater read`` then ends), after asking about an unsubmitted case."""
        self._finish_saving()
        if not self._confirm_leave():
            return False
        return self.close()

    def log_out(self) -> bool:
        """Hide the images and close; the login comes back for the next rater (see open_workstation)."""
        self._finish_saving()
        if not self._confirm_leave():
            return False
        self.logged_out = True
        return self.close()

    # -- cases -----------------------------------------------------------------------------------

    def _request(self, upcoming: list[CaseView]) -> None:
        self._upcoming = upcoming
        self.loader.keep_only({c.key for c in upcoming})
        if upcoming:
            self.loader.request(upcoming[0])
            if self.loader.get(upcoming[0].key) is not None:
                self._prefetch_rest()
            # else: the rest waits until the current case is ready, so nothing competes with it

    def _prefetch_rest(self) -> None:
        for case in self._upcoming[1:]:
            self.loader.request(case)

    def can_go_back(self) -> bool:
        # Read with the first cases; after a submit the answer is known (the edit policy).
        return bool(self._can_go_back)

    @property
    def busy(self) -> bool:
        """An operation that changes the case (start, submit, going back) is running."""
        return self._pending is not None

    @property
    def saving(self) -> bool:
        """A submit (or a change, or an unreadable mark) is on its way to the database."""
        return self._pending == "save"

    def _alive(self) -> bool:
        return not self._closed

    def _started(self, state: NextCases) -> None:
        self._pending = None
        if not self._alive():
            return
        self._can_go_back = state.can_go_back
        self._asks_pin = bool(state.asks_pin)
        self.advance(state)

    def _start_failed(self, exc: BaseException) -> None:
        self._pending = None
        if not self._alive():
            return
        message = exc.message if isinstance(exc, RushRaterError) else str(exc)
        for viewer in self.viewers.values():
            viewer.clear(self.tr("The reading list could not be read: {0}").format(message))
        show_error(self, self.tr("The reading list could not be read"), exc)

    def advance(self, state: NextCases | None = None) -> None:
        """Show the first unfinished case (after the blank screen, if the study asks for one).

        Without ``state`` the next cases are read first (on the operation thread)."""
        self._return_to = None
        if state is None:
            self._pending = "next"
            run_operation(self, lambda _p: next_cases(self.session), done=self._next_read,
                          failed=self._next_failed, title=self.tr("RUSH Rater — reading"), queue=self.session.study)
            return
        upcoming = state.upcoming
        self._request(upcoming)
        if not upcoming:
            self._show_finished(state.progress)
            return
        blank = self.session.blank_screen_ms
        if blank > 0 and self.case is not None:
            self.case = None
            self._set_page(self.blank)
            QTimer.singleShot(blank, lambda: self._show(upcoming[0]))
        else:
            self._show(upcoming[0])

    def _next_read(self, state: NextCases) -> None:
        self._pending = None
        if self._alive():
            self.advance(state)

    def _next_failed(self, exc: BaseException) -> None:
        self._pending = None
        if self._alive():
            show_error(self, self.tr("The next case could not be read"), exc)

    def _show(self, case: CaseView) -> None:
        self.case = case
        self._set_page(self.viewers_page)
        self.panel.reset(dict(case.previous_values or {}))
        self.missing_note.hide()
        self.correcting_label.setVisible(case.correcting)
        self.case_label.setText(self.tr("Case {0} of {1}").format(case.number, case.total))
        training.mark_case(self, case)
        if not case.correcting:  # the case number says how many are done: no query needed
            done, total = case.number - 1, case.total
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setToolTip(self.tr("{0} of {1} cases done").format(done, total))
        self.back_button.setVisible(self.session.edit_policy == "previous")
        self.back_button.setEnabled(not case.correcting and self.can_go_back())
        self.unreadable_button.setEnabled(True)
        self._set_images_failed(False)
        prepared = self.loader.get(case.key)
        failure = self.loader.failure(case.key)
        if prepared is not None:
            self._put_images(prepared)
        else:
            # Some images may be ready already (their signal can arrive before this case is shown).
            self._show_loading(self.loader.images_ready(case.key), len(case.images))
        if failure is not None:  # failed while prefetched, before it was shown
            self._on_failed(case.key, *failure)
        elif self.session.images_failed(case):
            self._set_images_failed(True)
        self.started_at = datetime.now(timezone.utc)
        self.clock.restart(focused=(self.isActiveWindow() or not self.isVisible()) and not self.paused)
        if not self.paused:
            self.panel.setFocus()

    def _put_images(self, prepared: PreparedCase) -> None:
        for view, viewer in self.viewers.items():
            image = prepared.images.get(view)
            if image is None:
                viewer.clear(self.tr("No {0} image in this case").format(viewer.caption))
            else:
                viewer.set_image(image)
        self.tool_buttons["invert"].setChecked(False)
        for viewer in self.viewers.values():
            viewer.view.repaint()
        if not self._first_case_reported:
            self._first_case_reported = True
            _report_first_case()
        self.case_shown.emit()

    def _show_loading(self, ready: int, count: int) -> None:
        """Say how far the case's images are, so a slow first case is not a black screen."""
        text = self.tr("Loading this case's images… {0} of {1} ready").format(ready, count)
        for viewer in self.viewers.values():
            viewer.clear(text)

    def _on_image_ready(self, key: int, ready: int, count: int) -> None:
        if self.case is not None and key == self.case.key and self.viewers["AP"].prepared is None:
            self._show_loading(ready, count)

    def _on_prepared(self, prepared: PreparedCase) -> None:
        if self._upcoming and prepared.case.key == self._upcoming[0].key:
            self._prefetch_rest()
        if self.case is not None and prepared.case.key == self.case.key and self.viewers["AP"].prepared is None:
            self._put_images(prepared)

    def _on_failed(self, key: int, view: str, error: object) -> None:
        if self.case is None or key != self.case.key:
            return  # a prefetched case: handled when it is shown (the loader remembers)
        message = error.message if isinstance(error, RushRaterError) else str(error)
        for viewer in self.viewers.values():
            viewer.clear(self.tr("This case's images cannot be shown: {0}").format(message))
        case = self.case
        # The coordinator sees it in the console; the session refuses scores for this case (the
        # report runs on the operation thread before any later submit of this case).
        run_operation(self, lambda _p: self.session.report_image_failure(case, view, message),
                      failed=lambda exc: self._alive() and show_error(
                          self, self.tr("The failure could not be recorded"), exc),
                      queue=self.session.study)
        self._set_images_failed(True)

    def _set_images_failed(self, failed: bool) -> None:
        """No scores on a case the rater did not see: scoring and Submit off, unreadable offered."""
        self.images_failed = failed
        self.panel.setEnabled(not failed and self.case is not None)
        self.submit_button.setEnabled(not failed and self._pending != "save")
        self.failed_note.setVisible(failed)
        if failed:
            self.failed_note.setText(self.tr(
                "The images of this case did not load, so it cannot be scored. The study coordinator is told. "
                "Press U to mark it “unreadable: image failed to load” and go on."
            ))
            self.unreadable_button.setFocus()

    def _show_finished(self, progress: tuple[int, int] | None) -> None:
        self.case = None
        done, total = progress if progress is not None else (0, 0)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.case_label.setText(self.tr("All done"))
        self.correcting_label.hide()  # e.g. Esc on a reopened case after the last one
        if done < total:
            text = self.tr(
                "You have scored every case available now.\n{0} re-read cases open after their waiting period."
            ).format(total - done)
        else:
            text = self.tr("You have scored all {0} cases. Thank you.").format(total)
        self.done_page.setText(text)
        self._set_page(self.done_page)
        # The form kept the last case's scores: clear it, so the next person at the workstation
        # does not see them.
        self.panel.reset({})
        self.panel.setEnabled(False)
        self.failed_note.hide()
        self.missing_note.hide()
        self.submit_button.setEnabled(False)
        self.unreadable_button.setEnabled(False)
        self.back_button.setEnabled(self.can_go_back())
        self.finished.emit()

    # -- scoring ---------------------------------------------------------------------------------

    def _on_form_changed(self) -> None:
        scored = len(self.panel.values)
        count = len(self.panel.keys)
        self.total_label.setText(self.tr("Total {0}").format(self.panel.total if scored else "–"))
        self.count_label.setText(self.tr("{0} of {1} scored · range {2}–{3}").format(
            scored, count, self.session.rubric.min_total, self.session.rubric.max_total))
        for component in self.session.rubric.components:
            keys = [i.key for i in self.session.rubric.items if i.component == component.key]
            scored_here = [self.panel.values[k] for k in keys if k in self.panel.values]
            high = self.session.rubric.component_range(component.key)[1]
            value = str(sum(scored_here)) if scored_here else "–"
            self.subtotal_labels[component.key].setText(f"{value} / {high}")
        if self.missing_note.isVisible():
            if self.panel.complete:
                self.missing_note.hide()
            else:  # the list follows as items are scored
                self._show_missing_note(self.panel.missing())

    def _show_missing_note(self, missing) -> None:
        names = self.tr(", ").join(item_label(item) for item in missing)
        self.missing_note.setText(self.tr("Still to score ({0}): {1}").format(len(missing), names))

    def viewer_state(self) -> dict:
        return {
            **{view: viewer.state() for view, viewer in self.viewers.items() if viewer.prepared is not None},
            "linked": self.linked,
            "swapped": self.swapped,
            "single": self.single,
        }

    def submit(self) -> bool:
        """Store the form; the next case shows once it is committed. Refused, with what is missing, if
        incomplete; refused while a submit runs (no double submit). True when the submit started."""
        if self.case is None or self.images_failed or self._pending is not None:
            return False
        missing = self.panel.show_missing()
        if missing:
            self._show_missing_note(missing)
            self.missing_note.show()
            return False
        return self._store(dict(self.panel.values))

    def _store(self, values: dict | None, unreadable: str | None = None) -> bool:
        case = self.case
        session = self.session
        if case.correcting:
            dialog = ReasonDialog(
                self.tr("Why change this case?"),
                self.tr("The score you submitted is kept; the change is stored as a new version with your reason."),
                parent=self,
            )
            if not dialog.exec():
                return False
            reason, active = dialog.reason(), self.clock.seconds()

            def write():
                return session.correct(case, values, reason=reason, active_seconds=active, unreadable_reason=unreadable)
        else:
            started_at, active, state = self.started_at, round(self.clock.seconds(), 2), self.viewer_state()

            def write():
                return session.submit(case, values, started_at=started_at, active_seconds=active,
                                      viewer_state=state, unreadable_reason=unreadable)

        def save(_progress):
            result = write()  # committed when this returns
            try:  # the next cases in the same trip; if that read fails, the score is still stored
                return result, next_cases(session)
            except Exception:  # noqa: BLE001 (advance() reads them again and shows why it failed)
                return result, None

        if case.training:
            self.training_feedback = None  # the last case's (closed) feedback; this case's comes with the answer
        self._set_saving(True)
        run_operation(self, save, done=lambda answer: self._stored(case, *answer),
                      failed=lambda exc: self._store_failed(exc), title=self.tr("RUSH Rater — reading"),
                      queue=session.study)
        return True

    def _set_saving(self, saving: bool) -> None:
        self._pending = "save" if saving else None
        has_case = self.case is not None
        self.submit_button.setEnabled(not saving and has_case and not self.images_failed)
        self.unreadable_button.setEnabled(not saving and has_case)
        self.back_button.setEnabled(not saving and self.can_go_back() and not (has_case and self.case.correcting))

    def _stored(self, case: CaseView, result, state: NextCases | None) -> None:
        self._set_saving(False)
        self._can_go_back = self.session.edit_policy == "previous"
        self.submitted.emit(case)
        if not self._alive():
            return
        self.advance(state)
        if case.training:
            training.show_feedback(self, result)

    def _store_failed(self, exc: BaseException) -> None:
        # The scores stay on the form: the rater submits again, or goes on after reading the error.
        self._set_saving(False)
        if self._alive():
            show_error(self, self.tr("The score was not saved"), exc)
            self.panel.setFocus()

    def mark_unreadable(self) -> bool:
        if self.case is None or self._pending is not None:
            return False
        if self.images_failed:  # the one reason that fits; Enter confirms it
            dialog = ReasonDialog(
                self.tr("Images unreadable"),
                self.tr("The images of this case did not load. It is kept as unreadable with this reason."),
                (IMAGE_FAILED_REASON,),
                parent=self,
                chosen=0,
            )
        else:
            dialog = ReasonDialog(
                self.tr("Images unreadable"),
                self.tr("Why can this case not be scored? It is kept with your reason and left out of the analysis."),
                UNREADABLE_REASONS,
                parent=self,
            )
        if not dialog.exec():
            self.panel.setFocus()
            return False
        reason = IMAGE_FAILED_REASON if self.images_failed else dialog.reason()
        return self._store(None, reason)

    def go_back(self) -> bool:
        """Reopen the case submitted last, after the rater types their PIN again (if they have one).
        True when it is being opened (it shows when the PIN was checked)."""
        if self._pending is not None:
            return False
        if self.case is not None and self.case.correcting:
            return False
        if not self.can_go_back():
            return False
        pin = None
        if self._asks_pin:
            dialog = PinCheckDialog(self.session.rater_name, self)
            if not dialog.exec():
                self.panel.setFocus()
                return False
            pin = dialog.pin.text()
        self._pending = "previous"
        session = self.session
        run_operation(self, lambda _p: session.previous(pin), done=self._opened_previous,
                      failed=self._previous_failed, title=self.tr("RUSH Rater — reading"), queue=session.study)
        return True

    def _opened_previous(self, previous: CaseView | None) -> None:
        self._pending = None
        if previous is None or not self._alive():
            return
        self._return_to = self.case
        self.loader.request(previous)
        self._show(previous)

    def _previous_failed(self, exc: BaseException) -> None:
        self._pending = None
        if not self._alive():
            return
        show_error(self, self.tr("The case was not opened"), exc)
        self.panel.setFocus()

    def cancel_change(self) -> None:
        if self.case is not None and self.case.correcting and self._pending is None:
            self.advance()

    # -- view commands ---------------------------------------------------------------------------

    def _targets(self, view: str | None = None) -> list[ImageViewer]:
        if self.linked or view is None:
            return [v for v in self.viewers.values() if v.prepared is not None]
        return [self.viewers[view]]

    def command(self, key: str) -> None:
        viewers = [v for v in self.viewers.values() if v.prepared is not None]
        if key == "preset":
            chosen = viewers[0].next_preset() if viewers else ""
            for viewer in viewers[1:]:
                if not viewer.apply_preset(chosen):
                    viewer.next_preset()
        elif key in ("bone", "auto"):
            for viewer in viewers:
                viewer.apply_preset(key)
        elif key == "invert":
            invert = not (viewers[0].invert if viewers else False)
            for viewer in viewers:
                viewer.set_invert(invert)
            self.tool_buttons["invert"].setChecked(invert)
        elif key == "fit":
            for viewer in viewers:
                viewer.fit()
        elif key == "one":
            for viewer in viewers:
                viewer.one_to_one()
        elif key == "zoom_in" or key == "zoom_out":
            for viewer in viewers:
                viewer.zoom_by(1.25 if key == "zoom_in" else 0.8)
        elif key == "link":
            self.linked = not self.linked
            self.tool_buttons["link"].setChecked(self.linked)
        elif key == "swap":
            self.swapped = not self.swapped
            self._arrange()
        elif key == "single":
            self.single = {None: "left", "left": "right", "right": None}[self.single]
            self._arrange()
        elif key == "magnifier":
            on = not self.viewers["AP"].magnifier_on
            self.tool_buttons["magnifier"].setChecked(on)
            for viewer in self.viewers.values():
                viewer.set_magnifier(on)
        elif key == "reset":
            self.tool_buttons["invert"].setChecked(False)
            for viewer in viewers:
                viewer.reset()
        elif key == "fullscreen":
            self.showNormal() if self.isFullScreen() else self.showFullScreen()
        self.panel.setFocus()

    def _arrange(self) -> None:
        order = ["LAT", "AP"] if self.swapped else ["AP", "LAT"]
        for view in order:
            self.viewer_layout.removeWidget(self.viewers[view])
        for view in order:
            self.viewer_layout.addWidget(self.viewers[view], 1)
        left, right = (self.viewers[v] for v in order)
        left.setVisible(self.single != "right")
        right.setVisible(self.single != "left")
        self.tool_buttons["single"].setChecked(self.single is not None)
        for viewer in self.viewers.values():
            if not viewer.isVisible():
                viewer.loupe.hide()

    def _hide_other_lenses(self, source: str) -> None:
        for view, viewer in self.viewers.items():
            if view != source:
                viewer.loupe.hide()

    def _link_window(self, source: str, d_center: float, d_width: float) -> None:
        if not self.linked:
            return
        for view, viewer in self.viewers.items():
            if view != source:
                viewer.apply_window_delta(d_center, d_width)

    def _link_zoom(self, source: str) -> None:
        if not self.linked:
            return
        state = self.viewers[source].zoom_state()
        for view, viewer in self.viewers.items():
            if view != source and viewer.isVisible():
                viewer.set_zoom_state(state)

    # -- keyboard, activity, closing ---------------------------------------------------------

    KEYS = {
        Qt.Key.Key_P: "preset",
        Qt.Key.Key_B: "bone",
        Qt.Key.Key_A: "auto",
        Qt.Key.Key_I: "invert",
        Qt.Key.Key_F: "fit",
        Qt.Key.Key_O: "one",
        Qt.Key.Key_L: "link",
        Qt.Key.Key_S: "swap",
        Qt.Key.Key_V: "single",
        Qt.Key.Key_M: "magnifier",
        Qt.Key.Key_R: "reset",
        Qt.Key.Key_Plus: "zoom_in",
        Qt.Key.Key_Equal: "zoom_in",
        Qt.Key.Key_Minus: "zoom_out",
        Qt.Key.Key_F11: "fullscreen",
    }

    def keyPressEvent(self, event) -> None:
        key = event.key()
        # The session shortcuts also when Qt's shortcut map passed the key on (the window is not
        # the active one, e.g. on a kiosk without a window manager).
        pressed = QKeySequence(event.keyCombination())
        for action in (self.pause_action, self.logout_action, self.quit_action):
            if any(pressed.matches(s) == QKeySequence.SequenceMatch.ExactMatch for s in action.shortcuts()):
                action.trigger()
                event.accept()
                return
        if self.paused:  # nothing scores or moves while paused: only resuming
            if key == Qt.Key.Key_Space:
                self.resume()
            event.accept()
            return
        if key == Qt.Key.Key_U:
            self.mark_unreadable()
        elif key == Qt.Key.Key_Backspace:
            self.go_back()
        elif key == Qt.Key.Key_Escape:
            if self.case is not None and self.case.correcting:
                self.cancel_change()
            elif self.isFullScreen():
                self.showNormal()
            elif self.single is not None:
                self.single = None
                self._arrange()
        elif key in self.KEYS:
            self.command(self.KEYS[key])
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel):
            self.clock.activity()
        return False

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.ActivationChange:
            # Time stops while another window is in front (and restarts when the rater is back).
            self.clock.set_focused(self.isActiveWindow() and not self.paused)
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        # Every submitted score is already committed; an unsubmitted form is read again next time
        # (the case is still the first unfinished one), after the rater says so.
        # The window manager's close button asks like Ctrl+Q does (a close from code has asked already).
        if event.spontaneous():
            self._finish_saving()
            if not self._confirm_leave():
                event.ignore()
                return
        # Nothing of the case stays on screen while the window goes (or the login comes back).
        self.pages.setCurrentWidget(self.blank)
        self.panel.reset({})
        QApplication.instance().removeEventFilter(self)
        # A submit in flight commits before the study may be closed; what comes back after this is
        # not shown (the window is going).
        self._closed = True
        wait_for_operations(30_000)
        self.loader.shutdown()
        super().closeEvent(event)
        self.ended.emit(self.logged_out)
