"""The ``ledger`` command line: import report files, ask what was believed, report.

Exit codes: 0 success; 1 invalid input (nothing recorded); 2 usage error (a bad
option, argument or date); 3 unknown proposition or report id; 4 the ledger
could not be opened, read or written, or the output could not be written; 130
interrupted.
``docs/cli.md`` describes every command and the ``--json`` output.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import attrs
import click

from ledger import _spool, _time, projections
from ledger._storage import Target, holds_ledger
from ledger._time import TimePoint
from ledger.analysis import TrackRecord
from ledger.application import Ledger, Recorded
from ledger.archive import Archive, ArchiveStore, Problem, verify
from ledger.claimreview import FORMATS as CLAIMREVIEW_FORMATS
from ledger.claimreview import beliefs_to_claimreview, read_claimreviews
from ledger.claimreview import sniff as sniff_claimreview
from ledger.errors import (
    ConflictingReport,
    InvalidArgument,
    InvalidReport,
    LedgerError,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger.io import (
    Format,
    Held,
    InvalidFile,
    _change_dict,
    _replacing,
    _replacing_path,
    belief_to_dict,
    entry_to_dict,
    period_to_dict,
    read_reports,
    write_reports,
)
from ledger.projections import Period
from ledger.report import picture, write_html_page
from ledger.values import Belief, Report, Status, StrikeRequest, normalise_name
from ledger.view import micros

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_STORAGE",
    "EXIT_UNKNOWN_PROPOSITION",
    "EXIT_USAGE",
    "archive_file",
    "cli",
    "main",
    "verify_archives",
]

EXIT_OK = 0
"""The command did what was asked."""
EXIT_INVALID_INPUT = 1
"""A report file (or report) was invalid, or a strike not possible; nothing recorded."""
EXIT_USAGE = 2
"""A bad option, argument or date on the command line (click's usage error)."""
EXIT_UNKNOWN_PROPOSITION = 3
"""A proposition with no reports (``timeline``, ``history``), or an unknown report id
(``strike``)."""
EXIT_STORAGE = 4
"""The ledger could not be opened, read or written."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C); an import can be run again to complete it."""

_SHOWN_ERRORS = 50
_SPOOLED_BYTES = 8 * 1024 * 1024  # a streamed table's rows kept in memory up to this
_F = TypeVar("_F", bound=Callable[..., Any])


class _Failure(click.ClickException):
    """An error shown as ``Error: ...`` on stderr, with its own exit code."""


# click reads the exit code from the class (a ClassVar since click 8.5).
_FAILURES = {
    code: type(f"_Failure{code}", (_Failure,), {"exit_code": code})
    for code in (EXIT_INVALID_INPUT, EXIT_USAGE, EXIT_UNKNOWN_PROPOSITION, EXIT_STORAGE)
}


def _fail(message: str, exit_code: int) -> _Failure:
    """The error to raise for ``message``, exiting with ``exit_code``."""
    failure: type[_Failure] = _FAILURES[exit_code]
    return failure(message)


@contextlib.contextmanager
def _errors_as_exit_codes() -> Iterator[None]:
    try:
        yield
    except (UnknownProposition, UnknownReport) as error:
        raise _fail(str(error), EXIT_UNKNOWN_PROPOSITION) from error
    except StorageError as error:
        raise _fail(str(error), EXIT_STORAGE) from error
    except InvalidArgument as error:
        raise _fail(str(error), EXIT_USAGE) from error
    except LedgerError as error:
        raise _fail(str(error), EXIT_INVALID_INPUT) from error


class _TimeType(click.ParamType):  # type: ignore[type-arg]  # generic in newer click only
    """An ISO date, or an ISO datetime with a UTC offset."""

    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> TimePoint:
        if isinstance(value, date):
            return value
        try:
            return _time.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


_TIME = _TimeType()

_DB_HELP = (
    "The ledger: a SQLite file or postgresql:// URL "
    "[default: $LEDGER_DB, else ./ledger.db]."
)
_db_option = click.option("--db", "db", metavar="PATH", default=None, help=_DB_HELP)
_json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON (the schema is in docs/cli.md) instead of a table.",
)
_recorded_option = click.option(
    "--recorded",
    type=_TIME,
    default=None,
    help="Answer as the ledger stood at this system time (an audit).",
)


def _on_option(help: str) -> Callable[[_F], _F]:
    """``--on DATE``, the knowledge time: one rule for every command, now by default."""
    return click.option(
        "--on", "on", type=_TIME, default=None, help=f"{help} [default: now]."
    )


def _now() -> datetime:
    """The instant a command without ``--on`` asks about."""
    return datetime.now(UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", "db", metavar="PATH", envvar="LEDGER_DB", default="ledger.db", help=_DB_HELP
)
@click.version_option(
    None, "-V", "--version", package_name="ledger-of-claims", prog_name="ledger"
)
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """An event-sourced ledger of claims: import reports, ask what was believed.

    Start with "ledger import reports.jsonl", then ask, for instance,
    "ledger believed --on 2017-06-20". Each command has --help.
    """
    ctx.obj = db


def _target(db: str | None) -> str:
    if db is not None:
        return db
    root = click.get_current_context().find_root()
    return str(root.obj)


def _is_url(target: str) -> bool:
    return "://" in target


