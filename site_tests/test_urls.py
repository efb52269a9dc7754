"""Every path of the site has one owner, generator/urls.py: the pages of a built corpus are
all of its shapes, and no other module spells a page's path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import urls
from generator.reading import KINDS
from generator.site import generate
from site_tests.conftest import FIXTURES, ROOT

SHAPES = [
    re.escape(p) for p in (urls.HOME, urls.TIMELINE, urls.QUOTES, urls.NETWORK, urls.MAP, urls.MEMBERSHIPS)
] + [
    rf"({'|'.join(KINDS)})/[a-z0-9-]+\.md",  # urls.record_page
    rf"({'|'.join(KINDS)})/(index|pages/\d+)\.md",  # urls.kind_index
    r"([a-z]+/[a-z0-9-]+/)?(mentions|quotes)/\d+\.md",  # urls.list_pages
    r"timeline/\d{4}\.md",  # urls.timeline_year
    r"countries/[a-z0-9-]+/with/[a-z0-9-]+\.md",  # urls.pair_page
    r"data/[a-z]+/[a-z0-9-]+\.json|data/[a-z.]+\.(json|csv)",  # urls.data_file and the corpus files
    r"feeds/[a-z]+/[a-z0-9-]+\.xml|" + re.escape(urls.SITE_FEED),  # urls.feed_file
]


@pytest.mark.slow  # a 160-source corpus
def test_every_generated_path_is_a_shape_of_the_url_module(tmp_path: Path) -> None:
    from generator.tools.synthetic import write_corpus

    write_corpus(tmp_path / "content", 160)  # long enough for pagers, year pages and pairs
    for content, base in ((FIXTURES / "small" / "content", FIXTURES / "small"), (tmp_path / "content", tmp_path)):
        result = generate(content, ROOT / "templates", base)
        assert result.ok
        paths = [*result.pages, *result.files]
        odd = [p for p in paths if not any(re.fullmatch(shape, p) for shape in SHAPES)]
        assert odd == []
    assert any("/mentions/" in p for p in result.pages) and any("/with/" in p for p in result.pages)


def test_served_urls_are_directory_urls() -> None:
    assert urls.served(urls.HOME) == ""
    assert urls.served("countries/index.md") == "countries/"
    assert urls.served(urls.record_page("countries", "iran")) == "countries/iran/"
    assert urls.record_url("people", "wang-yi") == "people/wang-yi/"
    assert urls.pair_page("russia", "china") == "countries/china/with/russia.md"


def test_no_other_module_spells_a_page_path() -> None:
    """A path written by hand elsewhere (an f-string or literal ending in .md, .xml or .json
    under a folder) is a URL shape with a second owner."""
    spelled = re.compile(r"""f?["'][^"'\n]*\{?[a-z_]*\}?/[^"'\n]*\.(md|xml|json|csv)["']""")
    allowed = {"urls.py", "bench.py", "synthetic.py", "importers.py", "authoring.py", "lsp.py", "suggest.py",
               "docs_project.py", "watch.py", "languages.py"}
    found = []
    for module in sorted((ROOT / "generator").rglob("*.py")):
        if module.name in allowed:
            continue
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if spelled.search(code) and '"""' not in code and "``" not in code and '"../' not in code:
                found.append(f"{module.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
