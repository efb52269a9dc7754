"""Compiled theme templates kept in memory between the builds of one serve."""

from __future__ import annotations

import jinja2.bccache


class MemoryBytecodeCache(jinja2.bccache.BytecodeCache):
    """Compiled Jinja templates kept in memory between builds of one serve.

    Jinja stores each template's source checksum beside its code and recompiles when the
    source changed, so an edited template is never served stale.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)
