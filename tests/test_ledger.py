"""The Ledger on every backend: recording, strikes, audits, queries, storage."""

import gc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger import (
    ConflictingReport,
    InvalidArgument,
    InvalidReport,
    Kind,
    Ledger,
    LedgerError,
    Recorded,
    Report,
    Status,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger._storage import Target, holds_ledger
from ledger.values import StrikeRequest

KEY = "baghdadi-killed-raqqa-strike-2017"
RAID = "baghdadi-killed-us-raid-2019"
OpenLedger = Callable[[], Ledger]


def claim(key: str = KEY, day: date = date(2017, 6, 16), **extra: Any) -> Report:
    """A claim about ``key`` reported on ``day``."""
    fields: dict[str, Any] = {"source": "Russian Ministry of Defence", **extra}
    return Report(kind=Kind.CLAIMED, proposition=key, reported_at=day, **fields)


def test_recording_returns_ids_and_is_idempotent(ledger: Ledger) -> None:
    """Recording the same report twice keeps one copy."""
    first = ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    again = ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    assert first == again
    assert [entry.report.report_id for entry in ledger.history(KEY)] == [first]
    assert ledger.record(claim(), claim()) == (claim().report_id,) * 2
    assert len(ledger.history(KEY)) == 2


def test_record_all_streams_and_counts_new_reports(ledger: Ledger) -> None:
    """record_all records in batches and counts only new reports."""
    reports = [claim(day=date(2017, 6, day)) for day in range(1, 26)]
    assert ledger.record_all(iter(reports), batch_size=4) == 25
    assert ledger.record_all(reports, batch_size=7) == 0
    assert len(ledger.history(KEY)) == 25
    with pytest.raises(InvalidArgument, match="batch_size must be at least 1"):
        ledger.record_all(reports, batch_size=0)


def test_record_all_leaves_the_garbage_collector_as_it_found_it(
    ledger: Ledger,
) -> None:
    """Its automatic runs are paused while a write reads its stream, never after."""
    seen: list[bool] = []

    def stream(count: int, *, fail: bool = False) -> Iterator[Report]:
        for day in range(1, count + 1):
            seen.append(gc.isenabled())
            yield claim(day=date(2018, 1, day))
        if fail:
            raise RuntimeError("the stream broke")

    assert gc.isenabled()
    ledger.record_all(stream(6), batch_size=2)
    assert gc.isenabled()
    assert not any(seen)  # paused while the stream was read
    with pytest.raises(RuntimeError, match="the stream broke"):
        ledger.record_all(stream(3, fail=True), batch_size=2)
    assert gc.isenabled()
    ledger.rebuild_view(batch_size=2)
    ledger.catch_up()
    assert gc.isenabled()
    gc.disable()
    try:
        ledger.record_all(stream(4), batch_size=2)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_conflicting_report_id_records_nothing(ledger: Ledger) -> None:
    """A batch reusing an id for different content fails whole."""
    ledger.record(claim(report_id="ru-1"))
    other = claim(day=date(2017, 6, 17), report_id="ru-1")
    fresh = claim(RAID, report_id="us-1")
    with pytest.raises(ConflictingReport, match="report_id 'ru-1' is already used"):
        ledger.record(fresh, other)
    assert ledger.propositions() == (KEY,)


def test_report_id_is_unique_across_propositions(ledger: Ledger) -> None:
    """The same report_id cannot name reports about two propositions."""
    ledger.record(claim(report_id="x"))
    with pytest.raises(ConflictingReport):
        ledger.record(claim(RAID, report_id="x"))


def test_conflict_within_one_batch(ledger: Ledger) -> None:
    """Two different reports with one id in the same batch: nothing is recorded."""
    with pytest.raises(ConflictingReport):
        ledger.record(claim(report_id="x"), claim(RAID, report_id="x"))
    assert ledger.propositions() == ()


def test_record_rejects_non_reports(ledger: Ledger) -> None:
    """record() and record_all() name (counting from 1) the item that is no Report."""
    with pytest.raises(InvalidArgument, match=r"argument 2 is dict"):
        ledger.record(claim(), {"kind": "claimed"})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"argument 2 is dict"):
        ledger.record_all([claim(), {"kind": "claimed"}])  # type: ignore[list-item]
    assert ledger.propositions() == ()


