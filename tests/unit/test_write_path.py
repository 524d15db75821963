"""Every service write goes through the unit of work (issue 13): no service opens its own write
transaction or writes an audit row beside it, so none can forget the files, the listeners or the
Changes."""

from __future__ import annotations

import ast
from pathlib import Path

import rushrater.services

SERVICES = Path(rushrater.services.__file__).parent

#: Writes that cannot use the unit of work, by (module, enclosing function), with the reason.
EXEMPT = {
    # The study's first rows and their audit row are written in the transaction that creates the
    # schema (Database.create_schema(then=...)): there is no study yet to open a unit of work on,
    # and a study row committed apart from its schema would leave a half-made study after a crash.
    ("study.py", "_store_new_study"),
}


def _write_calls(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) of each ``X.db.write(`` and ``audit.record(`` call."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "write" and isinstance(target, ast.Attribute) and target.attr == "db":
                found.append((node.lineno, function, ".db.write("))
            if node.func.attr == "record" and isinstance(target, ast.Name) and target.id == "audit":
                found.append((node.lineno, function, "audit.record("))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return found


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(SERVICES.parent.parent)}:{line} calls {what} (in {function or 'the module'}): "
        "write through services.unit_of_work instead"
        for line, function, what in _write_calls(tree)
        if (path.name, function) not in EXEMPT
    ]


def test_only_the_unit_of_work_opens_write_transactions_and_records_audit_rows():
    offences = []
    for path in sorted(SERVICES.glob("*.py")):
        if path.name != "unit_of_work.py":
            offences += _offences(path)
    assert not offences, "\n".join(offences)


def test_the_check_finds_a_direct_write(tmp_path):
    # The scan must see both forms, however the study is named, or the test above proves nothing.
    sample = tmp_path / "services" / "sample.py"
    sample.parent.mkdir()
    sample.write_text(
        "def save(self, study):\n"
        "    with self.study.db.write() as session:\n"
        "        audit.record(session, 'me', 'x.y', 'x', 1)\n",
        encoding="utf-8",
    )
    calls = _write_calls(ast.parse(sample.read_text(encoding="utf-8")))
    assert calls == [(2, "save", ".db.write("), (3, "save", "audit.record(")]


def test_every_exemption_is_still_needed():
    # An exemption whose write moved to the unit of work would otherwise hide a new direct write.
    used = set()
    for path in SERVICES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {(path.name, function) for _, function, _ in _write_calls(tree)}
    assert EXEMPT <= used, f"exemptions without a direct write: {sorted(EXEMPT - used)}"


def test_every_table_names_the_entity_its_changes_belong_to():
    """A table missing from storage.changes.TABLE_ENTITIES would make its writes look like a change
    to the whole study (every window reloads): a new table must say which entity it is."""
    from rushrater.storage.changes import TABLE_ENTITIES
    from rushrater.storage.models import Base

    missing = sorted(set(Base.metadata.tables) - set(TABLE_ENTITIES))
    stale = sorted(set(TABLE_ENTITIES) - set(Base.metadata.tables))
    assert (missing, stale) == ([], [])