@contextlib.contextmanager
def _ledger(db: str | None, *, create: bool) -> Iterator[Ledger]:
    target = _target(db)
    if not create and not _is_url(target):
        _check_is_ledger(target)
    with _errors_as_exit_codes(), Ledger.open(target, create=create) as ledger:
        yield ledger


def _check_is_ledger(target: str) -> None:
    """Refuse to query a SQLite file that is not already a ledger (exit 4).

    Opening one would make it a ledger: an empty file, or another program's
    database, would silently gain the ledger's tables.
    """
    path = Path(target)
    hint = "import reports first, or name the ledger with --db PATH or LEDGER_DB"
    if not path.exists():
        raise _fail(f"no ledger at {target!r}: {hint}", EXIT_STORAGE)
    if path.is_file() and path.stat().st_size == 0:
        raise _fail(f"no ledger at {target!r}: the file is empty; {hint}", EXIT_STORAGE)
    if not path.is_file() or not _is_sqlite(path):
        return  # Ledger.open says what is wrong with it
    try:
        found = holds_ledger(Target.parse(target))
    except LedgerError:
        return  # Ledger.open says what is wrong with it
    if not found:
        msg = (
            f"no ledger at {target!r}: it is a SQLite database without a "
            f"ledger's tables; {hint}"
        )
        raise _fail(msg, EXIT_STORAGE)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(16) == b"SQLite format 3\x00"