def test_strike_removes_a_report_from_answers_but_not_from_history(
    ledger: Ledger,
) -> None:
    """A struck refutation no longer counts; history still shows it, struck."""
    ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    wrong = ledger.refute(KEY, source="b", reported_at=date(2017, 6, 17))
    assert ledger.belief(KEY, on=date(2017, 7, 1)).status is Status.REFUTED
    before_strike = ledger.history(KEY)[-1].recorded_at
    ledger.strike(wrong, reason="entered twice by mistake")
    assert ledger.belief(KEY, on=date(2017, 7, 1)).status is Status.CLAIMED
    entry = ledger.history(KEY)[1]
    assert entry.report.report_id == wrong
    assert entry.strike is not None
    assert entry.strike.reason == "entered twice by mistake"
    assert entry.strike.recorded_at > before_strike
    audit = ledger.belief(KEY, on=date(2017, 7, 1), recorded=before_strike)
    assert audit.status is Status.REFUTED
    assert ledger.history(KEY, recorded=before_strike)[1].strike is None


def test_histories_are_every_history_by_key(ledger: Ledger) -> None:
    """histories() gives each proposition's history, struck reports included."""
    ledger.claim("b-key", source="a", reported_at=date(2017, 6, 16))
    wrong = ledger.refute("b-key", source="b", reported_at=date(2017, 6, 17))
    ledger.claim("a-key", source="c", reported_at=date(2018, 1, 1))
    ledger.strike(wrong, reason="mistake")
    expected = [(key, list(ledger.history(key))) for key in ledger.propositions()]
    assert list(ledger.histories()) == expected
    assert [key for key, _ in expected] == ["a-key", "b-key"]


def test_strike_twice_is_a_no_op_and_unknown_ids_raise(ledger: Ledger) -> None:
    """Striking again keeps the first strike; unknown ids and empty reasons raise."""
    rid = ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    ledger.strike(rid, reason="first")
    ledger.strike(rid, reason="second")
    strike = ledger.history(KEY)[0].strike
    assert strike is not None
    assert strike.reason == "first"
    with pytest.raises(UnknownReport, match="no report with report_id 'nope'"):
        ledger.strike("nope", reason="x")
    with pytest.raises(InvalidArgument, match="reason must be a non-empty string"):
        ledger.strike(rid, reason=" ")


def test_recording_late_never_changes_earlier_recorded_answers(ledger: Ledger) -> None:
    """A report about 2017 recorded later does not change answers as recorded before."""
    ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    recorded = ledger.history(KEY)[-1].recorded_at
    ledger.refute(KEY, source="b", reported_at=date(2017, 6, 20))
    assert ledger.belief(KEY, on=date(2017, 7, 1)).status is Status.REFUTED
    assert (
        ledger.belief(KEY, on=date(2017, 7, 1), recorded=recorded).status
        is Status.CLAIMED
    )
    assert len(ledger.history(KEY, recorded=recorded)) == 1
    assert [b.status for b in ledger.timeline(KEY, recorded=recorded)] == [
        Status.CLAIMED
    ]
    assert (
        ledger.beliefs(on=date(2017, 7, 1), recorded=recorded)[0].status
        is Status.CLAIMED
    )


def test_recorded_before_anything_knows_nothing(ledger: Ledger) -> None:
    """As recorded before the first event, the ledger knew nothing."""
    ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    assert (
        ledger.belief(KEY, on=date(2017, 7, 1), recorded=long_ago).status
        is Status.UNKNOWN
    )
    with pytest.raises(UnknownProposition):
        ledger.history(KEY, recorded=long_ago)


def test_unknown_propositions(ledger: Ledger) -> None:
    """Belief says unknown; history and timeline raise UnknownProposition (a KeyError)."""
    belief = ledger.belief("never-reported", on=date(2020, 1, 1))
    assert belief.status is Status.UNKNOWN
    assert belief.since is None
    for query in (ledger.history, ledger.timeline):
        with pytest.raises(UnknownProposition) as caught:
            query("never-reported")
        assert isinstance(caught.value, KeyError)
        assert str(caught.value) == "no report about 'never-reported' has been recorded"


def test_beliefs_lists_propositions_known_by_then(ledger: Ledger) -> None:
    """beliefs(on=D) has one belief per proposition with a report by D, sorted."""
    ledger.claim(RAID, source="US", reported_at=date(2019, 10, 27))
    ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    assert [b.proposition for b in ledger.beliefs(on=date(2018, 1, 1))] == [KEY]
    assert [b.proposition for b in ledger.beliefs(on=date(2020, 1, 1))] == [KEY, RAID]
    assert ledger.beliefs(on=date(2000, 1, 1)) == ()


