"""Texts held packed (generator/packed.py): what the core returns, and what MkDocs is given."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from generator.packed import Decoded, pack, pack_chunks, packed_of, unpack
from generator.plugin import _generated, _PackedFile
from generator.site import generate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "site_tests" / "fixtures"
TEXTS = ["", "plain", "Кабул — 喀布尔 — کابل", "emoji 🗺️ beyond the BMP", "x" * 100_000]


@pytest.mark.parametrize("text", TEXTS)
def test_a_packed_text_unpacks_to_itself_and_packs_alike_every_time(text: str) -> None:
    assert unpack(pack(text)) == text
    assert pack(text) == pack(str(text))  # the same text, the same bytes: packed texts compare as they are
    view = Decoded({"a.md": pack(text)})
    assert view["a.md"] == text and view.raw("a.md") == text.encode("utf-8")
    assert dict(view) == {"a.md": text} and view == {"a.md": text}


def test_texts_packed_while_a_text_is_packed_in_chunks_unpack_to_themselves() -> None:
    # the open data packs each record's file while the corpus file is packed chunk by chunk:
    # one compressor for both would tangle the two streams
    made: list[tuple[str, bytes]] = []

    def chunks() -> Iterator[bytes]:
        for text in TEXTS:
            made.append((text, pack(text)))
            yield text.encode("utf-8")

    whole = pack_chunks(chunks())
    assert unpack(whole) == "".join(TEXTS)
    assert all(unpack(packed) == text for text, packed in made)
    assert unpack(pack_chunks([])) == ""


@pytest.mark.parametrize("text", TEXTS)
def test_a_packed_text_takes_no_more_memory_than_its_bytes(text: str) -> None:
    packed = pack(text)
    assert sys.getsizeof(packed) <= len(packed) + sys.getsizeof(b"")


_PACK_MANY = """
import random
from generator.packed import pack
pick = random.Random(0)
words = ["".join(random.Random(i).choices("abcdefghijklmnopqrstuvwxyz", k=3 + i % 7)) for i in range(300)]
def line():
    a, b, c = pick.choices(words, k=3)
    return f"- The {a} met the {b} of {c}. <a href='../../sources/{c}/#p-{len(a)}'>{len(a)}</a>\\n"
texts = ["".join(line() for _ in range(pick.randrange(20, 1500))) for _ in range(600)]
def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))
before = resident()
kept = [pack(text) for text in texts]
print(resident() - before, sum(map(len, kept)))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident size from /proc")
def test_many_packed_texts_take_about_their_size_in_memory() -> None:
    # Zstandard makes its result as large as the text could pack to, then cuts it: the rest
    # stays free between what is kept. Kept as they came, these texts (like pages of mention
    # lists) took five times their packed size in memory, 1,000 sources' pages three times.
    grown, packed = map(int, subprocess.run(
        [sys.executable, "-c", _PACK_MANY], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split())
    assert grown < 2 * packed


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_packed_on_another_thread_unpacks_here(text: str) -> None:
    packed: list[bytes] = []
    thread = threading.Thread(target=lambda: packed.append(pack(text)))
    thread.start()
    thread.join()
    assert unpack(packed[0]) == text and packed[0] == pack(text)


def test_packed_of_a_view_is_the_view_s_own_bytes_and_of_texts_their_packing() -> None:
    packed = {"a.md": pack("one"), "b.md": pack("two")}
    assert packed_of(Decoded(packed)) is packed
    assert packed_of({"a.md": "one"}) == {"a.md": pack("one")}


def test_generate_holds_its_pages_and_files_packed_and_sorted() -> None:
    result = generate(FIXTURES / "small" / "content", ROOT / "templates")
    assert result.ok
    assert isinstance(result.pages, Decoded) and isinstance(result.files, Decoded)
    assert list(result.pages) == sorted(result.pages)
    assert all(isinstance(v, bytes) for v in result.pages.packed.values())
    assert "data/corpus.json" in result.files and result.files["data/corpus.json"].startswith("{")


def _config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config.plugins._current_plugin = None  # what MkDocs sets while a plugin's event runs
    return config


@pytest.mark.parametrize("text", TEXTS[1:4])
def test_a_generated_file_of_a_packed_view_stays_packed_until_mkdocs_reads_it(tmp_path: Path, text: str) -> None:
    config = _config(tmp_path)
    made = _generated(config, "data/a.json", Decoded({"data/a.json": pack(text)}))
    assert isinstance(made, _PackedFile) and made._packed == pack(text)
    assert made.content_string == text and made.content_bytes == text.encode("utf-8")
    assert made.is_modified()
    made.copy_file()
    assert Path(made.abs_dest_path).read_text(encoding="utf-8") == text
    made.content_string = "changed by another plugin"
    assert made.content_string == "changed by another plugin" and made.abs_src_path is None


def test_a_generated_file_of_plain_texts_is_mkdocs_own(tmp_path: Path) -> None:
    config = _config(tmp_path)
    made = _generated(config, "a.md", {"a.md": "text"})
    assert type(made).__name__ == "File" and made.content_string == "text"
    assert os.fspath(made.src_uri) == "a.md"
