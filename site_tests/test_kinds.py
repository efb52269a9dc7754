"""The record kinds have one owner, generator/kinds.py: the lists the pipeline uses are its
table's, and no other module keeps a list of kinds of its own."""

from __future__ import annotations

import re

from generator import kinds
from generator.feeds import FEED_KINDS
from generator.linking import ACTORS
from generator.opendata import KINDS as OPEN_DATA_KINDS
from generator.reading import KINDS as FOLDERS
from generator.records import KIND_LABELS, KIND_ORDER
from generator.schema import KIND_MODELS
from generator.structured import SCHEMA_TYPES
from site_tests.conftest import ROOT


def test_every_list_of_kinds_is_the_tables() -> None:
    names = {kind.name for kind in kinds.TABLE}
    assert set(FOLDERS) == set(KIND_ORDER) == set(KIND_LABELS) == set(KIND_MODELS) == set(SCHEMA_TYPES) == names
    assert list(OPEN_DATA_KINDS) == list(FOLDERS) == [k.name for k in kinds.TABLE]
    assert set(FEED_KINDS) == {k.name for k in kinds.TABLE if k.feed}
    assert set(ACTORS) == {k.name for k in kinds.TABLE if k.actor}
    assert all(KIND_MODELS[k.name].__name__ == k.model for k in kinds.TABLE)
    assert sorted(k.site_order for k in kinds.TABLE) == list(range(len(kinds.TABLE)))


def test_every_kind_has_a_folder_a_template_and_a_label() -> None:
    templates = {p.name for p in (ROOT / "templates" / "pages").glob("*.md.j2")}
    for kind in kinds.TABLE:
        assert (ROOT / "content" / kind.name).is_dir() or kind.name in FOLDERS
        assert kind.label and kind.plural and kind.schema_org
    assert {"entity.md.j2", "event.md.j2", "source.md.j2", "index.md.j2"} <= templates


def test_no_other_module_lists_kinds() -> None:
    """Two or more kind folders named together in a literal ("events", "sources") are a list
    of kinds with a second owner."""
    name = "|".join(kinds.FOLDERS)
    listed = re.compile(rf"""["']({name})["']\s*,\s*["']({name})["']""")
    # the benchmark and its synthetic corpus write folders of their own; an importer maps an
    # annotation tool's labels onto kinds
    allowed = {"kinds.py", "bench.py", "synthetic.py", "importers.py"}
    found = []
    for module in sorted((ROOT / "generator").rglob("*.py")):
        if module.name in allowed:
            continue
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if listed.search(code) and "Literal[" not in code:  # a type spells its values
                found.append(f"{module.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
