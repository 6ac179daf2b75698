"""ledger-of-claims: an event-sourced ledger of claims.

Record every report about a proposition as an immutable event; ask what was
believed on any date, on what evidence, and since when.
"""

from importlib.metadata import version as _version

from ledger.analysis import Mark, RecordEntry, Stance, TrackRecord
from ledger.application import Ledger, Recorded
from ledger.claimreview import beliefs_to_claimreview, read_claimreviews
from ledger.errors import (
    ConflictingReport,
    InvalidArgument,
    InvalidQuery,
    InvalidReport,
    LedgerError,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger.io import InvalidFile, read_reports, write_reports
from ledger.opinions import Opinion, Opinions
from ledger.policy import BeliefPolicy, LatestDecisiveWord, Verdict
from ledger.values import Belief, Change, Entry, Kind, Report, Status, Strike

__all__ = [
    "Belief",
    "BeliefPolicy",
    "Change",
    "ConflictingReport",
    "Entry",
    "InvalidArgument",
    "InvalidFile",
    "InvalidQuery",
    "InvalidReport",
    "Kind",
    "LatestDecisiveWord",
    "Ledger",
    "LedgerError",
    "Mark",
    "Opinion",
    "Opinions",
    "RecordEntry",
    "Recorded",
    "Report",
    "Stance",
    "Status",
    "StorageError",
    "Strike",
    "TrackRecord",
    "UnknownProposition",
    "UnknownReport",
    "Verdict",
    "beliefs_to_claimreview",
    "read_claimreviews",
    "read_reports",
    "write_reports",
]

__version__ = _version("ledger-of-claims")
"""The installed version of ledger-of-claims."""
