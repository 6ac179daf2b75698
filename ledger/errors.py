"""The exceptions ``ledger`` raises: one root, leaves that also inherit a builtin."""

from __future__ import annotations

__all__ = [
    "ConflictingReport",
    "InvalidArgument",
    "InvalidQuery",
    "InvalidReport",
    "LedgerError",
    "StorageError",
    "UnknownProposition",
    "UnknownReport",
]


class LedgerError(Exception):
    """Root of every error raised by ``ledger``."""


class InvalidReport(LedgerError, ValueError):
    """A report, or a line of a report file, is not valid.

    ``path``, ``line`` and ``field`` say where the problem is, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.path = path
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}, " if self.line is not None else f"{self.path}: "
        if self.line is not None:
            where += f"line {self.line}: "
        return where + self.message

    def located(self, *, path: str | None, line: int | None) -> InvalidReport:
        """Return a copy of this error that says in which file and line it is."""
        return type(self)(self.message, field=self.field, path=path, line=line)


class ConflictingReport(InvalidReport):
    """A report reuses the ``report_id`` of a different report."""


class InvalidArgument(LedgerError, ValueError):
    """A ledger method was given an argument it cannot use."""


class InvalidQuery(InvalidArgument):
    """A query was given a time it cannot use (a naive datetime, say)."""


class _KeyErrorMessage(LedgerError, KeyError):
    # KeyError.__str__ quotes its argument; these errors carry sentences.
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownProposition(_KeyErrorMessage):
    """No report about this proposition has been recorded."""


class UnknownReport(_KeyErrorMessage):
    """No report with this ``report_id`` has been recorded."""


class StorageError(LedgerError, OSError):
    """The database could not be opened, read or written."""
