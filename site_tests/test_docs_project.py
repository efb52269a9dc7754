"""`python -m generator build --out DIR`: a standalone docs project (docs/ + mkdocs.yml) that
MkDocs builds without the corpus plugin, and so do ProperDocs and Zensical (test extras)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.docs_project import (
    SEARCH_EXCLUDED,
    ProjectConfig,
    ProjectError,
    built_path,
    excluded_from_search,
    project_files,
    read_config,
    standalone_config,
)
from generator.packed import Decoded, pack
from generator.site import SiteInfo, generate
from site_tests.conftest import FIXTURES, ROOT

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_the_project_s_files_are_each_made_when_read_as_one_dict_would_hold_them() -> None:
    config = read_config(ROOT / "mkdocs.yml")
    result = generate(FIXTURES / "small" / "content", ROOT / "templates", site=SiteInfo(config.site_name))
    files = project_files(config, result.pages, result.files)
    assert list(files) == sorted(files) and "mkdocs.yml" in files
    assert {f"docs/{p}" for p in [*result.pages, *result.files]} <= set(files)
    for rel in files:
        data = files[rel]
        as_bytes = data.encode("utf-8") if isinstance(data, str) else data
        assert b"".join(files.pieces(rel)) == as_bytes
        if rel.startswith("docs/") and rel[5:] in result.pages:
            page = result.pages[rel[5:]]
            assert as_bytes.decode("utf-8") in (page, excluded_from_search(rel[5:], page))
    # a page the builder's search leaves out has it in its front matter; the others are as made
    assert any(SEARCH_EXCLUDED in files[rel] for rel in files if isinstance(files[rel], str))
    # a page held as text (not packed) is given as it is, and a later layer wins
    plain = project_files(config, {"index.md": "# Home\n"}, Decoded({"index.md": pack("old"), "a.json": pack("{}")}))
    assert plain["docs/index.md"] == "# Home\n" and plain["docs/a.json"] == b"{}"


@pytest.mark.parametrize(
    "plugins, expected",
    [
        (["search", {"corpus": {"content": "content"}}], ["search"]),
        (["search", "corpus"], ["search"]),
        ({"search": {}, "corpus": {"content": "c"}}, {"search": {}}),
        ([{"corpus": {}}, {"search": {"lang": "en"}}], [{"search": {"lang": "en"}}]),
    ],
)
def test_the_standalone_config_has_no_corpus_plugin(plugins: object, expected: object) -> None:
    config = ProjectConfig(
        {"site_name": "S", "docs_dir": "templates/assets", "site_dir": "public", "theme": {"name": "material", "custom_dir": "t"}, "plugins": plugins},
        Path("templates/assets"),
        Path("t"),
    )
    written = yaml.safe_load(standalone_config(config))
    assert written["plugins"] == expected
    assert written["docs_dir"] == "docs" and "site_dir" not in written
    assert written["theme"] == {"name": "material", "custom_dir": "overrides"}
    assert written["not_in_nav"] == "*.md"


@pytest.mark.parametrize(
    "page, built, excluded",
    [
        ("index.md", "index.html", False),
        ("countries/iran.md", "countries/iran/index.html", False),
        ("events/index.md", "events/index.html", True),  # a kind's index: records with pages of their own
        ("quotes.md", "quotes/index.html", True),
        ("countries/iran/mentions/2.md", "countries/iran/mentions/2/index.html", True),
        ("timeline.md", "timeline/index.html", True),
        ("sources/tehran-meeting.md", "sources/tehran-meeting/index.html", False),
    ],
)
def test_pages_the_site_search_leaves_out_are_excluded_from_the_builders_own_search(
    page: str, built: str, excluded: bool
) -> None:
    assert built_path(page) == built
    for markdown in ("# Title\n", "---\ntitle: x\n---\n# Title\n"):
        written = excluded_from_search(page, markdown)
        if not excluded:
            assert written == markdown
            continue
        front, body = written[4:].split("\n---\n", 1)
        assert yaml.safe_load(front)["search"] == {"exclude": True}
        assert body == markdown.split("---\n")[-1] and written.startswith("---\n")


def test_a_config_that_is_not_plain_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    with pytest.raises(ProjectError, match=r"mkdocs\.yml:4: not plain YAML"):
        read_config(config)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("project") / "site-project"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def _json_ld(site: Path, page: str) -> object:
    found = LD.findall((site / page).read_text(encoding="utf-8"))
    assert len(found) == 1, page
    return json.loads(found[0])


def test_the_project_holds_config_pages_data_assets_and_theme(project: Path) -> None:
    settings = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    assert settings["site_name"] == "Regional diplomacy on Afghanistan"
    for path in ("docs/index.md", "docs/countries/iran.md", "docs/data/corpus.json", "docs/feeds/all.xml",
                 "docs/stylesheets/site.css", "overrides/main.html"):
        assert (project / path).is_file(), path


def _build_strictly(builder: list[str], project: Path, site: Path) -> Path:
    """``<builder> build --strict`` of the project into ``site`` (MkDocs and its fork)."""
    command = [*builder, "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=300)
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.slow
def test_mkdocs_builds_the_project_strictly_like_the_plugin_does(project: Path, seed_site: Path, tmp_path: Path) -> None:
    site = _build_strictly([sys.executable, "-m", "mkdocs"], project, tmp_path / "site")
    assert _pages(site) == _pages(seed_site)
    for page in ("countries/iran/index.html", "events/quad-meeting-2021/index.html"):
        assert _json_ld(site, page) == _json_ld(seed_site, page)


def builder(name: str) -> Path:
    """The ``name`` command of a builder declared in the test extras (pyproject.toml).

    Outside CI a missing builder skips the test; under CI (``CI`` set, as ``.ci/run`` does) it
    fails it, so that a build the README promises is never silently left out."""
    beside = Path(sys.executable).with_name(name)  # the same environment's scripts folder
    path = str(beside) if beside.is_file() else shutil.which(name)
    if path is None:
        message = f"{name} is not installed (pip install -e '.[test]' installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(path)


@pytest.mark.slow
def test_properdocs_builds_the_project(project: Path, seed_site: Path, tmp_path: Path) -> None:
    site = _build_strictly([str(builder("properdocs"))], project, tmp_path / "site")
    assert _pages(site) == _pages(seed_site)
    assert _json_ld(site, "countries/iran/index.html") == _json_ld(seed_site, "countries/iran/index.html")


@pytest.mark.slow
def test_zensical_builds_the_project(project: Path, seed_site: Path) -> None:
    site = project / "site"
    result = subprocess.run(
        [str(builder("zensical")), "build", "--clean", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "No issues found" in result.stdout + result.stderr
    assert _pages(site) == _pages(seed_site)
    assert _json_ld(site, "countries/iran/index.html") == _json_ld(seed_site, "countries/iran/index.html")
    assert (site / "feeds" / "countries" / "iran.xml").is_file() and (site / "data" / "corpus.json").is_file()
    # its search.json leaves out the pages Pagefind leaves out (the quotes, the kinds' indexes)
    locations = {item["location"] for item in json.loads((site / "search.json").read_text())["items"]}
    assert "countries/iran/" in locations and "sources/2024-10-03-joint-statement-critical-of-taliban/" in locations
    assert not {"quotes/", "events/", "timeline/"} & locations