def _check_output(option: str, out: str, db: str | None) -> None:
    """Refuse an output path that cannot be written, or that is the ledger (exit 2)."""
    if out == "-":
        try:
            written = os.fstat(sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            return  # not a file (captured in a test, say): cannot be the ledger
    else:
        parent = Path(out).parent
        if not parent.is_dir():
            msg = f"cannot write {option} {out!r}: no directory {str(parent)!r}"
            raise _fail(msg, EXIT_USAGE)
        try:
            written = Path(out).stat()
        except OSError:
            return  # a new file: not the ledger
    target = _target(db)
    if _is_url(target):
        return
    # The database's companions (its write-ahead log) are the ledger too.
    for name in (target, *(target + end for end in ("-wal", "-shm", "-journal"))):
        try:
            held = Path(name).stat()
        except OSError:
            continue
        if (held.st_dev, held.st_ino) == (written.st_dev, written.st_ino):
            where = "standard output" if out == "-" else f"{option} {out!r}"
            msg = (
                f"{where} is the ledger's own file {name!r}: "
                "writing there would destroy the ledger; write to another file"
            )
            raise _fail(msg, EXIT_USAGE)


def _cannot_write(out: str, error: OSError) -> _Failure:
    where = "standard output" if out == "-" else repr(out)
    return _fail(f"cannot write {where}: {error.strerror or error}", EXIT_STORAGE)


# ---------------------------------------------------------------- import


class _Tally(list[InvalidReport]):
    """Keeps the first problems met while skipping invalid lines, and counts all."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.extra_lines = 0
        self.lines: set[tuple[str | None, int | None]] = set()

    def append(self, error: InvalidReport) -> None:
        self.total += 1
        self.lines.add((error.path, error.line))
        if len(self) < _SHOWN_ERRORS:
            super().append(error)

    def add(self, failure: InvalidFile) -> None:
        """Count every problem of a refused file (it lists only the first)."""
        for error in failure.errors:
            self.append(error)
        self.total += failure.count - len(failure.errors)
        self.extra_lines += failure.lines - len({e.line for e in failure.errors})

    @property
    def line_count(self) -> int:
        """How many lines had problems."""
        return len(self.lines) + self.extra_lines


def _listing(errors: Iterable[InvalidReport], count: int) -> list[str]:
    shown = [f"  {error}" for error in errors]
    if count > len(shown):
        shown.append(f"  ... and {count - len(shown)} more")
    return shown


@attrs.frozen
class _Source:
    """A file to import: a path, or stdin spooled to a temporary file."""

    file: str | IO[bytes]
    name: str

    def open(self) -> str | IO[bytes]:
        """The file to read, from its start."""
        if not isinstance(self.file, str):
            self.file.seek(0)
        return self.file

    def size(self) -> int:
        """Its size in bytes."""
        if isinstance(self.file, str):
            return Path(self.file).stat().st_size
        self.file.seek(0, os.SEEK_END)
        return self.file.tell()


@contextlib.contextmanager
def _sources(files: Sequence[str]) -> Iterator[list[_Source]]:
    """The files to read; stdin (``-``) is spooled once, as it cannot be re-read."""
    with contextlib.ExitStack() as stack:
        spool: IO[bytes] | None = None
        sources: list[_Source] = []
        for name in files:
            if name != "-":
                sources.append(_Source(name, name))
                continue
            if spool is None:
                spool = stack.enter_context(tempfile.TemporaryFile())
                for chunk in iter(lambda: sys.stdin.buffer.read(1 << 16), b""):
                    spool.write(chunk)
            sources.append(_Source(spool, "<stdin>"))
        yield sources


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
        yield bar.update


@cli.command("import")
@click.argument(
    "files",
    metavar="FILE...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", *CLAIMREVIEW_FORMATS]),
    default=None,
    help="The files' format [default: by extension, else by content].",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Record the valid lines (or reviews) and report the invalid ones "
    "(default: record nothing from the files if any is invalid).",
)
@click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="ClaimReview only: a JSON or CSV file mapping proposition keys to one key.",
)
@_db_option
def import_(
    files: tuple[str, ...],
    fmt: str | None,
    skip_invalid: bool,
    aliases: str | None,
    db: str | None,
) -> None:
    """Record the reports of JSON Lines, CSV or ClaimReview files (- reads stdin).

    Every file is read once, and the whole import is one transaction: if any
    line of any file is invalid, every problem is listed and nothing is
    recorded. Reports already in the ledger are skipped, so re-running an
    interrupted import completes it.
    """
    problems = _Tally()
    read = struck = 0
    with _ledger(db, create=True) as ledger:
        held = _held_in(ledger)
        total = sum(_size(name) for name in files)
        # Explicit report ids, across every file of this import.
        ids: dict[str, tuple[int, str, int]] = {}
        with _progress(total) as progress, _errors_as_exit_codes():

            def reports() -> Iterator[Report | StrikeRequest]:
                nonlocal read, struck
                for name in files:
                    for item in _read_one(
                        name, fmt, progress, held, ids, problems, aliases, skip_invalid
                    ):
                        if isinstance(item, StrikeRequest):
                            struck += 1
                        else:
                            read += 1
                        yield item
                # Strikes of reports not held are counted as they are met.
                if problems.total and not skip_invalid:
                    raise _invalid(problems)

            done = Recorded()
            try:
                # Strike problems are listed with the others (skip_invalid
                # here), so the import still records nothing unless asked.
                ledger.record_all(
                    reports(), skip_invalid=True, errors=problems, tally=done
                )
            except ConflictingReport as error:
                msg = f"{error}; nothing was recorded"
                raise _fail(msg, EXIT_INVALID_INPUT) from error
    new = done.reports
    summary = f"recorded {_count(new, 'new report')} ({read - new} already present)"
    if struck:
        present = struck - done.strikes - done.unknown
        summary += (
            f" and {_count(done.strikes, 'new strike')} ({present} already present)"
        )
    if problems.total:
        summary += f"; skipped {_count(problems.line_count, 'invalid line')}"
    click.echo(summary)
    if problems.total:
        counted = _count(problems.total, "problem")
        click.echo(f"{counted} on the skipped lines:", err=True)
        for line in _listing(problems, problems.total):
            click.echo(line, err=True)


def _size(name: str) -> int:
    """The size of a file to import, for the progress bar (0 for streams)."""
    if name == "-":
        return 0
    found = Path(name).stat()
    return found.st_size if stat.S_ISREG(found.st_mode) else 0


def _read_one(
    name: str,
    fmt: str | None,
    progress: Callable[[int], None] | None,
    held: Held,
    ids: dict[str, tuple[int, str, int]],
    problems: _Tally,
    aliases: str | None,
    skip_invalid: bool,
) -> Iterator[Report | StrikeRequest]:
    """The reports and strikes of one file of an import; problems go to ``problems``."""
    source: str | IO[bytes] = sys.stdin.buffer if name == "-" else name
    shown = "<stdin>" if name == "-" else name
    kind = fmt
    if kind is None and name != "-" and stat.S_ISREG(Path(name).stat().st_mode):
        kind = sniff_claimreview(name)
    if kind in CLAIMREVIEW_FORMATS:
        try:
            found = read_claimreviews(
                source,
                format=cast("Any", kind),
                skip_invalid=True,
                aliases=aliases,
                name=shown,
            )
        except InvalidFile as failure:  # a document that cannot be read at all
            for error in failure.errors:
                problems.append(error)
            return
        for error in found.skipped:
            problems.append(error)
        yield from found
        return
    try:
        yield from read_reports(
            source,
            name=shown,
            format=cast("Format | None", kind),
            skip_invalid=skip_invalid,
            errors=problems if skip_invalid else None,
            progress=progress,
            held=held,
            ids=ids,
            max_errors=_SHOWN_ERRORS,
            strikes=True,
        )
    except InvalidFile as failure:
        problems.add(failure)


def _invalid(problems: _Tally) -> _Failure:
    """The failure of an import with invalid lines: every problem listed."""
    message = "\n".join(
        [
            (
                f"{_count(problems.total, 'problem')} on "
                f"{_count(problems.line_count, 'line')}; nothing was recorded:"
            ),
            *_listing(problems[:_SHOWN_ERRORS], problems.total),
            "Fix these lines, or run with --skip-invalid to record the valid ones.",
        ]
    )
    return _fail(message, EXIT_INVALID_INPUT)


def _held_in(ledger: Ledger) -> Held:
    """Look report ids up in ``ledger``, a batch at a time."""
    return ledger.held


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# ---------------------------------------------------------------- queries


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = _time.human(value) if isinstance(value, date) else str(value)
    # Reports come from anywhere: never let one move the cursor or recolour
    # the terminal, or break the table with a line break.
    return "".join(
        " " if char in "\t\n\r" else "\ufffd" if _is_control(char) else char
        for char in text
    )


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs")


def _width(text: str) -> int:
    return sum(
        0
        if unicodedata.combining(char)
        else 2
        if unicodedata.east_asian_width(char) in "WF"
        else 1
        for char in text
    )


def _echo_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    empty: str | None = None,
    notes: bool = False,
) -> bool:
    """Print ``rows`` under ``headers`` in aligned columns; False if there were none.

    The widths depend on every row, so the rows are spooled (to disk once
    large) while they are measured, then printed: a whole-ledger table never
    sits in memory. With ``empty``, no rows print that line instead of the
    headers. With ``notes``, each row carries one more item, a text printed
    after the table (after a blank line), in the rows' order.
    """
    widths = [_width(header) for header in headers]
    columns = len(headers)
    count = 0
    with (
        tempfile.SpooledTemporaryFile(
            max_size=_SPOOLED_BYTES, mode="w+", encoding="utf-8"
        ) as cells,
        tempfile.SpooledTemporaryFile(
            max_size=_SPOOLED_BYTES, mode="w+", encoding="utf-8"
        ) as texts,
    ):
        for row in rows:
            found = [_cell(value) for value in row[:columns]]
            widths = [max(w, _width(c)) for w, c in zip(widths, found, strict=True)]
            cells.write(json.dumps(found, ensure_ascii=False) + "\n")
            if notes:
                texts.write(json.dumps(_cell_lines(str(row[columns]))) + "\n")
            count += 1
        if not count:
            if empty is not None:
                click.echo(empty)
            return False
        click.echo(_aligned(headers, widths))
        cells.seek(0)
        for line in cells:
            click.echo(_aligned(json.loads(line), widths))
        texts.seek(0)
        for text in texts:
            click.echo("")
            click.echo(json.loads(text))
    return True


def _sources_of(reports: Iterable[Report]) -> str:
    sources = list(dict.fromkeys(report.source for report in reports))
    if len(sources) <= 2:
        return "; ".join(sources)
    return f"{sources[0]} (+{len(sources) - 1} more)"


def _asked(value: TimePoint) -> str:
    """A time given on the command line, for a message: a datetime stays a time."""
    return _time.human(value, exact=True)


def _key(key: str) -> str:
    """A key as given on the command line, as reports hold it (NFC, trimmed)."""
    return normalise_name(key)


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
@_on_option("What was known by this date")
@click.argument("keys", metavar="[KEY]...", nargs=-1)
@click.option(
    "--explain", is_flag=True, help="Say in a few sentences why each is believed."
)
@click.option(
    "--according-to",
    "source",
    metavar="SOURCE",
    default=None,
    help="Only this source's reports (default: every proposition it reported on).",
)
@_recorded_option
@_json_option
@_db_option
def believed(
    on: TimePoint | None,
    keys: tuple[str, ...],
    explain: bool,
    source: str | None,
    recorded: TimePoint | None,
    as_json: bool,
    db: str | None,
) -> None:
    """What was believed on DATE about KEY... (default: every proposition)."""
    asked = "now" if on is None else _asked(on)
    on = _now() if on is None else on
    with (
        _ledger(db, create=False) as ledger,
        _errors_as_exit_codes(),
        contextlib.ExitStack() as stack,
    ):
        beliefs: Iterable[Belief]
        keys = tuple(_key(key) for key in keys)
        if source is not None:
            beliefs = _according_to(ledger, keys, on, recorded, _key(source))
        elif keys:
            beliefs = [ledger.belief(key, on=on, recorded=recorded) for key in keys]
        else:
            # Streamed: a whole-ledger answer never holds every belief at once.
            beliefs = ledger.iter_beliefs(on=on, recorded=recorded)
            # Ended while the ledger is open, even if printing fails (| head).
            stack.enter_context(contextlib.closing(cast("Generator[Belief]", beliefs)))
        if as_json:
            _print_json_stream(_belief_json(b, explain=explain) for b in beliefs)
            return
        by = "" if source is None else f" from {_cell(source)}"
        rows = (
            (
                b.proposition,
                b.status.value,
                b.since,
                b.occurred_at,
                len(b.supporting),
                len(b.opposing),
                _sources_of(b.decided_by),
                *((b.explain(),) if explain else ()),
            )
            for b in beliefs
        )
        headers = ("PROPOSITION", "STATUS", "SINCE", "OCCURRED", "FOR", "AGAINST")
        if not _echo_table((*headers, "DECIDED BY"), rows, notes=explain):
            click.echo(
                _nothing_known(
                    f"no proposition had a report{by}",
                    asked,
                    recorded,
                    lambda: _any_known(ledger, on, source),
                )
            )


def _nothing_known(
    nothing: str,
    on: str,
    recorded: TimePoint | None,
    known_now: Callable[[], bool],
) -> str:
    """Say which clock emptied an answer: ``--on`` (knowledge) or ``--recorded``.

    ``nothing`` opens the sentence ("no proposition had a report"), ``on`` is
    the ``--on`` asked about, as shown; ``known_now`` says whether the answer
    would not be empty without ``--recorded``.
    """
    if recorded is not None and known_now():
        return (
            f"{nothing} by {on} that was recorded by {_asked(recorded)} "
            "(--recorded): the reports known by then were recorded later"
        )
    return f"{nothing} by {on}"


def _any_known(ledger: Ledger, on: TimePoint, source: str | None) -> bool:
    """Whether any report (by ``source``, if given) is known by ``on``, as of now."""
    wanted = None if source is None else _key(source)
    known = cast("Generator[tuple[str, list[Report]]]", ledger.known(on=on))
    with contextlib.closing(known):  # ended while the ledger is open
        return any(
            wanted is None or report.source == wanted
            for _, reports in known
            for report in reports
        )


def _print_json_stream(items: Iterable[object]) -> None:
    """Print a JSON array as :func:`_print_json` does, one element at a time."""
    _print_json_texts(json.dumps(item, ensure_ascii=False, indent=2) for item in items)


def _according_to(
    ledger: Ledger,
    keys: Sequence[str],
    on: TimePoint,
    recorded: TimePoint | None,
    source: str,
) -> list[Belief]:
    """``believed --according-to``: the beliefs from ``source``'s reports only."""
    if not keys:
        keys = [
            key
            for key, reports in ledger.known(on=on, recorded=recorded)
            if any(report.source == source for report in reports)
        ]
    return [
        ledger.belief(key, on=on, recorded=recorded, according_to=source)
        for key in keys
    ]


def _belief_json(belief: Belief, *, explain: bool = False) -> dict[str, Any]:
    """``belief_to_dict``, with any confirmed rivals (and the explanation)."""
    data = belief_to_dict(belief)
    if belief.rivals:
        data["rivals"] = list(belief.rivals)
    if explain:
        data["explanation"] = belief.explain()
    return data


def _cell_lines(text: str) -> str:
    # Each line is made safe for the terminal, as a table cell is.
    return "\n".join(_cell(line) for line in text.splitlines())


@cli.command()
@_on_option("Track records as they stood on this date")
@_recorded_option
@_json_option
@_db_option
def sources(
    on: TimePoint | None, recorded: TimePoint | None, as_json: bool, db: str | None
) -> None:
    """Every source with a report by DATE, and its track record then.

    A stance is right when the outcome without the source (its proposition's
    status under the default policy over every other source's reports) agrees
    with it, wrong when it goes the other way, open otherwise.
    """
    asked = "now" if on is None else _asked(on)
    on = _now() if on is None else on
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        records = ledger.track_records(on=on, recorded=recorded)
        if not records and not as_json:
            click.echo(
                _nothing_known(
                    "no source had a report",
                    asked,
                    recorded,
                    lambda: _any_known(ledger, on, None),
                )
            )
            return
    if as_json:
        _print_json([_record_json(record) for record in records])
        return
    rows = [(r.source, len(r.entries), r.right, r.wrong, r.open) for r in records]
    headers = ("SOURCE", "PROPOSITIONS", "RIGHT", "WRONG", "OPEN")
    _echo_table(headers, rows)


def _record_json(record: TrackRecord) -> dict[str, Any]:
    """A track record as a JSON-able object (see ``docs/cli.md``)."""
    return {
        "source": record.source,
        "on": _time.isoformat(record.on),
        "right": record.right,
        "wrong": record.wrong,
        "open": record.open,
        "entries": [
            {
                "proposition": entry.proposition,
                "stance": entry.stance.value,
                "outcome": entry.outcome.value,
                "mark": entry.mark.value,
                "decided_by": [report.report_id for report in entry.decided_by],
            }
            for entry in record.entries
        ],
    }


@cli.command()
@click.argument("question")
@_on_option("What was known by this date")
@_recorded_option
@_json_option
@_db_option
def answers(
    question: str,
    on: TimePoint | None,
    recorded: TimePoint | None,
    as_json: bool,
    db: str | None,
) -> None:
    """The answers to QUESTION known by DATE, most believed first."""
    asked = "now" if on is None else _asked(on)
    on = _now() if on is None else on
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        found = ledger.answers(_key(question), on=on, recorded=recorded)
        if not found and not as_json:
            click.echo(
                _nothing_known(
                    f"no answer to {_cell(question)} had a report",
                    asked,
                    recorded,
                    lambda: bool(ledger.answers(_key(question), on=on)),
                )
            )
            return
    if as_json:
        _print_json([_belief_json(belief, explain=True) for belief in found])
        return
    rows = [
        (rank, b.proposition, b.status.value, b.since, ", ".join(b.rivals))
        for rank, b in enumerate(found, start=1)
    ]
    headers = ("RANK", "PROPOSITION", "STATUS", "SINCE", "CONFIRMED RIVALS")
    _echo_table(headers, rows)


@cli.command()
@click.argument("key")
@_recorded_option
@_json_option
@_db_option
def timeline(
    key: str, recorded: TimePoint | None, as_json: bool, db: str | None
) -> None:
    """How the status of KEY changed over knowledge time."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        entries = ledger.history(_key(key), recorded=recorded)
        held_at = None if recorded is None else _time.cutoff(recorded, "recorded")
        reports = projections.active_reports(entries, recorded=held_at)
        periods = list(projections.status_periods(_key(key), reports, ledger.policy))
    if as_json:
        _print_json([period_to_dict(period) for period in periods])
        return
    rows = [(p.since, p.status.value, _sources_of(p.decided_by)) for p in periods]
    _echo_table(("SINCE", "STATUS", "DECIDED BY"), rows)


@cli.command()
@click.argument("key")
@_recorded_option
@_json_option
@_db_option
def history(
    key: str, recorded: TimePoint | None, as_json: bool, db: str | None
) -> None:
    """Every report about KEY, in reported order (struck ones marked)."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        entries = ledger.history(_key(key), recorded=recorded)
    if as_json:
        _print_json([entry_to_dict(entry) for entry in entries])
        return
    rows = [
        (
            e.report.reported_at,
            e.report.kind.value,
            e.report.source,
            e.report.occurred_at,
            e.report.report_id,
            e.recorded_at,
            "" if e.strike is None else f"struck: {e.strike.reason}",
        )
        for e in entries
    ]
    headers = (
        "REPORTED",
        "KIND",
        "SOURCE",
        "OCCURRED",
        "REPORT ID",
        "RECORDED",
        "NOTE",
    )
    _echo_table(headers, rows)


@cli.command()
@click.option("--since", type=_TIME, required=True, help="Changes after this time.")
@click.option("--until", type=_TIME, required=True, help="Changes by this time.")
@_recorded_option
@_json_option
@_db_option
def changes(
    since: TimePoint,
    until: TimePoint,
    recorded: TimePoint | None,
    as_json: bool,
    db: str | None,
) -> None:
    """Every change of status after --since and by --until."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        if as_json:

            def as_text(before: Status, period: Period) -> str:
                return json.dumps(
                    _change_dict(period.since, before, period),
                    ensure_ascii=False,
                    indent=2,
                )

            _print_json_texts(_changes(ledger, since, until, recorded, as_text))
            return

        def as_row(before: Status, period: Period) -> str:
            cells = (
                _cell(period.since),
                period.proposition,
                before.value,
                period.status.value,
                _sources_of(period.decided_by),
            )
            return json.dumps(cells, ensure_ascii=False)

        found = _changes(ledger, since, until, recorded, as_row)
        _echo_table(
            ("AT", "PROPOSITION", "FROM", "TO", "DECIDED BY"),
            (json.loads(row) for row in found),
            empty=f"no change of status after {_cell(since)} and by {_cell(until)}",
        )


def _changes(
    ledger: Ledger,
    since: TimePoint,
    until: TimePoint,
    recorded: TimePoint | None,
    render: Callable[[Status, Period], str],
) -> Iterator[str]:
    """``Ledger.changes`` as ``render(status before, period)``, in time order.

    Linear in the reports, and in bounded memory: each proposition's periods
    are folded in turn and the rendered changes sorted in a scratch database.
    """
    start = _time.cutoff(since, "since")
    end = _time.cutoff(until, "until")
    if end < start:
        msg = f"--until {_asked(until)} is before --since {_asked(since)}"
        raise InvalidArgument(msg)
    held_at = None if recorded is None else _time.cutoff(recorded, "recorded")

    def found() -> Iterator[tuple[int, str, str]]:
        for key, entries in ledger.histories():
            reports = projections.active_reports(entries, recorded=held_at)
            before = Status.UNKNOWN
            for period in projections.status_periods(key, reports, ledger.policy):
                moment = _time.start(period.since)
                if start < moment <= end:
                    yield micros(moment), key, render(before, period)
                before = period.status

    with _spool.spool() as scratch:
        scratch.execute("CREATE TABLE changes (at INTEGER, key TEXT, text TEXT)")
        _spool.insert(scratch, "changes", found())
        query = "SELECT text FROM changes ORDER BY at, key"
        yield from _spool.rows(scratch, query)


def _print_json_texts(texts: Iterable[str]) -> None:
    """Print a JSON array of elements already written with ``indent=2``."""
    first = True
    for text in texts:
        click.echo(("[\n" if first else ",\n") + textwrap.indent(text, "  "), nl=False)
        first = False
    click.echo("[]" if first else "\n]")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "claimreview"]),
    default=None,
    help="[default: csv if --output ends .csv, else jsonl]",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write to this file [default: stdout].",
)
@click.option(
    "--on",
    "on",
    type=_TIME,
    default=None,
    help="claimreview: the beliefs of this date [default: now].",
)
@click.option(
    "--author",
    default=None,
    help="claimreview: the organisation publishing the reviews (required).",
)
@_db_option
def export(
    fmt: str | None,
    output: str,
    on: TimePoint | None,
    author: str | None,
    db: str | None,
) -> None:
    """Write every report, and every strike, in the import format.

    JSON Lines keeps each strike as a line of its own after its report, so
    importing the file gives back the same ledger. CSV holds reports only: it
    leaves struck reports out, and says so on stderr. With --format
    claimreview, write instead one ClaimReview per proposition: its belief on
    --on, reviewed by --author, as JSON-LD.
    """
    if fmt is None:
        fmt = "csv" if output.lower().endswith(".csv") else "jsonl"
    if fmt == "claimreview":
        if author is None:
            raise _fail("--format claimreview needs --author ORG", EXIT_USAGE)
        _export_claimreview(output, _now() if on is None else on, author, db)
        return
    left_out = 0
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        _check_output("--output", output, db)
        entries = ledger.entries()

        def exported() -> Generator[Report | StrikeRequest]:
            nonlocal left_out
            for entry in entries:
                if entry.strike is None:
                    yield entry.report
                elif fmt == "csv":
                    left_out += 1
                else:
                    yield entry.report
                    yield StrikeRequest(entry.report.report_id, entry.strike.reason)

        reports = exported()
        try:
            if output == "-":
                write_reports(reports, sys.stdout.buffer, format=cast("Format", fmt))
                sys.stdout.buffer.flush()
            else:
                write_reports(reports, output, format=cast("Format", fmt))
        except (StorageError, BrokenPipeError):
            raise
        except OSError as error:
            _silence_stdout()
            raise _cannot_write(output, error) from error
        finally:
            # A write that failed part-way leaves the read open: end it while
            # the ledger is still open.
            reports.close()
            close = getattr(entries, "close", None)
            if close is not None:
                close()
    if left_out:
        click.echo(
            f"left out {_count(left_out, 'struck report')}: CSV holds no strikes; "
            "export JSON Lines (--format jsonl) to keep them",
            err=True,
        )


def _export_claimreview(
    output: str, on: TimePoint, author: str, db: str | None
) -> None:
    """``export --format claimreview``: the beliefs on ``on`` as JSON-LD."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        _check_output("--output", output, db)
        reviews = beliefs_to_claimreview(ledger, on=on, author=author)
    text = json.dumps(reviews, ensure_ascii=False, indent=1) + "\n"
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        with _replacing(output) as file:
            file.write(text)
    except OSError as error:
        raise _cannot_write(output, error) from error


# ---------------------------------------------------------------- strike


@cli.command()
@click.argument("report_id")
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why the report was a mistake; kept with the strike.",
)
@_db_option
def strike(report_id: str, reason: str, db: str | None) -> None:
    """Record that the report REPORT_ID was a mistake, and why.

    Nothing is deleted: the report stays in the ledger, marked struck in
    history, and no longer counts in any answer; answers with --recorded
    before the strike still see it. A report is struck once.
    """
    if not reason.strip():
        msg = "--reason must not be empty: say why the report is struck"
        raise _fail(msg, EXIT_USAGE)
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        report = ledger.held([report_id]).get(report_id)
        if report is None:
            msg = f"no report with report_id {report_id!r} has been recorded"
            raise _fail(msg, EXIT_UNKNOWN_PROPOSITION)
        if not ledger.strike(report_id, reason=reason):
            first = next(
                e.strike
                for e in ledger.history(report.proposition)
                if e.report.report_id == report_id and e.strike is not None
            )
            msg = (
                f"report {report_id!r} is already struck (on "
                f"{_cell(first.recorded_at)}: {_cell(first.reason)}); "
                "nothing was written"
            )
            raise _fail(msg, EXIT_INVALID_INPUT)
    click.echo(
        f"struck report {_cell(report_id)} about {_cell(report.proposition)}: "
        f"{_cell(reason)}"
    )


