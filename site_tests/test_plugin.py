"""The corpus plugin's options and failures under a real `mkdocs build`: `warnings_fail`, a
Pagefind run that fails, Material's search plugin missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from site_tests.bad_inputs import Case, write_case
from site_tests.conftest import mkdocs_build, write_config

pytestmark = pytest.mark.slow

QUIET = Case("an unmentioned country", {"countries/bhutan.md": "---\nname: Bhutan\niso: BT\n---\n"}, "", 0, ())
WARNING = "content/countries/bhutan.md:1:1: warning: nothing mentions 'bhutan'"


def _corpus(tmp_path: Path, case: Case = QUIET) -> Path:
    return write_case(case, tmp_path)


@pytest.mark.parametrize(
    ("warnings_fail", "strict", "fails"),
    [
        (False, True, False),  # corpus warnings are MkDocs INFO lines: --strict passes
        (True, True, True),  # they are MkDocs warnings: --strict fails on them
        (True, False, False),  # warnings, shown, but without --strict the site is built
    ],
)
def test_warnings_fail_makes_corpus_warnings_mkdocs_warnings(
    warnings_fail: bool, strict: bool, fails: bool, tmp_path: Path
) -> None:
    content = _corpus(tmp_path)
    config = write_config(tmp_path, content, warnings_fail=warnings_fail)
    if not strict:  # conftest's builds are strict; drop it from the config and the command
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["strict"] = False
        config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(config, site, *(() if strict else ("--no-strict",)))
    output = result.stdout + result.stderr
    assert (result.returncode != 0) is fails, output
    assert "Traceback" not in output
    shown = [line for line in output.splitlines() if WARNING.split(": warning:")[1] in line]
    assert len(shown) == 1, output
    assert shown[0].startswith("WARNING" if warnings_fail else "INFO"), shown
    assert shown[0].split(" -  ", 1)[1].startswith(WARNING), shown  # located, as `check` prints it
    if fails:
        assert "Aborted with 1 warnings in strict mode!" in output, output
    else:
        assert (site / "countries" / "bhutan" / "index.html").is_file()


def test_a_failing_pagefind_run_fails_the_build_with_its_message(tmp_path: Path) -> None:
    """A stand-in `pagefind_bin` first on the path exits 3, as a crashing indexer would."""
    fake = tmp_path / "fake-pagefind" / "pagefind_bin"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "__main__.py").write_text(
        "import sys\nprint('pagefind: cannot read the site (simulated)', file=sys.stderr)\nsys.exit(3)\n",
        encoding="utf-8",
    )
    path = os.pathsep.join(p for p in (str(fake.parent), os.environ.get("PYTHONPATH", "")) if p)
    config = write_config(tmp_path, _corpus(tmp_path, Case("base", {}, "", 0, ())), search="pagefind")
    result = mkdocs_build(config, tmp_path / "site", env={"PYTHONPATH": path})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    # a PluginError: MkDocs logs its message and aborts (any other exception shows a traceback)
    assert "ERROR   -  Pagefind failed (exit 3):" in output and "Aborted with a BuildError!" in output, output
    assert "cannot read the site (simulated)" in output
    assert not (tmp_path / "site" / "pagefind" / "pagefind.js").exists()


def test_pagefind_without_materials_search_plugin_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path, _corpus(tmp_path, Case("base", {}, "", 0, ())), search="pagefind")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["plugins"] = [p for p in data["plugins"] if not (p == "search" or (isinstance(p, dict) and "search" in p))]
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    strict = mkdocs_build(config, tmp_path / "site")
    output = strict.stdout + strict.stderr
    assert strict.returncode == 1, output  # a warning: --strict fails on it
    assert "corpus: search: pagefind needs Material's search plugin (its search box)" in output, output
    assert "Traceback" not in output
    relaxed = mkdocs_build(config, tmp_path / "site", "--no-strict")
    assert relaxed.returncode == 0, relaxed.stderr
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    assert not (site / "pagefind").exists()  # no indexing for a search box that is not there
    assert 'data-md-component="search"' not in (site / "index.html").read_text(encoding="utf-8")


def test_a_serve_logs_each_warning_once_and_every_error_each_time(caplog: pytest.LogCaptureFixture) -> None:
    """While serving, a save's log shows the warnings it brought, not the hundreds a large
    corpus has, each save again; errors are shown on every save until they are fixed."""
    import logging

    from generator.plugin import CorpusPlugin
    from generator.problems import Problem as P
    from generator.problems import Severity

    plugin = CorpusPlugin()
    plugin.load_config({})
    plugin.serving = True
    old = P("content/a.md", 1, 1, Severity.WARNING, "nothing mentions 'a'")
    new = P("content/b.md", 1, 1, Severity.WARNING, "nothing mentions 'b'")
    broken = P("content/c.md", 2, 1, Severity.ERROR, "invalid YAML")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.corpus"):
        plugin._report((old, broken))
        caplog.clear()
        plugin._report((old, new, broken))
    shown = caplog.text
    assert "content/b.md:1:1" in shown and "content/c.md:2:1" in shown
    assert "content/a.md" not in shown and "1 warning(s) as before" in shown
    assert plugin.problems == [broken]
    # the corpus's warnings wait while a file has an error: the mending save does not tell them again
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.corpus"):
        plugin._report((broken,))
        caplog.clear()
        plugin._report((old, new))
    assert "content/a.md" not in caplog.text and "content/b.md" not in caplog.text
    assert "2 warning(s) as before" in caplog.text and plugin.problems == []
