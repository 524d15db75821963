"""The scoring panel: the rubric's items grouped by view, each 1/2/3 with its anchor, keyboard first.

Keys (while the panel has focus, which the workstation keeps on it): 1-3 set the focused item and
move to the next; Tab / Down / Right move on, Shift+Tab / Up / Left move back; Enter asks to submit.
"""

from __future__ import annotations

from ...domain.rubric import Item, Rubric
from ..i18n import item_definition, item_label, level_anchor, rubric_text
from ..qt import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

NEXT_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Down, Qt.Key.Key_Right)
PREVIOUS_KEYS = (Qt.Key.Key_Backtab, Qt.Key.Key_Up, Qt.Key.Key_Left)
SUBMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ItemRow(QFrame):
    chosen = Signal(str, int)
    focused = Signal(str)

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setObjectName("itemRow")
        self.setProperty("current", False)
        self.setProperty("missing", False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 5, 8, 5)
        layout.setSpacing(6)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.title = QLabel(_short_label(item))
        self.title.setObjectName("itemTitle")
        self.anchor = QLabel()
        self.anchor.setObjectName("anchor")
        # Never let a long anchor widen the panel: it is clipped (the definitions pane has it in full).
        self.anchor.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        text.addWidget(self.title)
        text.addWidget(self.anchor)
        layout.addLayout(text, 1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # so a value can be cleared when a form is reset
        self.buttons: dict[int, QPushButton] = {}
        for level in item.levels:
            button = QPushButton(str(level.value))
            button.setObjectName("levelButton")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setFixedSize(40, 34)
            button.setToolTip(f"{level.value} — {level_anchor(item, level.value)}")
            button.clicked.connect(lambda _checked=False, v=level.value: self.chosen.emit(self.item.key, v))
            self.group.addButton(button, level.value)
            self.buttons[level.value] = button
            layout.addWidget(button)
        self.value: int | None = None
        self.current = False
        self.set_value(None)

    def set_value(self, value: int | None) -> None:
        self.value = value
        for v, button in self.buttons.items():
            button.setChecked(v == value)
        self._show_anchor()

    def _show_anchor(self) -> None:
        # The chosen level's anchor under the item; before a choice nothing, to keep the panel
        # quiet (the highlighted item's three anchors are in the definitions pane below).
        self.anchor.setText(level_anchor(self.item, self.value) if self.value is not None else " ")
        self.anchor.setProperty("chosen", self.value is not None)
        self.anchor.style().unpolish(self.anchor)
        self.anchor.style().polish(self.anchor)

    def _restyle(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)

    def set_current(self, current: bool) -> None:
        self.current = current
        self.setProperty("current", current)
        self._show_anchor()
        self._restyle()

    def set_missing(self, missing: bool) -> None:
        self.setProperty("missing", missing)
        self._restyle()

    def mousePressEvent(self, event) -> None:
        self.focused.emit(self.item.key)
        super().mousePressEvent(event)


def _short_label(item: Item) -> str:
    """'Bridging' / 'Fracture line' under a cortex heading; the trabecular labels as they are.
    Derived from the study's wording, and translated as the item's ``short`` text."""
    if item.view is None:
        return item_label(item)
    kind = item.label.split("—")[0].replace("Cortical", "").strip()
    return rubric_text(f"{item.region.capitalize()} cortex · {kind[:1].upper()}{kind[1:]}", item.key, "short")


class ScoringPanel(QWidget):
    """Holds the values of one case's form. ``submit_requested`` fires on Enter (complete or not)."""

    changed = Signal()
    submit_requested = Signal()

    def __init__(self, rubric: Rubric, parent: QWidget | None = None):
        super().__init__(parent)
        self.rubric = rubric
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.values: dict[str, int] = {}
        self.keys = list(rubric.item_keys)
        self.current = 0
        self.rows: dict[str, ItemRow] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for heading, items in self._groups():
            label = QLabel(heading)
            label.setObjectName("groupHeading")
            layout.addWidget(label)
            for item in items:
                row = ItemRow(item, self)
                row.chosen.connect(self._on_chosen)
                row.focused.connect(self.focus_item)
                self.rows[item.key] = row
                layout.addWidget(row)

        self.definition_title = QLabel()
        self.definition_title.setObjectName("definitionTitle")
        self.definition = QLabel()
        self.definition.setObjectName("definition")
        self.definition.setWordWrap(True)
        self.definition.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.definition.setMinimumHeight(90)
        box = QFrame()
        box.setObjectName("definitionBox")
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(10, 8, 10, 8)
        box_layout.addWidget(self.definition_title)
        box_layout.addWidget(self.definition)
        layout.addSpacing(6)
        layout.addWidget(box)
        layout.addStretch(1)
        self._show_current()

    def _groups(self) -> list[tuple[str, list[Item]]]:
        ap = [i for i in self.rubric.items if i.view is not None and i.view.value == "AP"]
        lateral = [i for i in self.rubric.items if i.view is not None and i.view.value == "LAT"]
        other = [i for i in self.rubric.items if i.view is None]
        groups = []
        if ap:
            groups.append((self.tr("AP view — medial and lateral cortex"), ap))
        if lateral:
            groups.append((self.tr("Lateral view — anterior and posterior cortex"), lateral))
        if other:
            groups.append((self.tr("Trabecular bone — both views"), other))
        # Keyboard order follows what is on screen.
        self.keys = [i.key for _, items in groups for i in items]
        return groups

    # -- state -----------------------------------------------------------------------------------

    def reset(self, values: dict[str, int] | None = None) -> None:
        self.values = dict(values or {})
        for key, row in self.rows.items():
            row.set_value(self.values.get(key))
            row.set_missing(False)
        self.current = 0
        self._show_current()
        self.changed.emit()

    @property
    def total(self) -> int:
        return sum(self.values.values())

    @property
    def complete(self) -> bool:
        return all(key in self.values for key in self.keys)

    def missing(self) -> list[Item]:
        return [self.rubric.item(key) for key in self.keys if key not in self.values]

    def show_missing(self) -> list[Item]:
        missing = self.missing()
        for key, row in self.rows.items():
            row.set_missing(key not in self.values)
        if missing:
            self.focus_item(missing[0].key)
        return missing

    def set_value(self, key: str, value: int) -> None:
        self.values[key] = value
        row = self.rows[key]
        row.set_value(value)
        row.set_missing(False)
        self.changed.emit()

    def _on_chosen(self, key: str, value: int) -> None:
        self.set_value(key, value)
        self.focus_item(key)
        self.setFocus()

    def focus_item(self, key: str) -> None:
        self.current = self.keys.index(key)
        self._show_current()

    def move(self, step: int) -> None:
        self.current = (self.current + step) % len(self.keys)
        self._show_current()

    def _show_current(self) -> None:
        key = self.keys[self.current]
        for k, row in self.rows.items():
            row.set_current(k == key)
        item = self.rubric.item(key)
        self.definition_title.setText(item_label(item))
        anchors = "<br>".join(f"<b>{lv.value}</b> — {level_anchor(item, lv.value)}" for lv in item.levels)
        self.definition.setText(f"{item_definition(item)}<br><br>{anchors}")

    # -- keyboard --------------------------------------------------------------------------------

    def event(self, event) -> bool:
        # Tab and Shift+Tab move between items here, not between widgets.
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            event.ignore()
            return
        text = event.text()
        item = self.rubric.item(self.keys[self.current])
        if text.isdigit() and int(text) in item.values:
            self.set_value(item.key, int(text))
            if self.current < len(self.keys) - 1:
                self.move(1)
            event.accept()
        elif key in NEXT_KEYS or (key == Qt.Key.Key_Tab and not modifiers):
            self.move(1)
            event.accept()
        elif key in PREVIOUS_KEYS:
            self.move(-1)
            event.accept()
        elif key in SUBMIT_KEYS:
            self.submit_requested.emit()
            event.accept()
        else:
            event.ignore()
