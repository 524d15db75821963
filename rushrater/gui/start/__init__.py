"""The start window of the desktop app, one module per part:

* :mod:`.window`           the window: menus, actions, opening and closing studies, the demo build
* :mod:`.start_page`       New / Open / demo, and the recent studies
* :mod:`.study_page`       the open study's summary and per-rater progress
* :mod:`.rater_table`      the per-rater progress table model and its delegates
* :mod:`.dialogs`          New study… and Enrol rater…
* :mod:`.database_dialog`  Open database study… (an address on a PostgreSQL server)
"""

from .window import StartWindow

__all__ = ["StartWindow"]