def test_changes_between_two_dates(ledger: Ledger) -> None:
    """changes() lists status transitions after `since` and by `until`, in order."""
    ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    ledger.dispute(KEY, source="US", reported_at=date(2017, 6, 17))
    ledger.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
    ledger.confirm(RAID, source="US", reported_at=date(2019, 10, 27))
    changes = ledger.changes(since=date(2017, 6, 16), until=date(2019, 10, 27))
    assert [(c.proposition, c.at, c.before, c.after) for c in changes] == [
        (KEY, date(2017, 6, 17), Status.CLAIMED, Status.DISPUTED),
        (KEY, date(2017, 9, 28), Status.DISPUTED, Status.REFUTED),
        (RAID, date(2019, 10, 27), Status.UNKNOWN, Status.CONFIRMED),
    ]
    with pytest.raises(InvalidArgument, match="is before since"):
        ledger.changes(since=date(2019, 1, 1), until=date(2018, 1, 1))


def test_occurred_is_bitemporal(ledger: Ledger) -> None:
    """occurred(by=T, on=D): confirmed on D and happened by T (occurred_at or report)."""
    ledger.confirm(
        RAID,
        source="US",
        reported_at=date(2019, 10, 27),
        occurred_at=date(2019, 10, 26),
    )
    ledger.confirm("no-occurred-at", source="US", reported_at=date(2019, 11, 2))
    ledger.claim(
        KEY, source="RU", reported_at=date(2017, 6, 16), occurred_at=date(2017, 5, 28)
    )
    on = date(2020, 1, 1)
    assert [b.proposition for b in ledger.occurred(by=date(2019, 10, 26), on=on)] == [
        RAID
    ]
    assert [b.proposition for b in ledger.occurred(by=date(2019, 10, 25), on=on)] == []
    assert [b.proposition for b in ledger.occurred(by=date(2019, 11, 2), on=on)] == [
        RAID,
        "no-occurred-at",
    ]
    assert (
        ledger.occurred(by=date(2019, 11, 2), on=date(2019, 10, 27))[0].proposition
        == RAID
    )


def test_unicode_keys_and_sources(ledger: Ledger) -> None:
    """Any Unicode key and source round-trips on every backend."""
    key = "مقتل-البغدادي-\U0001f4a5-\u00e9t\u00e9"
    ledger.claim(key, source="Минобороны России", reported_at=date(2017, 6, 16))
    assert ledger.propositions() == (key,)
    assert ledger.history(key)[0].report.source == "Минобороны России"


def test_reopen_gives_identical_answers(open_ledger: OpenLedger, backend: str) -> None:
    """Close and reopen: every answer is the same."""
    if backend == "memory":
        pytest.skip("an in-memory ledger cannot be reopened")
    first = open_ledger()
    ledger_claim = first.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    first.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
    first.strike(ledger_claim, reason="test")
    answers = (
        first.history(KEY),
        first.timeline(KEY),
        first.beliefs(on=date(2018, 1, 1)),
    )
    first.close()
    again = open_ledger()
    assert (
        again.history(KEY),
        again.timeline(KEY),
        again.beliefs(on=date(2018, 1, 1)),
    ) == answers


def test_two_ledgers_on_one_store_see_each_other(
    open_ledger: OpenLedger, backend: str
) -> None:
    """Writes by one ledger object are read by another on the same store."""
    if backend == "memory":
        pytest.skip("memory ledgers share nothing")
    writer, reader = open_ledger(), open_ledger()
    assert reader.propositions() == ()
    writer.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    assert reader.belief(KEY, on=date(2017, 7, 1)).status is Status.CLAIMED
    reader.dispute(KEY, source="US", reported_at=date(2017, 6, 17))
    assert [e.report.source for e in writer.history(KEY)] == ["RU", "US"]