# ---------------------------------------------------------------- propositions


@cli.command()
@_json_option
@_db_option
def propositions(as_json: bool, db: str | None) -> None:
    """Every proposition: its status now, how many reports, its statement.

    Sorted by key. REPORTS counts the reports that count (struck ones are
    shown apart). The list is streamed, however many propositions there are.
    """
    with (
        _ledger(db, create=False) as ledger,
        _errors_as_exit_codes(),
        # Closed while the ledger is open, even if printing fails (| head).
        contextlib.closing(_propositions(ledger, _now())) as found,
    ):
        if as_json:
            _print_json_stream(found)
            return
        rows = (
            (
                p["proposition"],
                p["status"],
                p["reports"]
                if not p["struck"]
                else f"{p['reports']} (+{p['struck']} struck)",
                p["statement"],
            )
            for p in found
        )
        headers = ("PROPOSITION", "STATUS", "REPORTS", "STATEMENT")
        if not _echo_table(headers, rows):
            click.echo("no report has been recorded")


def _propositions(ledger: Ledger, now: datetime) -> Generator[dict[str, Any]]:
    """Each proposition as ``propositions --json`` prints it, one at a time."""
    policy = ledger.policy_on(on=now)
    histories = ledger.histories()
    try:
        for key, held in histories:  # one proposition's reports at a time
            reports = projections.active_reports(held, recorded=None)
            belief = projections.belief_at(key, reports, now, policy)
            statements = [e.report.statement for e in held if e.report.statement]
            yield {
                "proposition": key,
                "statement": belief.statement
                or (statements[-1] if statements else None),
                "reports": len(reports),
                "struck": len(held) - len(reports),
                "status": belief.status.value,
            }
    finally:
        # Ends the streamed read even when the reader stops early (| head).
        histories.close()


