"""Running a generator in a second process, its items streamed back in order.

Reading a big report file (decoding, parsing and checking each line) costs
about as much as recording it, and both run on one core. :func:`items_aside`
runs a generator function of ``ledger`` in a child Python process instead and
yields its items here, as the child sends them, pickled a chunk at a time, so
the two halves of an import use two cores.

The child is this interpreter (``sys.executable``) with this process's import
path; the function is named by module and name, with picklable arguments and
any file descriptors it reads (``fds``, inherited by the child). An exception
in the child is raised here; a child that ends without saying it is done
raises :class:`AsideFailed`, and a child that cannot start raises it before
anything is yielded, so a caller can fall back to running the function here.
Closing the generator early ends the child; so does the interpreter's exit,
for a reader left unfinished.

A second process pays only where the reading would otherwise hold up a write:
a write transaction that consumes what is read (``record_all``) marks itself
with :func:`feeding_a_write`, and a reader asks :func:`feeds_a_write` before it
starts one. A caller that does little with each item is faster reading in its
own process, with no pickling between two; and several writers at once use
their waits for the write lock to read in their own process, leaving the cores
to whichever holds it.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import importlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Generator, Iterator
from typing import IO, Any

_CHUNK = 1000  # items per pickled message
_HEADER = struct.Struct("<Q")
_DONE = b""  # an empty message: the generator is exhausted
_RAISED = b"!"  # a message starting with this: an exception, pickled

# The child's first lines: take the parent's import path, then serve.
_BOOTSTRAP = (
    "import pickle, sys\n"
    "request = pickle.load(sys.stdin.buffer)\n"
    "sys.path[:] = request[0]\n"
    "from ledger._aside import _serve\n"
    "_serve(request)\n"
)


class AsideFailed(RuntimeError):
    """The child process could not start, or ended without finishing."""

    def __init__(self, message: str, *, started: bool) -> None:
        super().__init__(message)
        self.started = started
        """Whether the child sent anything before it failed."""


_FEEDING_A_WRITE = contextvars.ContextVar("ledger_feeding_a_write", default=False)


@contextlib.contextmanager
def feeding_a_write() -> Iterator[None]:
    """Within this block, what is read feeds one write transaction."""
    token = _FEEDING_A_WRITE.set(True)
    try:
        yield
    finally:
        _FEEDING_A_WRITE.reset(token)


def feeds_a_write() -> bool:
    """Whether a read starting now feeds a write (see :func:`feeding_a_write`)."""
    return _FEEDING_A_WRITE.get()


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def items_aside(
    module: str, function: str, *args: Any, fds: tuple[int, ...] = ()
) -> Generator[Any, None, None]:
    """Yield the items of ``module.function(*args)``, computed in a child process."""
    if not sys.executable:
        msg = "no Python interpreter to start (sys.executable is empty)"
        raise AsideFailed(msg, started=False)
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", _BOOTSTRAP],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                pass_fds=fds,
            )
        except (OSError, ValueError) as error:  # ValueError: no pass_fds here
            msg = f"cannot start a second Python process: {error}"
            raise AsideFailed(msg, started=False) from error
        assert child.stdin is not None
        assert child.stdout is not None
        started = False
        drainer = _Drainer(child)
        try:
            try:
                pickle.dump((sys.path, module, function, args), child.stdin)
                child.stdin.close()
            except OSError:  # it ended at once; its output says why
                pass
            drainer.start()
            while (message := drainer.messages.get()) is not None:
                if message == _DONE:
                    return
                if message.startswith(_RAISED):
                    raise pickle.loads(message[1:])
                started = True
                yield from pickle.loads(message)
            code = child.wait()
            errors.seek(0)
            last = errors.read().decode(errors="replace").strip().splitlines() or [""]
            msg = f"the second Python process ended unexpectedly (exit code {code})" + (
                f": {last[-1]}" if last[-1] else ""
            )
            raise AsideFailed(msg, started=started)
        finally:
            drainer.end()


_AHEAD = 64  # messages read ahead of the caller (about 10 MiB of reports)


class _Drainer(threading.Thread):
    """Reads the child's messages as they come, so it never waits for the caller.

    A pipe holds 64 KiB: without this, the child would stop after a message
    or two whenever the caller is busy (say, recording a batch), and the
    caller would then wait for each message in turn.
    """

    def __init__(self, child: subprocess.Popen[bytes]) -> None:
        super().__init__(name="ledger-aside-drainer", daemon=True)
        assert child.stdout is not None
        self.child = child
        self.stream = child.stdout
        self.stop = threading.Event()
        self.messages: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)

    def run(self) -> None:
        """Queue each message, then None if the child ends without finishing."""
        while True:
            message = _receive(self.stream)
            while not self.stop.is_set():
                try:
                    self.messages.put(message, timeout=0.1)
                except queue.Full:
                    continue
                break
            if message is None or message == _DONE or message.startswith(_RAISED):
                return
            if self.stop.is_set():
                return

    def end(self) -> None:
        """End the child and this thread, and close the pipe (again: a no-op)."""
        _LIVE.discard(self)
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        if self.is_alive():
            self.stop.set()
            self.join()
        with contextlib.suppress(OSError):
            self.stream.close()

    def start(self) -> None:
        """Start reading; until :meth:`end`, the interpreter's exit ends it."""
        _LIVE.add(self)
        super().start()


# Readers not ended yet. A generator left unfinished is only closed as the
# interpreter finalizes, when this daemon thread no longer runs: closing the
# pipe then waits forever for the lock of a read the thread began, and Python
# aborts. Ended at exit instead, while threads still run.
_LIVE: set[_Drainer] = set()


@atexit.register
def _end_all() -> None:
    for drainer in list(_LIVE):
        drainer.end()


def _receive(stream: IO[bytes]) -> bytes | None:
    """The next message from the child, or None if it ended without one."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    body = stream.read(size)
    return body if len(body) == size else None


def _send(stream: IO[bytes], message: bytes) -> None:
    stream.write(_HEADER.pack(len(message)))
    stream.write(message)
    stream.flush()  # each message whole, as soon as it is ready


def _serve(request: tuple[list[str], str, str, tuple[Any, ...]]) -> None:
    """In the child: run the requested generator, sending its items in chunks."""
    _, module, function, args = request
    # The messages get standard output to themselves: anything printed goes
    # to standard error instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    chunk: list[Any] = []
    try:
        for item in getattr(importlib.import_module(module), function)(*args):
            chunk.append(item)
            if len(chunk) >= _CHUNK:
                _send(out, _pickled(chunk))
                chunk = []
    except Exception as error:
        if chunk:  # the items before the exception come first, as they would
            _send(out, _pickled(chunk))
        try:
            raised = _pickled(error)
        except Exception:
            raised = _pickled(RuntimeError(f"{type(error).__name__}: {error}"))
        _send(out, _RAISED + raised)
    else:
        if chunk:
            _send(out, _pickled(chunk))
        _send(out, _DONE)


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
