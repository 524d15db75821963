"""One error hierarchy for everything a user can get wrong.

Every error carries the problem (``message``), where it is (``where``: a file, a row, a study) and
what to do about it (``fix``), so the CLI and GUI can show one clear message without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass


class RushRaterError(Exception):
    """Base class: an expected failure with a message for the user."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.where = where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class StudyNotFoundError(RushRaterError):
    """The study path does not exist."""


class NotAStudyError(RushRaterError):
    """The path exists but is not a RUSH Rater study."""


class StudyExistsError(RushRaterError):
    """``init`` was pointed at a study that already exists."""


class StudyVersionError(RushRaterError):
    """The study was written by a newer RUSH Rater than this one."""


class ValidationError(RushRaterError):
    """A value the user gave is not acceptable (a score, a name, a view)."""


class DuplicateError(ValidationError):
    """Something that must be unique already exists."""


class NotFoundError(RushRaterError):
    """A named rater, case, group or time point does not exist in the study."""


class PlanError(RushRaterError):
    """A reading plan cannot be made or changed as asked."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row of an input file (1-based line number as a spreadsheet shows it)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class InputFileError(RushRaterError):
    """An input file (manifest, ratings CSV) has bad rows; nothing from it was stored."""

    def __init__(self, path: str, problems: list[RowProblem], *, fix: str | None = None):
        self.path = path
        self.problems = problems
        shown = "\n".join(f"  {path}: {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in {path}; nothing was stored:\n{shown}{more}",
            fix=fix or "correct the rows listed above and run the command again",
        )