def _aligned(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [
        text + " " * (width - _width(text))
        for text, width in zip(cells, widths, strict=True)
    ]
    return "  ".join(padded).rstrip()


# ---------------------------------------------------------------- report


@cli.command()
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option(
    "--html",
    "html_out",
    metavar="OUT",
    default=None,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Write the belief timeline page to OUT (- for stdout).",
)
@click.option(
    "--png",
    "image_out",
    metavar="OUT",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="Write a static image to OUT: SVG if OUT ends .svg, else PNG "
    "(needs the png extra).",
)
@click.option(
    "--on",
    "on",
    type=_TIME,
    default=None,
    help="Show what was known by this date [default: now].",
)
@click.option("--title", default=None, help="The page's title.")
@_db_option
def report(
    keys: tuple[str, ...],
    html_out: str | None,
    image_out: str | None,
    on: TimePoint | None,
    title: str | None,
    db: str | None,
) -> None:
    """Draw the belief timeline of KEYs (default: all) as a page or an image."""
    if html_out is None and image_out is None:
        msg = "give --html OUT, --png OUT or both"
        raise _fail(msg, EXIT_USAGE)
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        if html_out is not None:
            _check_output("--html", html_out, db)
        if image_out is not None:
            _check_output("--png", image_out, db)
        chosen = tuple(_key(key) for key in keys) or None
        if image_out is not None:
            drawn = picture(ledger, chosen, on=on, title=title)
            counts = _count(len(drawn.rows), "proposition")
            counts += f", {_count(drawn.reports, 'report')}"
            try:
                with _replacing_path(image_out) as path:
                    drawn.write_image(path)
            except ImportError as error:
                raise _fail(str(error), EXIT_USAGE) from error
            except OSError as error:
                raise _cannot_write(image_out, error) from error
            click.echo(f"wrote {image_out}: {counts}", err=html_out == "-")
        if html_out is not None:
            # Written a row at a time: the page of a big ledger is never in memory.
            if html_out == "-":
                stdout = io.TextIOWrapper(
                    sys.stdout.buffer, encoding="utf-8", newline=""
                )
                write_html_page(ledger, stdout, chosen, on=on, title=title)
                stdout.detach()  # flushed; sys.stdout stays open
                return
            try:
                with _replacing(html_out) as file:
                    shown = write_html_page(ledger, file, chosen, on=on, title=title)
            except OSError as error:
                raise _cannot_write(html_out, error) from error
            counts = f"{_count(shown[0], 'proposition')}, {_count(shown[1], 'report')}"
            click.echo(f"wrote {html_out}: {counts}")


# ---------------------------------------------------------------- archive, verify


def archive_file(
    store: ArchiveStore,
    url: str,
    path: str | os.PathLike[str],
    *,
    retrieved_at: datetime,
    media_type: str | None = None,
) -> Archive:
    """Record the file at ``path`` as the archived copy of ``url``; return it."""
    archive = Archive.from_file(
        url, path, retrieved_at=retrieved_at, media_type=media_type
    )
    store.record_archive(archive)
    return archive


def verify_archives(store: ArchiveStore, reports: Iterable[Report]) -> list[Problem]:
    """Each report whose quote is not in the store's archive of its url, or has none."""
    return verify(reports, store.archives())


def _archive_store(ledger: Ledger) -> ArchiveStore:
    return ledger


@cli.command("archive")
@click.argument("url")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--media-type",
    default=None,
    help="What the file is, such as text/html [default: from its extension].",
)
@click.option(
    "--retrieved-at",
    type=_TIME,
    default=None,
    help="When the copy was retrieved, with a UTC offset [default: now].",
)
@_db_option
def archive_(
    url: str,
    file: str,
    media_type: str | None,
    retrieved_at: TimePoint | None,
    db: str | None,
) -> None:
    """Record FILE as the archived copy of the source at URL, once."""
    when = datetime.now(UTC) if retrieved_at is None else retrieved_at
    if not isinstance(when, datetime):
        when = datetime.combine(when, datetime.min.time(), tzinfo=UTC)
    with _ledger(db, create=True) as ledger, _errors_as_exit_codes():
        archive = archive_file(
            _archive_store(ledger), url, file, retrieved_at=when, media_type=media_type
        )
    click.echo(
        f"archived {archive.url}: {archive.media_type}, "
        f"{_count(archive.size, 'byte')}, sha256 {archive.sha256}"
    )


