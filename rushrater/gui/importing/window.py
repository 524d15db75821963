"""The import window: import folders with progress, read the report, assign what needs it, and draw
redaction rectangles over burned-in text (per image, or per template: every image of a device and
size).

Every service call (the import, the lists, an image's pixels, assigning, discarding, masking) runs
as an operation on the study's operation thread (:func:`..operations.run_operation`), never on the
GUI thread. The image list follows the study: a write that touches its images or cases (from this
window or any other) reloads it. Rectangles are pyqtgraph ``RectROI`` items over the image, in image
pixel coordinates (``imageAxisOrder='row-major'``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg

from ...domain.changes import Changes, Entity
from ...domain.errors import RushRaterError
from ...services import redaction as redaction_service
from ...services import staging
from ...services.imports import import_images
from ...services.study import Study
from ..errors import show_error
from ..i18n import plural
from ..operations import Operation, StudyEvents, ViewLoader, run_operation, wait_for_operations
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QShortcut,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
    Slot,
)
from ..radiograph_view import RadiographView

REPORT_COLUMNS = ("#", "File", "Result", "Patient", "Time point", "View", "Case", "Reason")
IMAGE_COLUMNS = ("Image", "Status", "Patient", "Time point", "View", "Size", "Masked", "Why")


def _image_lists(study: Study) -> tuple[list, list, list[str], list[str]]:
    """What the images tab shows: images to assign, images in cases, patient codes, time points."""
    return (staging.list_staged(study), staging.list_placed(study), staging.patient_codes(study),
            staging.timepoint_keys(study))


def _item(text: object) -> QTableWidgetItem:
    cell = QTableWidgetItem("" if text is None else str(text))
    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return cell


class RedactionView(QWidget):
    """One image with its redaction rectangles (pyqtgraph RectROI, image pixel coordinates), on the
    shared radiograph view (window/level with the right mouse button, pan, zoom, invert)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.radiograph = RadiographView(parent=self)
        # Rectangles go into the view box: its coordinates are the image's full-resolution pixels.
        self.view = self.radiograph.box
        self.image_item = self.radiograph.item
        layout.addWidget(self.radiograph)
        self.rois: list[pg.RectROI] = []
        self.shape: tuple[int, int] | None = None

    def show_pixels(self, pixels: np.ndarray, attributes) -> None:
        # The whole value range unless the file has its own window: burned-in text is never clipped.
        self.radiograph.show_pixels(pixels, attributes, start="full")
        self.shape = pixels.shape
        self.clear_rectangles()

    def clear(self) -> None:
        self.radiograph.clear()
        self.shape = None
        self.clear_rectangles()

    def show_masked(self, rects: list) -> None:
        """Outline rectangles already burned into the stored pixels (read-only, dashed)."""
        for x, y, w, h in rects:
            outline = pg.RectROI((x, y), (w, h), movable=False, resizable=False, rotatable=False,
                                 pen=pg.mkPen((120, 200, 255), width=1, style=Qt.PenStyle.DashLine))
            for handle in outline.getHandles():
                outline.removeHandle(handle)
            self.view.addItem(outline)
            self.rois.append(outline)
            outline.setProperty("masked", True)

    def add_rectangle(self) -> None:
        if self.shape is None:
            return
        rows, columns = self.shape
        w, h = max(8, columns // 4), max(8, rows // 10)
        roi = pg.RectROI((columns // 20, rows // 20), (w, h), pen=pg.mkPen((255, 190, 0), width=2),
                         maxBounds=pg.QtCore.QRectF(0, 0, columns, rows))
        roi.addScaleHandle((0, 0), (1, 1))
        self.view.addItem(roi)
        self.rois.append(roi)

    def rectangles(self) -> list[list[int]]:
        """New (drawn, not yet masked) rectangles as [x, y, width, height] in image pixels."""
        out = []
        for roi in self.rois:
            if roi.property("masked"):
                continue
            x, y = roi.pos()
            w, h = roi.size()
            out.append([int(round(x)), int(round(y)), int(round(w)), int(round(h))])
        return out

    def clear_rectangles(self) -> None:
        for roi in self.rois:
            self.view.removeItem(roi)
        self.rois = []


class ImportWindow(QMainWindow):
    #: files done and files in all, sent from the operation thread during an import
    _import_progress = Signal(int, int)

    def __init__(self, study: Study, parent: QWidget | None = None):
        super().__init__(parent)
        self.study_root = Path(study.root)
        self.study = study
        #: the running import, or None
        self.task: Operation | None = None
        #: a write (assign, discard, mask) under way: its buttons are off until it is done
        self._writing = False
        self.last_report = None
        self.rows: list[tuple[str, object]] = []
        # Image-list loads: one at a time; a request meanwhile loads once more after it.
        self._images = ViewLoader(
            self, lambda: ((lambda progress, study=self.study: _image_lists(study)), self.study),
            show=lambda lists: self._show_images(*lists),
            failed=lambda exc: show_error(self, self.tr("Cannot show the image"), exc))
        self._import_progress.connect(self._on_progress)
        self._events = StudyEvents(study, self)
        self._events.changed.connect(self._study_changed)
        self.setWindowTitle(self.tr("Import radiographs — %1").replace("%1", study.title))
        self.resize(1200, 760)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self._create_source_box())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._create_report_tab(), self.tr("Import report"))
        self.tabs.addTab(self._create_images_tab(), self.tr("Images, assignment and redaction"))
        outer.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        QShortcut(QKeySequence("Ctrl+W"), self, activated=self.close)
        self.refresh_images()

    # --- building -------------------------------------------------------------------------------

    def _create_source_box(self) -> QWidget:
        box = QGroupBox(self.tr("Import from folders"))
        grid = QVBoxLayout(box)
        row = QHBoxLayout()
        self.sources = QListWidget()
        self.sources.setMaximumHeight(56)
        self.sources.setToolTip(self.tr("Folders and files to import; folders are searched with their subfolders"))
        row.addWidget(self.sources, 1)
        buttons = QVBoxLayout()
        self.add_folder_button = QPushButton(self.tr("Add &folder…"))
        self.add_folder_button.clicked.connect(self.add_folder)
        self.add_files_button = QPushButton(self.tr("Add fi&les…"))
        self.add_files_button.clicked.connect(self.add_files)
        self.remove_source_button = QPushButton(self.tr("R&emove"))
        self.remove_source_button.clicked.connect(self.remove_source)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_folder_button)
        add_row.addWidget(self.add_files_button)
        buttons.addLayout(add_row)
        buttons.addWidget(self.remove_source_button)
        row.addLayout(buttons)
        grid.addLayout(row)
        form = QFormLayout()
        key_row = QHBoxLayout()
        self.key_file = QLineEdit()
        self.key_file.setPlaceholderText(self.tr("A CSV outside the study folder, e.g. on the coordinator's encrypted drive"))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self.choose_key_file)
        key_row.addWidget(self.key_file, 1)
        key_row.addWidget(choose)
        key_label = QLabel(self.tr("&Key file:"))
        key_label.setBuddy(self.key_file)
        form.addRow(key_label, key_row)
        grid.addLayout(form)
        run_row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("&Import"))
        self.import_button.setShortcut(QKeySequence("Ctrl+I"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.progress = QProgressBar()
        # No "0 of 100 files" before an import: the count shows once the import knows it.
        self.progress.setTextVisible(False)
        self.progress.setFormat(self.tr("%v of %m files"))
        self.progress.setValue(0)
        self.progress_label = QLabel(self.tr("Add the folder PACS exported to, choose the key file, then Import."))
        run_row.addWidget(self.import_button)
        run_row.addWidget(self.progress, 1)
        grid.addLayout(run_row)
        grid.addWidget(self.progress_label)
        return box

    def _create_report_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.report_summary = QLabel(self.tr("No import in this window yet."))
        layout.addWidget(self.report_summary)
        self.report_table = QTableWidget(0, len(REPORT_COLUMNS))
        self.report_table.setHorizontalHeaderLabels([self.tr(c) for c in REPORT_COLUMNS])
        self.report_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.report_table.verticalHeader().setVisible(False)
        self.report_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.report_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.report_table)
        return page

    def _create_images_tab(self) -> QWidget:
        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.images_table = QTableWidget(0, len(IMAGE_COLUMNS))
        self.images_table.setHorizontalHeaderLabels([self.tr(c) for c in IMAGE_COLUMNS])
        self.images_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.images_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.images_table.verticalHeader().setVisible(False)
        self.images_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.images_table.horizontalHeader().setStretchLastSection(True)
        self.images_table.itemSelectionChanged.connect(self._image_selected)
        left_layout.addWidget(self.images_table)

        assign_box = QGroupBox(self.tr("Assign the selected image"))
        form = QFormLayout(assign_box)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        form.addRow(self.tr("Why:"), self.reason_label)
        self.patient_box = QComboBox()
        self.patient_box.setEditable(True)
        self.patient_box.setToolTip(self.tr("An existing patient code, or type a new pseudonymous code"))
        self.timepoint_box = QComboBox()
        self.view_box = QComboBox()
        self.view_box.addItem(self.tr("AP"), "AP")
        self.view_box.addItem(self.tr("Lateral"), "LAT")
        form.addRow(self.tr("&Patient:"), self.patient_box)
        form.addRow(self.tr("&Time point:"), self.timepoint_box)
        form.addRow(self.tr("&View:"), self.view_box)
        row = QHBoxLayout()
        self.assign_button = QPushButton(self.tr("&Assign"))
        self.assign_button.clicked.connect(self.assign_selected)
        self.discard_button = QPushButton(self.tr("&Discard…"))
        self.discard_button.clicked.connect(self.discard_selected)
        row.addWidget(self.assign_button)
        row.addWidget(self.discard_button)
        form.addRow(row)
        left_layout.addWidget(assign_box)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.preview = RedactionView()
        right_layout.addWidget(self.preview, 1)
        self.redaction_note = QLabel(
            self.tr("Draw a rectangle over burned-in text (names, dates, hospital), then mask it. Masking is permanent.")
        )
        self.redaction_note.setWordWrap(True)
        right_layout.addWidget(self.redaction_note)
        buttons = QHBoxLayout()
        self.add_rect_button = QPushButton(self.tr("Add &rectangle"))
        self.add_rect_button.setShortcut(QKeySequence("Ctrl+D"))  # D for draw: Ctrl+R is Read in the start window
        self.add_rect_button.clicked.connect(self.preview.add_rectangle)
        self.mask_image_button = QPushButton(self.tr("&Mask on this image"))
        self.mask_image_button.clicked.connect(self.mask_image)
        self.mask_template_button = QPushButton(self.tr("Mask on every image of this device and &size"))
        self.mask_template_button.clicked.connect(self.mask_template)
        self.clear_rect_button = QPushButton(self.tr("&Clear drawn"))
        self.clear_rect_button.clicked.connect(self._clear_drawn)
        for button in (self.add_rect_button, self.mask_image_button, self.mask_template_button, self.clear_rect_button):
            buttons.addWidget(button)
        right_layout.addLayout(buttons)
        splitter.addWidget(right)
        splitter.setSizes([640, 560])
        return splitter

    # --- sources --------------------------------------------------------------------------------

    @Slot()
    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of exported radiographs"))
        if folder:
            self.add_source(folder)

    @Slot()
    def add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Exported radiographs"), "",
            self.tr("Radiographs (*.dcm *.DCM *.dicom *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"),
        )
        for path in files:
            self.add_source(path)

    def add_source(self, path: str | Path) -> None:
        if str(path) not in [self.sources.item(i).text() for i in range(self.sources.count())]:
            self.sources.addItem(str(path))

    @Slot()
    def remove_source(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))

    @Slot()
    def choose_key_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Key file (keep it apart from the study)"), self.key_file.text(), self.tr("CSV files (*.csv)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.key_file.setText(path)

    # --- import on the operation thread ------------------------------------------------------------

    def busy(self) -> bool:
        """Whether an import or a write of this window is under way (its buttons are off meanwhile)."""
        return self.task is not None or self._writing

    @Slot()
    def start_import(self) -> None:
        if self.busy():
            return
        sources = [self.sources.item(i).text() for i in range(self.sources.count())]
        if not sources:
            show_error(self, self.tr("Nothing to import"), RushRaterError("no folder chosen", fix="use Add folder… first"))
            return
        key = self.key_file.text().strip()
        if not key:
            show_error(self, self.tr("Key file needed"), RushRaterError(
                "a folder import needs a key file", fix="choose where the key file (codes ↔ identifiers) is kept"))
            return
        # This window's study: its listeners (this window, the start window) hear what the import changed.
        study = self.study
        to_bar = self._import_progress.emit
        label = self.tr("Reading, de-identifying and storing…")
        files = self.tr("%v of %m files")

        def run(progress):
            def counted(done: int, total: int) -> None:
                to_bar(done, total)  # this window's bar, and the progress dialog once it shows
                progress(label + "\n" + files.replace("%v", str(done)).replace("%m", str(total)))

            return import_images(study, sources, key_file=key, progress=counted)

        self.task = run_operation(self, run, done=self._on_done, failed=self._on_failed, label=label, queue=study)
        self._set_busy(True)
        self.progress_label.setText(label)

    def wait_for_import(self, msecs: int = 60_000) -> bool:
        """Block until the import and the loads it started are done (tests, closing)."""
        return wait_for_operations(msecs)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.import_button, self.add_folder_button, self.add_files_button, self.remove_source_button,
                       self.assign_button,
                       self.discard_button, self.mask_image_button, self.mask_template_button):
            widget.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setTextVisible(True)

    @Slot(object)
    def _on_done(self, report) -> None:
        self.task = None
        self._set_busy(False)
        self.last_report = report
        self.show_report(report)
        self._reload_after_write()
        self.progress_label.setText(self.tr("Done. The blinding check found no identifier in the study."))
        if report.needs_assignment:
            self.tabs.setCurrentIndex(1)

    @Slot(object)
    def _on_failed(self, exc) -> None:
        self.task = None
        self._set_busy(False)
        self.progress.setValue(0)
        self.progress_label.setText(self.tr("The import stopped; nothing of it was stored."))
        show_error(self, self.tr("Import failed"), exc)

    def show_report(self, report) -> None:
        self.report_table.setRowCount(0)
        for r in report.rows:
            row = self.report_table.rowCount()
            self.report_table.insertRow(row)
            case = r.case or (self.tr("item %1").replace("%1", str(r.staged)) if r.staged else "")
            for column, value in enumerate((r.item, Path(r.file).name, r.status, r.patient, r.timepoint, r.view, case, r.reason)):
                self.report_table.setItem(row, column, _item(value))
        self.report_summary.setText(
            self.tr("%1 imported · %2 need assignment · %3 skipped · %4 rejected. A copy is kept in the study's reports folder.")
            .replace("%1", str(report.imported)).replace("%2", str(report.needs_assignment))
            .replace("%3", str(report.skipped)).replace("%4", str(report.rejected))
        )

    # --- images, assignment, redaction -----------------------------------------------------------

    def refresh_images(self, then: Callable[[], None] | None = None) -> None:
        """Load the image lists and show them; ``then`` runs once they are shown (coalesced: ViewLoader)."""
        self._images.request(then)

    def _reload_after_write(self, then: Callable[[], None] | None = None) -> None:
        self._images.after_write(then)

    @Slot(object)
    def _study_changed(self, changes: Changes) -> None:
        if changes.touches(Entity.IMAGES, Entity.CASES):
            self.refresh_images()

    def _show_images(self, staged: list, placed: list, patients: list[str], timepoints: list[str]) -> None:
        self.rows = [("staged", s) for s in staged] + [("placed", p) for p in placed]
        self.images_table.setRowCount(0)
        for kind, entry in self.rows:
            row = self.images_table.rowCount()
            self.images_table.insertRow(row)
            if kind == "staged":
                values = (self.tr("item %1").replace("%1", str(entry.item)), self.tr("needs assignment"), entry.patient,
                          entry.timepoint, entry.view, f"{entry.width}×{entry.height}", len(entry.redactions) or "",
                          entry.reason)
            else:
                values = (f"{entry.case} {entry.view}", self.tr("in case"), entry.patient, entry.timepoint, entry.view,
                          f"{entry.width}×{entry.height}", len(entry.redactions) or "", "")
            for column, value in enumerate(values):
                cell = _item(value)
                if kind == "staged":
                    cell.setToolTip(entry.reason)
                self.images_table.setItem(row, column, cell)
        current = self.patient_box.currentText()
        self.patient_box.clear()
        self.patient_box.addItems(patients)
        self.patient_box.setEditText(current)
        if not self.timepoint_box.count():
            self.timepoint_box.addItems(timepoints)
        self.preview.clear()
        self._image_selected()

    def selected(self) -> tuple[str, object] | None:
        rows = self.images_table.selectionModel().selectedRows() if self.images_table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select_row(self, index: int) -> None:
        self.images_table.selectRow(index)

    def _update_buttons(self) -> None:
        """What the selection allows, while the window is idle."""
        chosen = self.selected()
        staged = chosen is not None and chosen[0] == "staged"
        idle = not self.busy()
        self.assign_button.setEnabled(idle and staged)
        self.discard_button.setEnabled(idle and staged)
        for button in (self.add_rect_button, self.mask_image_button, self.mask_template_button, self.clear_rect_button):
            button.setEnabled(idle and chosen is not None)

    @Slot()
    def _image_selected(self) -> None:
        chosen = self.selected()
        staged = chosen is not None and chosen[0] == "staged"
        self._update_buttons()
        self.reason_label.setText(chosen[1].reason if staged else "")
        if chosen is None:
            return
        kind, entry = chosen
        if kind == "staged":
            if entry.patient:
                self.patient_box.setEditText(entry.patient)
            if entry.timepoint:
                self.timepoint_box.setCurrentText(entry.timepoint)
            if entry.view:
                self.view_box.setCurrentIndex(self.view_box.findData(entry.view))
        study = self.study

        def load(progress):
            if kind == "staged":
                return redaction_service.pixels_for(study, item=entry.item)
            return redaction_service.pixels_for(study, image_id=entry.image_id)

        def show(loaded) -> None:
            if self.selected() != chosen:  # another image was chosen while this one loaded
                return
            pixels, attrs, _ = loaded
            self.preview.show_pixels(pixels, attrs)
            if kind == "placed":
                self.preview.show_masked(entry.redactions)

        def failed(exc: BaseException) -> None:
            if self.selected() == chosen:
                show_error(self, self.tr("Cannot show the image"), exc)

        run_operation(self, load, done=show, failed=failed, queue=study)

    def _write(self, call: Callable[[], object], done: Callable[[object], None], error_title: str) -> None:
        """Run one write of this window (assign, discard, mask); its buttons are off meanwhile."""
        if self.busy():
            return

        def finished(result: object) -> None:
            self._writing = False
            self._set_busy(False)
            done(result)

        def failed(exc: BaseException) -> None:
            self._writing = False
            self._set_busy(False)
            show_error(self, error_title, exc)

        self._writing = True
        self._set_busy(True)
        run_operation(self, lambda progress: call(), done=finished, failed=failed, queue=self.study)

    @Slot()
    def assign_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen[0] != "staged":
            return
        entry = chosen[1]
        index = self.rows.index(chosen)
        patient, timepoint, view = self.patient_box.currentText(), self.timepoint_box.currentText(), self.view_box.currentData()
        view_text = self.view_box.currentText()
        study = self.study

        def assigned(cases) -> None:
            self.progress_label.setText(
                self.tr("Item %1 assigned: %2, %3, %4 (case %5).").replace("%1", str(entry.item)).replace("%2", patient)
                .replace("%3", timepoint).replace("%4", view_text).replace("%5", ", ".join(cases))
            )
            self._reload_after_write(then=lambda: self._select_next_pending(index))

        self._write(lambda: staging.assign(study, [staging.Assignment(entry.item, patient, timepoint, view)]),
                    assigned, self.tr("Cannot assign"))

    def _select_next_pending(self, index: int) -> None:
        """The next image still to assign (after ``index``, else the first), so Assign can go on."""
        pending = [i for i, (kind, _) in enumerate(self.rows) if kind == "staged"]
        following = [i for i in pending if i >= index] or pending
        if following:
            self.select_row(following[0])
            self.images_table.setFocus()

    @Slot()
    def discard_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen[0] != "staged":
            return
        answer = QMessageBox.question(
            self, self.tr("Discard image"),
            self.tr("Remove item %1 from the study? It is not part of any case.").replace("%1", str(chosen[1].item)),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        study, item = self.study, chosen[1].item
        self._write(lambda: staging.discard(study, item, reason="discarded in the import window"),
                    lambda _changes: self._reload_after_write(), self.tr("Cannot discard"))

    def _clear_drawn(self) -> None:
        for roi in [r for r in self.preview.rois if not r.property("masked")]:
            self.preview.view.removeItem(roi)
            self.preview.rois.remove(roi)

    def _confirm_mask(self, text: str) -> bool:
        """Masking replaces stored pixels for good: ask first, Cancel the default."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Mask permanently"), text,
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(self.tr("The pixels under the rectangles are replaced in the stored image; this "
                                       "cannot be undone."))
        box.button(QMessageBox.StandardButton.Ok).setText(self.tr("&Mask"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Ok

    @Slot()
    def mask_image(self) -> None:
        chosen = self.selected()
        rects = self.preview.rectangles()
        if chosen is None or not rects:
            return
        kind, entry = chosen
        if not self._confirm_mask(plural(self.tr("Mask %n rectangle(s) on this image?", "", len(rects)), len(rects))):
            return
        study = self.study

        def mask():
            if kind == "staged":
                return redaction_service.redact_staged(study, entry.item, rects)
            return redaction_service.redact_image(study, entry.image_id, rects)

        self._write(mask, lambda _changes: self._reselect(chosen), self.tr("Cannot mask"))

    @Slot()
    def mask_template(self) -> None:
        chosen = self.selected()
        rects = self.preview.rectangles()
        if chosen is None or not rects:
            return
        kind, entry = chosen
        question = self.tr("Mask %n rectangle(s) on every image of this device and size, now and in later imports?",
                           "", len(rects))
        if not self._confirm_mask(plural(question, len(rects))):
            return
        study = self.study

        def mask():
            _, _, template = redaction_service.pixels_for(
                study, item=entry.item if kind == "staged" else None, image_id=entry.image_id if kind == "placed" else None
            )
            return template, redaction_service.set_template(study, template, rects)

        def masked(result) -> None:
            template, count = result
            self.progress_label.setText(self.tr("Template saved for %1; %2 image(s) masked. Later imports are masked too.")
                                        .replace("%1", template).replace("%2", str(count)))
            self._reselect(chosen)

        self._write(mask, masked, self.tr("Cannot mask"))

    def _reselect(self, chosen) -> None:
        index = self.rows.index(chosen)
        self._reload_after_write(then=lambda: self.select_row(index))

    def closeEvent(self, event) -> None:
        # An import or a write cannot stop half-way: let it finish (it is one transaction), then close.
        wait_for_operations()
        self._events.close()
        super().closeEvent(event)


def open_import_window(study: Study, parent: QWidget | None = None) -> ImportWindow:
    window = ImportWindow(study, parent)
    window.show()
    return window
