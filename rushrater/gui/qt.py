"""The one place the GUI imports Qt from (like Anki's ``aqt.qt``).

Every other module in :mod:`rushrater.gui` writes ``from .qt import QLabel, Qt, ...``, so the Qt
binding, its version checks and any compatibility patches live here and nowhere else. Only what
the GUI (and its tests) use is re-exported; add names here as new widgets need them.
"""

from __future__ import annotations

from PySide6 import __version__ as PYSIDE_VERSION
from shiboken6 import isValid as _is_valid
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDir,
    QLibraryInfo,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    QStandardPaths,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
    QUrl,
    Signal,
    Slot,
    qVersion,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QFont,
    QKeySequence,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

QT_VERSION = qVersion()

__all__ = [
    "is_alive",
    "PYSIDE_VERSION",
    "QT_VERSION",
    "QAbstractItemView",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QCloseEvent",
    "QComboBox",
    "QCoreApplication",
    "QDesktopServices",
    "QDialog",
    "QDialogButtonBox",
    "QDir",
    "QFileDialog",
    "QFont",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QHBoxLayout",
    "QHeaderView",
    "QKeySequence",
    "QLabel",
    "QLibraryInfo",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QLocale",
    "QMainWindow",
    "QMenu",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPainter",
    "QPalette",
    "QPersistentModelIndex",
    "QProgressBar",
    "QProgressDialog",
    "QPushButton",
    "QRunnable",
    "QSettings",
    "QSize",
    "QSizePolicy",
    "QSortFilterProxyModel",
    "QStackedWidget",
    "QStandardPaths",
    "QStyle",
    "QStyleOptionProgressBar",
    "QStyleOptionViewItem",
    "QStyledItemDelegate",
    "QTableView",
    "QThreadPool",
    "QTimer",
    "QTranslator",
    "QUrl",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
]

# The reading workstation (gui/workstation/).
from PySide6.QtCore import QElapsedTimer, QEvent, QPoint, QPointF, QRect, QRectF  # noqa: E402
from PySide6.QtGui import QColor, QCursor, QGuiApplication, QImage, QPen, QPixmap, QShortcut  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QButtonGroup,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QToolButton,
)

__all__ += [
    "QButtonGroup",
    "QColor",
    "QCursor",
    "QElapsedTimer",
    "QEvent",
    "QGuiApplication",
    "QImage",
    "QPen",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QPointF",
    "QRadioButton",
    "QRect",
    "QRectF",
    "QScrollArea",
    "QShortcut",
    "QSplitter",
    "QToolButton",
]

# The coordinator console (gui/console/).
from PySide6.QtGui import QBrush  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QCheckBox,
    QDoubleSpinBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
)

__all__ += [
    "QBrush",
    "QCheckBox",
    "QDoubleSpinBox",
    "QSpinBox",
    "QTableWidget",
    "QTableWidgetItem",
    "QTabWidget",
]

# Desktop integration and translation (packaging, gui/i18n.py).
from PySide6.QtCore import QT_TRANSLATE_NOOP  # noqa: E402
from PySide6.QtGui import QActionGroup, QIcon  # noqa: E402

__all__ += ["QT_TRANSLATE_NOOP", "QActionGroup", "QIcon"]

# DRRs and the 3D bone view (gui/drr/).
from PySide6.QtGui import QVector4D  # noqa: E402
from PySide6.QtWidgets import QSlider  # noqa: E402

__all__ += ["QSlider", "QVector4D"]

# The console's audit-trail viewer (gui/console/audit.py): date filters.
from PySide6.QtCore import QDate  # noqa: E402
from PySide6.QtWidgets import QDateEdit  # noqa: E402

__all__ += ["QDate", "QDateEdit"]

# Waiting for an operation's answer while the app's events go on (gui/workstation: ``rushrater read``).
from PySide6.QtCore import QEventLoop  # noqa: E402

__all__ += ["QEventLoop"]


def is_alive(obj: QObject) -> bool:
    """Whether the Qt side of ``obj`` still exists: a result that arrives after its window closed
    (gui.operations) must not touch it."""
    return _is_valid(obj)
