"""The desktop app: the only package that imports PySide6 (through :mod:`rushrater.gui.qt`).

It is a thin layer over :mod:`rushrater.services`: windows call services and show what they
return; they never touch the database or image files themselves.

Entry point: :func:`rushrater.gui.app.run`.
"""
