"""Work split between forked processes, for the pure, CPU-bound parts of a full build.

A forked process shares the parent's memory copy-on-write, so the work it is given (a
corpus, a Jinja environment) is never pickled: only the results come back, through a
pipe. The parent works a share itself while the others run, then puts the results back
in the order of the items, so a caller sees exactly what a serial loop would give.

Where ``fork`` is missing, or a process cannot be started or fails in any way, the
parent does that share of the work itself: the result is the same, only slower.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_VARIABLE = "GENERATOR_WORKERS"
"""Environment variable: how many processes a full build may use (``1`` forces serial)."""

MAX_WORKERS = 4
"""Each process ends up copying the parts of the corpus it touches: memory caps this."""


def workers_wanted(workers: int | None = None) -> int:
    """How many processes to use: ``workers``, else :data:`WORKERS_VARIABLE`, else one
    per core this process may run on (at most :data:`MAX_WORKERS`)."""
    if workers is None:
        setting = os.environ.get(WORKERS_VARIABLE, "").strip()
        if setting.isdigit():
            workers = int(setting)
        elif hasattr(os, "sched_getaffinity"):
            workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS)
        else:
            workers = min(os.cpu_count() or 1, MAX_WORKERS)
    return max(workers, 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def fork_map(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int) -> list[R]:
    """``work(items)``, computed in shares by ``processes`` processes (the parent being one).

    ``work`` maps a share of the items to one picklable result per item, in order; it
    must give the same result for an item whatever share it is in. Shares are
    interleaved (items 0, n, 2n… to the parent, 1, n+1… to the first child), since
    neighbouring items tend to cost alike."""
    if processes < 2 or len(items) < 2 or not can_fork():
        return work(items)
    shares = [list(range(i, len(items), processes)) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    started: list[tuple[list[int], multiprocessing.process.BaseProcess, Connection]] = []
    for share in shares[1:]:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(work, [items[i] for i in share], send), daemon=True)
        try:
            process.start()
        except Exception:  # no fork now (memory, process limits): the parent does this share
            receive.close()
            send.close()
            shares[0].extend(share)
            continue
        send.close()  # the child's exit must be the pipe's end
        started.append((share, process, receive))
    try:
        results: dict[int, R] = dict(zip(shares[0], work([items[i] for i in shares[0]]), strict=True))
        for share, child, receive in started:
            received: list[R] | None = _receive(receive, len(share))
            child.join()
            if received is None:  # the child failed: its share is done here
                received = work([items[i] for i in share])
            results.update(zip(share, received, strict=True))
    finally:  # the parent's own work failed (or was interrupted): no child is left behind
        for _share, child, receive in started:
            if child.exitcode is None:
                child.terminate()
                child.join()
            receive.close()
    return [results[i] for i in range(len(items))]


class Later(Generic[R]):
    """What :func:`alongside` is computing: :meth:`result` waits for it."""

    def __init__(self, work: Callable[[], R], child: Any = None, receive: Connection | None = None) -> None:
        self._work, self._child, self._receive = work, child, receive

    def result(self) -> R:
        """The work's result, from the child; computed here if there was none or it failed."""
        if self._child is None or self._receive is None:
            return self._work()
        child, receive, self._child, self._receive = self._child, self._receive, None, None
        try:
            received = _receive(receive, 1)
            child.join()
        finally:
            if child.exitcode is None:
                child.terminate()
                child.join()
        return received[0] if received is not None else self._work()

    def cancel(self) -> None:
        """Stop the child: its result is not wanted."""
        if self._child is not None and self._receive is not None:
            self._child.terminate()
            self._child.join()
            self._receive.close()
        self._child = self._receive = None


def alongside(work: Callable[[], R], processes: int | None = None) -> Later[R]:
    """``work()`` started in a forked process while the caller goes on (when
    :func:`workers_wanted` gives more than one process and ``fork`` exists): the parent
    is then free for other work, which the cores share. The result is what ``work()``
    would give here; without a process it is computed when asked for."""
    if workers_wanted(processes) < 2 or not can_fork():
        return Later(work)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_work, args=(lambda _share: [work()], [None], send), daemon=True)
    try:
        child.start()
    except Exception:  # no fork now: it is computed when asked for
        receive.close()
        send.close()
        return Later(work)
    send.close()
    return Later(work, child, receive)


def _receive(receive: Connection, expected: int) -> list[Any] | None:
    """A child's results, or None if it died or sent anything but one result per item."""
    try:
        with receive:
            received = receive.recv()
    except Exception:
        return None
    if not isinstance(received, list) or len(received) != expected:
        return None
    return received


def _work(work: Callable[[Sequence[T]], list[R]], share: Sequence[T], send: Connection) -> None:
    """In a forked child: work the share and send the results back.

    A failure sends nothing, which tells the parent to do the share itself; that run
    raises again if the failure was not the child's alone, so nothing is printed here."""
    # What the child inherited lives as long as it does: frozen, the collector does not go
    # through it again (which would also write to, and so copy, every page of it).
    gc.freeze()
    with send:
        try:
            results = work(share)
        except BaseException:
            return
        send.send(results)


__all__ = ["WORKERS_VARIABLE", "Later", "alongside", "can_fork", "fork_map", "workers_wanted"]
