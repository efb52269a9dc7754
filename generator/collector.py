"""Python's cyclic garbage collector during a full build.

A full build keeps everything it makes until it ends: the records, the linked texts, the
corpus, the specs of the pages. The collector does not know that: it sets off a full
collection each time the objects alive have grown by a quarter, and each one walks every
object alive. At 10,000 sources that walking was a third of the generator's time (105 s
of CPU with it, 70 s without; see the README's scale section).

So a full build runs with the collector paused from the first file read to the last data
file made (reading, linking, planning and the data files make no cyclic garbage); only
rendering, where Jinja leaves some cycles behind each page, runs with it on, and with what
was built before moved out of its sight. Reference counting frees what a build drops
either way: only the moment at which cyclic garbage is found changes, never a result.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block runs (and back on after it if it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


KEPT_FROM = 500_000
"""New objects (net of those freed) from which :func:`kept` freezes what its block made."""


@contextlib.contextmanager
def kept() -> Iterator[None]:
    """:func:`paused`, for a block that builds what a long-lived cache keeps (an engine's
    update): when it leaves many new objects alive (its first update, millions), they are
    frozen at its end instead of scanned.

    Turned back on, the collector's next collection would scan every object made while it
    was paused, and then again as they age: 7.4 s after the first update at 10,000 sources,
    before a page was served. A save leaves few new objects: the collector is turned back
    on as by :func:`paused` (frozen each time, what a save drops in a cycle would never be
    freed)."""
    with paused():
        try:
            yield
        finally:  # frozen before paused() turns the collector back on
            if gc.get_count()[0] >= KEPT_FROM:
                gc.freeze()


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """What is alive now moved out of the collector's sight (see :func:`gc.freeze`) and the
    collector on while the block runs; both as they were after it.

    Entered from inside :func:`paused`, this sets off no collection: everything is frozen
    before the collector is back on, so it has nothing young to scan. (Turned back on first,
    its next collection would scan every object made while it was paused: at 10,000 sources,
    1.7 s of a full build went in three such collections.)

    When something was frozen already (a caller that keeps its own heap out of sight, as a
    serve does after its first build), that is left as it is, and so is this block's heap:
    :func:`gc.unfreeze` cannot give back only what this block froze."""
    enabled = gc.isenabled()
    froze = not gc.get_freeze_count()
    if froze:
        gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
        if froze:
            gc.unfreeze()


def give_back() -> None:
    """Hand the memory freed inside the C heap back to the system (glibc's ``malloc_trim``).

    A server's first build makes and drops gigabytes at 10,000 sources (every page's
    Markdown and HTML); freed, that memory stays in the process, scattered between what is
    kept, until it is trimmed. Elsewhere than glibc this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


__all__ = ["KEPT_FROM", "give_back", "kept", "paused", "settled"]
