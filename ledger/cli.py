"""The ``ledger`` command line: import report files, ask what was believed, report.

Exit codes: 0 success; 1 invalid input (nothing recorded); 2 usage error (a bad
option, argument or date); 3 unknown proposition; 4 the ledger could not be
opened, read or written; 130 interrupted. ``docs/cli.md`` describes every
command and the ``--json`` output.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import attrs
import click

from ledger import _time
from ledger._time import TimePoint
from ledger.analysis import TrackRecord
from ledger.application import Ledger
from ledger.errors import (
    InvalidArgument,
    InvalidReport,
    LedgerError,
    StorageError,
    UnknownProposition,
)
from ledger.io import (
    Format,
    Held,
    InvalidFile,
    belief_to_dict,
    change_to_dict,
    check_reports,
    entry_to_dict,
    read_reports,
    write_reports,
)
from ledger.values import Belief, Entry, Report

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_STORAGE",
    "EXIT_UNKNOWN_PROPOSITION",
    "EXIT_USAGE",
    "cli",
    "main",
]

EXIT_OK = 0
"""The command did what was asked."""
EXIT_INVALID_INPUT = 1
"""A report file (or report) was invalid; nothing was recorded."""
EXIT_USAGE = 2
"""A bad option, argument or date on the command line (click's usage error)."""
EXIT_UNKNOWN_PROPOSITION = 3
"""``timeline`` or ``history`` was asked about a proposition with no reports."""
EXIT_STORAGE = 4
"""The ledger could not be opened, read or written."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C); an import can be run again to complete it."""

_SHOWN_ERRORS = 50
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
    except UnknownProposition as error:
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

_db_option = click.option(
    "--db",
    "db",
    metavar="PATH",
    default=None,
    help="The ledger: a SQLite file or postgresql:// URL "
    "[default: $LEDGER_DB, else ./ledger.db].",
)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    metavar="PATH",
    envvar="LEDGER_DB",
    default="ledger.db",
    show_default=True,
    help="The ledger: a SQLite file or postgresql:// URL (or set LEDGER_DB).",
)
@click.version_option(package_name="claims-ledger", prog_name="ledger")
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
    if not create and not _is_url(target) and not Path(target).exists():
        msg = (
            f"no ledger at {target!r}: import reports first, or name the ledger "
            "with --db PATH or LEDGER_DB"
        )
        raise _fail(msg, EXIT_STORAGE)
    with _errors_as_exit_codes(), Ledger.open(target) as ledger:
        yield ledger


# ---------------------------------------------------------------- import