@cli.command("verify")
@_json_option
@_db_option
def verify_(as_json: bool, db: str | None) -> None:
    """Check every report's quote against the archived copy of its url.

    Lists each report whose quote is not in its archived source and each
    whose url has no archive; exits 1 if there is any.
    """
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        store = _archive_store(ledger)
        reports = (e.report for e in ledger.entries() if e.strike is None)
        problems = verify_archives(store, reports)
    if as_json:
        _print_json(
            [
                {
                    "report_id": p.report.report_id,
                    "url": p.report.url,
                    "reason": p.reason,
                    "message": p.message,
                }
                for p in problems
            ]
        )
    else:
        for problem in problems:
            click.echo(problem.message)
        click.echo(
            f"{_count(len(problems), 'problem')}"
            if problems
            else "every quote is in its archived source",
            err=bool(problems),
        )
    if problems:
        click.get_current_context().exit(EXIT_INVALID_INPUT)


def main(argv: Sequence[str] | None = None, *, prog_name: str = "ledger") -> None:
    """Run the ``ledger`` command line and exit (the console script's entry point)."""
    args = None if argv is None else list(argv)
    try:
        result = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.Abort:
        # Ctrl-C: the shell's convention (128 + SIGINT), not "invalid input".
        click.echo("Aborted!", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except OSError as error:
        # Printing the answer failed (ledger errors are StorageError, handled in
        # each command): a full disk, say. click itself exits 1, silently, when
        # the reader went away (| head).
        _silence_stdout()
        _cannot_write("-", error).show()
        sys.exit(EXIT_STORAGE)
    sys.exit(result if isinstance(result, int) else EXIT_OK)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
