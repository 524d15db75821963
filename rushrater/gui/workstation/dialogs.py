"""The workstation's dialogs: log in (study + rater + PIN), why an image is unreadable, why a change."""

from __future__ import annotations

from pathlib import Path

from ...services.reading import PinError, RaterChoice, ReadingSession, raters_for_login
from ...services.study import Study, open_study
from ..errors import describe
from ..operations import run_operation
from ..qt import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSettings,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ..recent import RecentStudies


class LoginDialog(QDialog):
    """Pick the study (recent list or a folder), your name, and type your PIN.

    A rater who has no PIN yet in a study with several raters chooses one here (typed twice)
    before their first case. The list shows names and groups only: this dialog is on a shared
    workstation, and another rater's progress is the coordinator's to see (console, start window).

    On accept, :attr:`session` is the logged-in :class:`ReadingSession` (its study stays open).
    Opening a study and checking the PIN run on the operation thread; the dialog closes once the
    login succeeded (Start reading is off meanwhile).
    """

    def __init__(
        self,
        settings: QSettings | None = None,
        *,
        study_path: Path | None = None,
        rater: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("RUSH Rater — start reading"))
        self.setMinimumSize(760, 440)
        self.setStyleSheet("QListWidget::item { padding: 5px 4px; }")
        self._settings = settings if settings is not None else QSettings()
        self.recent = RecentStudies(self._settings)
        self.study: Study | None = None
        self.session: ReadingSession | None = None
        self._choices: list[RaterChoice] = []
        self._opening = 0  # which study selection an answer belongs to (older answers are dropped)
        self._logging_in = False
        self._done = False

        heading = QLabel(self.tr("Who is reading?"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)

        self.studies = QListWidget()
        self.studies.setObjectName("studyList")
        self.studies.currentItemChanged.connect(self._on_study_selected)
        browse = QPushButton(self.tr("Open another study…"))
        browse.clicked.connect(self._browse)
        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Study")))
        left.addWidget(self.studies, 1)
        left.addWidget(browse)

        self.raters = QListWidget()
        self.raters.setObjectName("raterList")
        self.raters.currentItemChanged.connect(self._on_rater_selected)
        self.raters.itemActivated.connect(lambda _item: self.accept())
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin_label = QLabel(self.tr("Your PIN"))
        self.pin_again = QLineEdit()
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setPlaceholderText(self.tr("The same PIN again"))
        self.pin_again.returnPressed.connect(self.accept)
        self.pin.returnPressed.connect(self._pin_entered)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Your name")))
        right.addWidget(self.raters, 1)
        right.addWidget(self.pin_label)
        right.addWidget(self.pin)
        right.addWidget(self.pin_again)

        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton(self.tr("Start reading"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(columns, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

        self._wanted_rater = rater
        paths = [e.path for e in self.recent.entries() if e.exists]
        if study_path is not None:
            study_path = Path(study_path).expanduser().absolute()
            if study_path not in paths:
                paths.insert(0, study_path)
        titles = {e.path: e.title for e in self.recent.entries()}
        for path in paths:
            item = QListWidgetItem(titles.get(path) or path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.studies.addItem(item)
        if self.studies.count():
            wanted = 0
            if study_path is not None:
                wanted = paths.index(study_path)
            self.studies.setCurrentRow(wanted)
        self._update_pin()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a study folder"))
        if folder:
            item = QListWidgetItem(Path(folder).name)
            item.setData(Qt.ItemDataRole.UserRole, str(Path(folder).absolute()))
            item.setToolTip(folder)
            self.studies.insertItem(0, item)
            self.studies.setCurrentRow(0)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _close_study(self) -> None:
        if self.study is not None and (self.session is None or self.session.study is not self.study):
            self.study.close()
        self.study = None

    def _on_study_selected(self, current: QListWidgetItem | None, _previous=None) -> None:
        self._close_study()
        self.raters.clear()
        self._choices = []
        self._show_problem("")
        self._update_pin()
        self._opening += 1
        if current is None:
            return
        opening, path = self._opening, current.data(Qt.ItemDataRole.UserRole)
        run_operation(self, lambda _p: _open_for_login(path),
                      done=lambda answer: self._study_opened(opening, current, *answer),
                      failed=lambda exc: self._study_failed(opening, exc))

    def _study_failed(self, opening: int, exc: BaseException) -> None:
        if opening != self._opening or self._done:
            return
        message, details = describe(exc)  # a study that cannot be opened: said here, not in a box
        self._show_problem(f"{message} {details}")

    def _study_opened(self, opening: int, current: QListWidgetItem, study: Study, choices: list[RaterChoice]) -> None:
        if opening != self._opening or self._done:  # another study was chosen meanwhile, or the dialog closed
            study.close()
            return
        self.study, self._choices = study, choices
        self.recent.add(self.study.root, self.study.title)
        current.setText(self.study.title)
        wanted_row = None
        for n, choice in enumerate(self._choices):
            # Names and groups only: no other rater's progress on a shared workstation.
            item = QListWidgetItem(f"{choice.name}   ·   {choice.group}")
            item.setData(Qt.ItemDataRole.UserRole, choice.code)
            self.raters.addItem(item)
            if self._wanted_rater and self._wanted_rater.lower() in (choice.code.lower(), choice.name.lower()):
                wanted_row = n
        if wanted_row is None:  # a rater who needs no PIN (the demo's Demo Reader), else the first
            wanted_row = next((n for n, c in enumerate(self._choices) if not c.has_pin and not c.must_set_pin), 0)
        if self._choices:
            self.raters.setCurrentRow(wanted_row)

    def _choice(self) -> RaterChoice | None:
        row = self.raters.currentRow()
        return self._choices[row] if 0 <= row < len(self._choices) else None

    def _on_rater_selected(self, *_args) -> None:
        self._show_problem("")
        self._update_pin()

    def _update_pin(self) -> None:
        choice = self._choice()
        choosing = bool(choice and choice.must_set_pin)
        needs = bool(choice and choice.has_pin) or choosing
        self.pin.setVisible(needs)
        self.pin_label.setVisible(needs)
        self.pin_again.setVisible(choosing)
        self.pin_label.setText(
            self.tr("You have no PIN yet. Choose one (4 to 32 characters); only you will know it")
            if choosing else self.tr("Your PIN")
        )
        self.pin.setPlaceholderText(self.tr("New PIN") if choosing else self.tr("PIN"))
        self.pin.clear()
        self.pin_again.clear()
        if needs:
            self.pin.setFocus()
        else:
            self.raters.setFocus()
        self.start_button.setEnabled(choice is not None)

    def _pin_entered(self) -> None:
        if self.pin_again.isVisible():
            self.pin_again.setFocus()
        else:
            self.accept()

    def accept(self) -> None:
        choice = self._choice()
        if self.study is None or choice is None or self._logging_in:
            return
        study, code = self.study, choice.code
        if choice.must_set_pin:
            if self.pin.text() != self.pin_again.text():
                self._show_problem(self.tr("The two PINs differ. Type the same PIN twice."))
                self.pin_again.clear()
                self.pin.selectAll()
                self.pin.setFocus()
                return
            new_pin = self.pin.text()

            def log_in(_progress):
                return ReadingSession.login(study, code, new_pin=new_pin)
        else:
            pin = self.pin.text() or None

            def log_in(_progress):
                return ReadingSession.login(study, code, pin)

        self._logging_in = True
        self.start_button.setEnabled(False)
        self._show_problem("")
        run_operation(self, log_in, done=self._logged_in, failed=self._login_failed, queue=study)

    def _logged_in(self, session: ReadingSession) -> None:
        self._logging_in = False
        if self._done or session.study is not self.study:
            return
        self.session = session
        self._done = True
        super().accept()

    def _login_failed(self, exc: BaseException) -> None:
        self._logging_in = False
        if self._done:
            return
        self.start_button.setEnabled(self._choice() is not None)
        if isinstance(exc, PinError):
            self._show_problem(f"{exc.message}. {exc.fix or ''}")
            self.pin.selectAll()
            self.pin.setFocus()
        else:
            message, details = describe(exc)
            self._show_problem(f"{message} {details}")

    def reject(self) -> None:
        self._done = True
        self._close_study()
        super().reject()


def _open_for_login(path: str) -> tuple[Study, list[RaterChoice]]:
    """Open a study and list who may read in it (the operation thread)."""
    study = open_study(path)
    try:
        return study, raters_for_login(study)
    except BaseException:
        study.close()
        raise


class PinCheckDialog(QDialog):
    """Type your PIN again before a submitted case is shown and opened for change."""

    def __init__(self, rater_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Change a submitted case"))
        layout = QVBoxLayout(self)
        label = QLabel(self.tr("{0}, type your PIN to see and change the case you submitted.").format(rater_name))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        layout.addWidget(self.pin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.pin.setFocus()


UNREADABLE_REASONS = (
    "Image quality too poor to judge",
    "Fracture region not visible or cut off",
    "Wrong or missing view",
)


class ReasonDialog(QDialog):
    """Ask why: an unreadable image (common reasons offered) or a change to a submitted case."""

    def __init__(self, title: str, prompt: str, choices: tuple[str, ...] = (), parent: QWidget | None = None,
                 chosen: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.group = QButtonGroup(self)
        self.options: list[QRadioButton] = []
        for n, choice in enumerate(choices, start=1):
            option = QRadioButton(f"&{n}  {self.tr(choice)}")
            option.setProperty("reason", self.tr(choice))
            self.group.addButton(option)
            self.options.append(option)
            layout.addWidget(option)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("In your own words…") if choices else self.tr("Reason"))
        self.text.textEdited.connect(self._typed)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.group.buttonClicked.connect(lambda _b: self._update())
        layout.addWidget(buttons)
        self.text.setFocus()
        if chosen is not None:
            self.options[chosen].setChecked(True)
            self.ok.setDefault(True)
            self.ok.setFocus()
        self._update()

    def _typed(self, _text: str) -> None:
        if self.text.text().strip():
            checked = self.group.checkedButton()
            if checked is not None:
                self.group.setExclusive(False)
                checked.setChecked(False)
                self.group.setExclusive(True)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        typed = self.text.text().strip()
        if typed:
            return typed
        checked = self.group.checkedButton()
        return str(checked.property("reason")) if checked is not None else ""