def test_writers_that_have_not_read_each_other_save_in_turn(
    open_ledger: OpenLedger, backend: str
) -> None:
    """A write first folds what other writers saved, under the store's write lock."""
    if backend == "memory":
        pytest.skip("memory ledgers share nothing")
    mine, theirs = open_ledger(), open_ledger()
    mine.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    theirs.dispute(KEY, source="US", reported_at=date(2017, 6, 17))
    mine.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
    theirs.strike(mine.history(KEY)[0].report.report_id, reason="test")
    for ledger in (mine, theirs):
        assert [e.report.source for e in ledger.history(KEY)] == ["RU", "US", "IS"]
        assert ledger.history(KEY)[0].strike is not None
        assert ledger.belief(KEY, on=date(2017, 10, 1)).status is Status.REFUTED
    stored = mine._app.recorder.select_notifications(start=1, limit=10)
    assert [n.originator_version for n in stored] == [1, 2, 3, 4]


def test_closed_ledger_refuses_work(open_ledger: OpenLedger) -> None:
    """Using a closed ledger raises a LedgerError saying so."""
    ledger = open_ledger()
    ledger.close()
    ledger.close()
    with pytest.raises(LedgerError, match="is closed") as caught:
        ledger.belief(KEY, on=date(2017, 1, 1))
    # Named as people name it, never as a Python repr (<Ledger ...>).
    assert str(caught.value).startswith(("the ledger '", "the in-memory ledger"))