class _Tally(list[InvalidReport]):
    """Keeps the first problems met while skipping invalid lines, and counts all."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.lines: set[tuple[str | None, int | None]] = set()

    def append(self, error: InvalidReport) -> None:
        self.total += 1
        self.lines.add((error.path, error.line))
        if len(self) < _SHOWN_ERRORS:
            super().append(error)


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
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="The files' format [default: by extension, else by content].",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Record the valid lines and report the invalid ones (default: record "
    "nothing from the files if any line is invalid).",
)
@_db_option
def import_(
    files: tuple[str, ...], fmt: Format | None, skip_invalid: bool, db: str | None
) -> None:
    """Record the reports of JSON Lines or CSV files (- reads stdin).

    Every file is checked first; if any line of any file is invalid, every
    problem is listed and nothing is recorded. Reports already in the ledger
    are skipped, so re-running an interrupted import completes it.
    """
    with _sources(files) as sources, _ledger(db, create=True) as ledger:
        held = _held_in(ledger)
        passes = 1 if skip_invalid else 2
        total = sum(source.size() for source in sources) * passes
        with _progress(total) as progress, _errors_as_exit_codes():
            if not skip_invalid:
                _check_all(sources, fmt, progress, held)
            skipped = _Tally()
            read = 0

            def reports() -> Iterator[Report]:
                nonlocal read
                for source in sources:
                    for report in read_reports(
                        source.open(),
                        name=source.name,
                        format=fmt,
                        skip_invalid=True,
                        errors=skipped,
                        progress=progress,
                        held=held,
                    ):
                        read += 1
                        yield report

            new = ledger.record_all(reports())
    summary = f"recorded {_count(new, 'new report')} ({read - new} already present)"
    if skipped.total:
        summary += f"; skipped {_count(len(skipped.lines), 'invalid line')}"
    click.echo(summary)
    if skipped.total:
        problems = _count(skipped.total, "problem")
        click.echo(f"{problems} on the skipped lines:", err=True)
        for line in _listing(skipped, skipped.total):
            click.echo(line, err=True)


def _held_in(ledger: Ledger) -> Held:
    """Look report ids up in ``ledger``, a batch at a time."""
    return ledger.held


def _check_all(
    sources: Sequence[_Source],
    fmt: Format | None,
    progress: Callable[[int], None] | None,
    held: Held,
) -> None:
    failures: list[InvalidFile] = []
    for source in sources:
        try:
            check_reports(
                source.open(),
                name=source.name,
                format=fmt,
                max_errors=_SHOWN_ERRORS,
                progress=progress,
                held=held,
            )
        except InvalidFile as failure:
            failures.append(failure)
    if not failures:
        return
    count = sum(failure.count for failure in failures)
    lines = sum(failure.lines for failure in failures)
    errors = [error for failure in failures for error in failure.errors]
    message = "\n".join(
        [
            (
                f"{_count(count, 'problem')} on {_count(lines, 'line')}; "
                "nothing was recorded:"
            ),
            *_listing(errors[:_SHOWN_ERRORS], count),
            "Fix these lines, or run with --skip-invalid to record the valid ones.",
        ]
    )
    raise _fail(message, EXIT_INVALID_INPUT)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# ---------------------------------------------------------------- queries


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = _time.isoformat(value) if isinstance(value, date) else str(value)
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


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [list(headers), *([_cell(value) for value in row] for row in rows)]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [
            text + " " * (width - _width(text))
            for text, width in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _sources_of(reports: Iterable[Report]) -> str:
    sources = list(dict.fromkeys(report.source for report in reports))
    if len(sources) <= 2:
        return "; ".join(sources)
    return f"{sources[0]} (+{len(sources) - 1} more)"


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command()
@click.option("--on", "on", type=_TIME, required=True, help="The knowledge date.")
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
    on: TimePoint,
    keys: tuple[str, ...],
    explain: bool,
    source: str | None,
    recorded: TimePoint | None,
    as_json: bool,
    db: str | None,
) -> None:
    """What was believed on DATE about KEY... (default: every proposition)."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        beliefs: Sequence[Belief]
        if source is not None:
            beliefs = _according_to(ledger, keys, on, recorded, source)
        elif keys:
            beliefs = [ledger.belief(key, on=on, recorded=recorded) for key in keys]
        else:
            beliefs = ledger.beliefs(on=on, recorded=recorded)
    if as_json:
        _print_json([_belief_json(belief, explain=explain) for belief in beliefs])
        return
    if not beliefs:
        by = "" if source is None else f" from {_cell(source)}"
        click.echo(f"no proposition had a report{by} by {_cell(on)}")
        return
    rows = [
        (
            b.proposition,
            b.status.value,
            b.since,
            b.occurred_at,
            len(b.supporting),
            len(b.opposing),
            _sources_of(b.decided_by),
        )
        for b in beliefs
    ]
    headers = ("PROPOSITION", "STATUS", "SINCE", "OCCURRED", "FOR", "AGAINST")
    click.echo(_table((*headers, "DECIDED BY"), rows))
    if explain:
        _print_explanations(beliefs)


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


def _print_explanations(beliefs: Iterable[Belief]) -> None:
    for belief in beliefs:
        click.echo("")
        click.echo(_cell_lines(belief.explain()))


def _cell_lines(text: str) -> str:
    # Each line is made safe for the terminal, as a table cell is.
    return "\n".join(_cell(line) for line in text.splitlines())


