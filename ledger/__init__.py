"""claims-ledger: an event-sourced ledger of claims.

Record every report about a proposition as an immutable event; ask what was
believed on any date, on what evidence, and since when.
"""

from ledger.errors import (
    ConflictingReport,
    InvalidQuery,
    InvalidReport,
    LedgerError,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger.values import Belief, Change, Entry, Kind, Report, Status, Strike

__all__ = [
    "Belief",
    "Change",
    "ConflictingReport",
    "Entry",
    "InvalidQuery",
    "InvalidReport",
    "Kind",
    "LedgerError",
    "Report",
    "Status",
    "StorageError",
    "Strike",
    "UnknownProposition",
    "UnknownReport",
]