def test_open_reports_unusable_paths(tmp_path: Path) -> None:
    """Opening a missing directory, a directory or a non-SQLite file raises StorageError."""
    with pytest.raises(StorageError, match="no directory"):
        Ledger.open(tmp_path / "missing" / "claims.db")
    with pytest.raises(StorageError, match="it is a directory"):
        Ledger.open(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    with pytest.raises(StorageError, match="is not a SQLite database"):
        Ledger.open(text)
    assert text.read_text() == "not a database\n"


def test_sqlite_file_is_created_and_holds_events(tmp_path: Path) -> None:
    """Ledger.open creates the SQLite file, and the events are in it."""
    path = tmp_path / "claims.db"
    with Ledger.open(path) as ledger:
        ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    import sqlite3

    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT topic FROM stored_events").fetchall()
    assert rows == [("ledger:Proposition.FirstReported",)]


def test_environment_cannot_redirect_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stray PERSISTENCE_MODULE in the environment does not move a ledger's data."""
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("CLAIMSLEDGER_PERSISTENCE_MODULE", "eventsourcing.popo")
    path = tmp_path / "claims.db"
    with Ledger.open(path) as ledger:
        ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    with Ledger.open(path) as ledger:
        assert ledger.propositions() == (KEY,)


def test_repr_names_the_store(tmp_path: Path) -> None:
    """The repr says where the ledger lives."""
    assert repr(Ledger()) == "<Ledger memory>"
    with Ledger.open(tmp_path / "c.db") as ledger:
        assert repr(ledger) == f"<Ledger {tmp_path / 'c.db'}>"


def test_held_looks_reports_up_by_id(ledger: Ledger) -> None:
    """held() returns the held reports among the ids asked, struck ones included."""
    kept = ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    struck = ledger.dispute(KEY, source="US", reported_at=date(2017, 6, 17))
    ledger.strike(struck, reason="wrong source")
    found = ledger.held([kept, struck, "unknown-id"])
    assert set(found) == {kept, struck}
    assert found[kept].source == "RU"


def test_postgres_password_never_shows() -> None:
    """A password in a PostgreSQL URL appears neither in errors nor in repr."""
    with pytest.raises(StorageError) as caught:
        Ledger.open("postgresql://ledger:s3cret-pw@127.0.0.1:1/claims")
    assert "s3cret-pw" not in str(caught.value)
    assert "***" in str(caught.value)


def test_an_atomic_batch_is_recorded_at_one_instant(ledger: Ledger) -> None:
    """An audit never sees half a batch: all its reports share one recorded_at."""
    claim_a = claim(source="A")
    refute_b = Report(
        kind=Kind.REFUTED, proposition=KEY, source="B", reported_at=date(2017, 6, 16)
    )
    ledger.record(claim_a, refute_b)
    stamps = {entry.recorded_at for entry in ledger.history(KEY)}
    assert len(stamps) == 1
    audit = ledger.belief(KEY, on=date(2017, 6, 17), recorded=stamps.pop())
    assert audit.status is Status.REFUTED
    later = ledger.confirm(RAID, source="US", reported_at=date(2019, 10, 27))
    assert ledger.held([later])  # the next batch is recorded later still
    assert ledger.history(RAID)[0].recorded_at > ledger.history(KEY)[0].recorded_at


def test_open_without_create_refuses_a_target_with_no_ledger(
    ledger_target: str | None,
) -> None:
    """Ledger.open(..., create=False) on an empty target raises and creates nothing."""
    if ledger_target is None:
        pytest.skip("an in-memory ledger is always new")
    with pytest.raises(StorageError, match="no ledger at"):
        Ledger.open(ledger_target, create=False)
    assert not holds_ledger(Target.parse(ledger_target))
    if not ledger_target.startswith("postgresql://"):
        assert not Path(ledger_target).exists()
    Ledger.open(ledger_target).close()
    with Ledger.open(ledger_target, create=False) as ledger:
        assert ledger.propositions() == ()


def test_record_all_records_strikes_in_its_transaction(ledger: Ledger) -> None:
    """Strikes in the stream strike reports held or earlier in it; repeats are no-ops."""
    held = ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    later = claim(source="b", day=date(2017, 6, 17))
    stream: list[Report | StrikeRequest] = [
        later,
        StrikeRequest(later.report_id, "typo"),  # its report is in this very batch
        StrikeRequest(held, "duplicate"),
        StrikeRequest(held, "another reason"),  # already struck: nothing changes
    ]
    assert ledger.record_all(stream, batch_size=100) == 1
    assert [
        (e.report.source, e.strike and e.strike.reason) for e in ledger.history(KEY)
    ] == [
        ("a", "duplicate"),
        ("b", "typo"),
    ]
    assert ledger.belief(KEY, on=date(2017, 7, 1)).status is Status.UNKNOWN
    before = ledger.history(KEY)
    tally = Recorded()
    assert ledger.record_all(stream, tally=tally) == 0
    assert ledger.history(KEY) == before
    assert tally == Recorded(reports=0, strikes=0, unknown=0)


def test_record_all_counts_what_it_recorded_into_a_tally(ledger: Ledger) -> None:
    """A tally counts new reports, new strikes and the unknown strikes skipped."""
    first, second = claim(source="a"), claim(source="b")
    stream: list[Report | StrikeRequest] = [
        first,
        StrikeRequest(first.report_id, "typo"),
        StrikeRequest(first.report_id, "again"),
        StrikeRequest("nobody", "typo"),
    ]
    tally = Recorded(reports=1)  # counted into, not reset
    assert ledger.record_all(stream, skip_invalid=True, tally=tally) == 1
    assert tally == Recorded(reports=2, strikes=1, unknown=1)
    assert ledger.record_all([first, second], tally=tally) == 1
    assert tally == Recorded(reports=3, strikes=1, unknown=1)


def test_strike_says_whether_it_struck(ledger: Ledger) -> None:
    """strike() is True when it strikes the report, False when it was struck."""
    report_id = ledger.claim(KEY, source="a", reported_at=date(2017, 6, 16))
    assert ledger.strike(report_id, reason="typo") is True
    assert ledger.strike(report_id, reason="typo again") is False
    (entry,) = ledger.history(KEY)
    assert entry.strike is not None
    assert entry.strike.reason == "typo"


def test_record_all_refuses_a_strike_of_an_unknown_report(ledger: Ledger) -> None:
    """A strike of an id neither held nor earlier in the stream: nothing is recorded."""
    first = claim(source="a")
    unknown = StrikeRequest("nobody", "typo", path="s.jsonl", line=3)
    with pytest.raises(InvalidReport) as caught:
        ledger.record_all([first, unknown])
    assert str(caught.value) == (
        "s.jsonl, line 3: strike 'nobody': no report with this report_id is in the "
        "ledger or earlier in the input"
    )
    assert caught.value.field == "strike"
    assert ledger.propositions() == ()
    early = StrikeRequest(first.report_id, "before its report")
    with pytest.raises(InvalidReport, match="earlier in the input"):
        ledger.record_all([early, first])
    assert ledger.propositions() == ()
    problems: list[InvalidReport] = []
    recorded = ledger.record_all(
        [unknown, first, early], skip_invalid=True, errors=problems
    )
    assert recorded == 1
    assert [problem.line for problem in problems] == [3]
    (entry,) = ledger.history(KEY)
    assert entry.strike is not None


def test_record_refuses_strike_requests(ledger: Ledger) -> None:
    """record() takes reports only; strikes go through record_all or strike."""
    with pytest.raises(InvalidArgument, match=r"record\(\) takes Report objects"):
        ledger.record(StrikeRequest("x", "y"))  # type: ignore[arg-type]