@cli.command()
@click.option("--on", "on", type=_TIME, required=True, help="The knowledge date.")
@_recorded_option
@_json_option
@_db_option
def sources(
    on: TimePoint, recorded: TimePoint | None, as_json: bool, db: str | None
) -> None:
    """Every source with a report by DATE, and its track record then.

    A stance is right when the outcome without the source (its proposition's
    status under the default policy over every other source's reports) agrees
    with it, wrong when it goes the other way, open otherwise.
    """
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        records = ledger.track_records(on=on, recorded=recorded)
    if as_json:
        _print_json([_record_json(record) for record in records])
        return
    if not records:
        click.echo(f"no source had a report by {_cell(on)}")
        return
    rows = [(r.source, len(r.entries), r.right, r.wrong, r.open) for r in records]
    headers = ("SOURCE", "PROPOSITIONS", "RIGHT", "WRONG", "OPEN")
    click.echo(_table(headers, rows))


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
@click.option("--on", "on", type=_TIME, required=True, help="The knowledge date.")
@_recorded_option
@_json_option
@_db_option
def answers(
    question: str,
    on: TimePoint,
    recorded: TimePoint | None,
    as_json: bool,
    db: str | None,
) -> None:
    """The answers to QUESTION known by DATE, most believed first."""
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        found = ledger.answers(question, on=on, recorded=recorded)
    if as_json:
        _print_json([_belief_json(belief, explain=True) for belief in found])
        return
    if not found:
        click.echo(f"no answer to {_cell(question)} had a report by {_cell(on)}")
        return
    rows = [
        (rank, b.proposition, b.status.value, b.since, ", ".join(b.rivals))
        for rank, b in enumerate(found, start=1)
    ]
    headers = ("RANK", "PROPOSITION", "STATUS", "SINCE", "CONFIRMED RIVALS")
    click.echo(_table(headers, rows))


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
        beliefs = ledger.timeline(key, recorded=recorded)
    if as_json:
        _print_json([belief_to_dict(belief) for belief in beliefs])
        return
    rows = [(b.since, b.status.value, _sources_of(b.decided_by)) for b in beliefs]
    click.echo(_table(("SINCE", "STATUS", "DECIDED BY"), rows))


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
        entries = ledger.history(key, recorded=recorded)
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
            "" if e.strike is None else f"struck: {e.strike.reason}",
        )
        for e in entries
    ]
    headers = ("REPORTED", "KIND", "SOURCE", "OCCURRED", "REPORT ID", "NOTE")
    click.echo(_table(headers, rows))


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
        found = ledger.changes(since=since, until=until, recorded=recorded)
    if as_json:
        _print_json([change_to_dict(change) for change in found])
        return
    if not found:
        click.echo(f"no change of status after {_cell(since)} and by {_cell(until)}")
        return
    rows = [
        (
            c.at,
            c.proposition,
            c.before.value,
            c.after.value,
            _sources_of(c.belief.decided_by),
        )
        for c in found
    ]
    click.echo(_table(("AT", "PROPOSITION", "FROM", "TO", "DECIDED BY"), rows))


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
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
@_db_option
def export(fmt: Format | None, output: str, db: str | None) -> None:
    """Write every report that is not struck, in the import format."""
    if fmt is None:
        fmt = "csv" if output.lower().endswith(".csv") else "jsonl"
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        reports = (entry.report for entry in ledger.entries() if entry.strike is None)
        if output == "-":
            write_reports(reports, sys.stdout.buffer, format=fmt)
            sys.stdout.buffer.flush()
        else:
            write_reports(reports, output, format=fmt)


