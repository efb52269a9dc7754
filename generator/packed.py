"""Texts held packed: the pages, data files and feeds of a site, kept small until written.

Python holds most pages at 2 bytes a character (one character beyond Latin-1 is enough);
UTF-8 halves that, and Zstandard at level 1 divides it by about 4 again (at 1,000 sources
52 MB of pages as UTF-8 are 13 MB packed, in 0.14 s). The same text always packs to the
same bytes, so packed texts can be compared as they are. A text is unpacked only where it
is read: to be written, or to be given to MkDocs.

Why Zstandard (the ``zstandard`` package) and not the standard library's zlib: every page
of a build is packed once and unpacked once or twice. At its fastest level zlib took 2.4
times as long to pack the same pages (0.33 s for those 52 MB, against 0.14 s), packed them
a little larger, and took 4 times as long to unpack them: at 10,000 sources about 3.4 s of
the rendering's CPU went to zlib.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping

import zstandard

LEVEL = 1
"""Zstandard's level: its fastest that still packs text about 4 to 1."""


class _Codecs(threading.local):
    """A compressor and a decompressor per thread (each does one thing at a time), made
    once: making one for every page cost a third more than the packing itself."""

    def __init__(self) -> None:
        self.packer = zstandard.ZstdCompressor(level=LEVEL)
        self.unpacker = zstandard.ZstdDecompressor()


_codecs = _Codecs()


def pack(text: str) -> bytes:
    """``text`` as UTF-8, compressed by Zstandard at :data:`LEVEL`."""
    return pack_bytes(text.encode("utf-8"))


def pack_bytes(data: bytes) -> bytes:
    # Copied out: the compressor makes its result as large as the text could pack to (about
    # the text's size), then cuts it to the packed size, which leaves the rest free but
    # between what is kept, where it is seldom used again. Kept as it came, the pages of
    # 1,000 sources took three times their packed size in memory (115 MB for 36 MB); copied,
    # their size. The copy costs 1% of the packing.
    return bytes(memoryview(_codecs.packer.compress(data)))


def pack_chunks(chunks: Iterable[bytes]) -> bytes:
    """The UTF-8 text made of ``chunks``, packed as they come: a big file is never whole.

    By a compressor of its own: a compressor does one thing at a time, and texts are packed
    while the chunks are made (the open data's record files, while the corpus file is)."""
    packer = zstandard.ZstdCompressor(level=LEVEL).compressobj()
    packed = [packer.compress(chunk) for chunk in chunks]
    packed.append(packer.flush())
    return b"".join(packed)


def unpack(data: bytes) -> str:
    return unpack_bytes(data).decode("utf-8")


def unpack_bytes(data: bytes) -> bytes:
    """The UTF-8 bytes of a packed text (what a file of it holds)."""
    if zstandard.frame_content_size(data) < 0:  # packed in chunks: its size is not in its header
        return _codecs.unpacker.decompressobj().decompress(data)
    return _codecs.unpacker.decompress(data)


PIECE = 1 << 20
"""The size of the pieces a packed text is unpacked in by :func:`unpack_pieces`."""


def unpack_pieces(data: bytes) -> Iterator[bytes]:
    """The UTF-8 bytes of a packed text in pieces of :data:`PIECE` bytes: a big file (the
    corpus file of 10,000 sources is 150 MB) is written without ever being whole."""
    yield from _codecs.unpacker.read_to_iter(data, write_size=PIECE)


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

    def pieces(self, key: str) -> Iterator[bytes]:
        """The text of ``key`` as UTF-8 bytes, in pieces (:func:`unpack_pieces`)."""
        return unpack_pieces(self.packed[key])


def packed_of(texts: Mapping[str, str]) -> Mapping[str, bytes]:
    """The packed form of ``texts``: a view's own, without unpacking it, or each text packed."""
    if isinstance(texts, Decoded):
        return texts.packed
    return {path: pack(text) for path, text in texts.items()}


__all__ = [
    "Decoded", "pack", "pack_bytes", "pack_chunks", "packed_of", "unpack", "unpack_bytes", "unpack_pieces",
]
