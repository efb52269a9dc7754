"""Texts held packed: the pages, data files and feeds of a site, kept small until written.

Python holds most pages at 2 bytes a character (one character beyond Latin-1 is enough);
UTF-8 halves that, and zlib at its fastest level divides it by about 4 again (about 0.1 ms
a page; at 1,000 sources 58 MB of pages as UTF-8 are 15 MB packed). The same text always
packs to the same bytes, so packed texts can be compared as they are. A text is unpacked
only where it is read: to be written, or to be given to MkDocs.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping


def pack(text: str) -> bytes:
    """``text`` as UTF-8, compressed by zlib at its fastest level."""
    return pack_bytes(text.encode("utf-8"))


def pack_bytes(data: bytes) -> bytes:
    return zlib.compress(data, 1)


def pack_chunks(chunks: Iterable[bytes]) -> bytes:
    """The UTF-8 text made of ``chunks``, packed as they come: a big file is never whole."""
    packer = zlib.compressobj(1)
    packed = [packer.compress(chunk) for chunk in chunks]
    packed.append(packer.flush())
    return b"".join(packed)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def unpack_bytes(data: bytes) -> bytes:
    """The UTF-8 bytes of a packed text (what a file of it holds)."""
    return zlib.decompress(data)


class Decoded(Mapping[str, str]):
    """A read-only view of path -> packed bytes (:func:`pack`) as path -> text, unpacked when read.

    ``packed`` is the mapping it views: combine or reorder views through it, so that
    nothing is unpacked on the way."""

    __slots__ = ("packed",)

    def __init__(self, packed: Mapping[str, bytes]) -> None:
        self.packed = packed

    def __getitem__(self, key: str) -> str:
        return unpack(self.packed[key])

    def __contains__(self, key: object) -> bool:
        return key in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)

    def raw(self, key: str) -> bytes:
        """The text of ``key`` as UTF-8 bytes."""
        return unpack_bytes(self.packed[key])


def packed_of(texts: Mapping[str, str]) -> Mapping[str, bytes]:
    """The packed form of ``texts``: a view's own, without unpacking it, or each text packed."""
    if isinstance(texts, Decoded):
        return texts.packed
    return {path: pack(text) for path, text in texts.items()}


__all__ = ["Decoded", "pack", "pack_bytes", "pack_chunks", "packed_of", "unpack", "unpack_bytes"]