# ---------------------------------------------------------------- report --html

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em;
       padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { text-align: left; vertical-align: top; padding: .25em .8em .25em 0;
         border-bottom: 1px solid #ddd; }
.status { font-weight: 600; }
.claimed { color: #8a6d00; } .disputed { color: #b35900; }
.confirmed { color: #1b7a1b; } .refuted { color: #b00020; } .unknown { color: #666; }
.struck { text-decoration: line-through; color: #888; }
blockquote { margin: 0; color: #444; font-style: italic; }
"""


def _h(value: object) -> str:
    return html.escape(_cell(value))


def _status(status: str) -> str:
    return f'<span class="status {status}">{status}</span>'


def _link(url: str | None) -> str:
    # Only web links become links: a report's url may be anything, javascript: too.
    if url is None:
        return ""
    if url.lower().startswith(("http://", "https://")):
        return (
            f'<a href="{html.escape(url, quote=True)}" rel="noreferrer">{_h(url)}</a>'
        )
    return _h(url)


def _anchor(key: str) -> str:
    return "p-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _html_report(ledger: Ledger, on: TimePoint) -> tuple[str, int, int]:
    """The HTML page for ``report --html``, and how many propositions and reports."""
    beliefs = ledger.beliefs(on=on)
    cutoff = _time.cutoff(on, "on")
    when = _h(on)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>What was believed on {when}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>What was believed on {when}</h1>",
        f"<p>{_count(len(beliefs), 'proposition')} with a report by {when}.</p>",
        _html_row("th", "Proposition", "Status", "Since", "Occurred", "For", "Against"),
    ]
    parts[-1] = "<table>" + parts[-1]
    parts.extend(
        _html_row(
            "td",
            f'<a href="#{_anchor(b.proposition)}">{_h(b.proposition)}</a>',
            _status(b.status.value),
            _h(b.since),
            _h(b.occurred_at),
            str(len(b.supporting)),
            str(len(b.opposing)),
        )
        for b in beliefs
    )
    parts.append("</table>")
    reports = 0
    for b in beliefs:
        parts.append(f'<section id="{_anchor(b.proposition)}">')
        parts.append(f"<h2>{_h(b.proposition)}</h2>")
        if b.statement is not None:
            parts.append(f"<p>{_h(b.statement)}</p>")
        parts.append("<h3>Timeline</h3><table>")
        parts.append(_html_row("th", "Since", "Status", "Decided by"))
        parts.extend(
            _html_row(
                "td",
                _h(period.since),
                _status(period.status.value),
                "; ".join(_h(source) for source in _unique_sources(period)),
            )
            for period in ledger.timeline(b.proposition)
            if period.since is not None and _time.start(period.since) <= cutoff
        )
        parts.append("</table><h3>Reports</h3><table>")
        parts.append(_html_row("th", "Reported", "Kind", "Source", "Quote", "Link"))
        for entry in ledger.history(b.proposition):
            if entry.report.known_from <= cutoff:
                reports += 1
                parts.append(_html_entry(entry))
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n", len(beliefs), reports


def _html_row(tag: str, *cells: str) -> str:
    inner = "".join(f"<{tag}>{cell}</{tag}>" for cell in cells)
    return f"<tr>{inner}</tr>"


def _html_entry(entry: Entry) -> str:
    report = entry.report
    source = _h(report.source)
    if entry.strike is not None:
        source += f"<br>struck: {_h(entry.strike.reason)}"
    quote = (
        "" if report.quote is None else f"<blockquote>{_h(report.quote)}</blockquote>"
    )
    row = _html_row(
        "td",
        _h(report.reported_at),
        _status(report.kind.value),
        source,
        quote,
        _link(report.url),
    )
    return (
        row if entry.strike is None else row.replace("<tr>", '<tr class="struck">', 1)
    )


def _unique_sources(belief: Belief) -> list[str]:
    return list(dict.fromkeys(report.source for report in belief.decided_by))


@cli.command()
@click.option(
    "--html",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Write the HTML page to this file (- for stdout).",
)
@click.option(
    "--on",
    "on",
    type=_TIME,
    default=None,
    help="The knowledge date [default: now].",
)
@_db_option
def report(out: str, on: TimePoint | None, db: str | None) -> None:
    """Write a self-contained HTML page of what was believed, and why."""
    when: TimePoint = datetime.now(UTC) if on is None else on
    with _ledger(db, create=False) as ledger, _errors_as_exit_codes():
        page, propositions, reports = _html_report(ledger, when)
    if out == "-":
        click.echo(page, nl=False)
        return
    Path(out).write_text(page, encoding="utf-8")
    click.echo(
        f"wrote {out}: {_count(propositions, 'proposition')}, "
        f"{_count(reports, 'report')}"
    )


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
    sys.exit(result if isinstance(result, int) else EXIT_OK)
