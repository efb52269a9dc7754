"""Shared fixtures: building real sites with MkDocs from the seed corpus or a fixture corpus.

Each corpus is built once per session. A test that runs a real MkDocs build (here, or
through a fixture) must be marked ``slow`` or ``browser``, and one that drives Chromium
``browser``: otherwise it fails, so ``pytest -m "not slow and not browser"`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.tools.bench import CHROMIUM_ARGS, serve_static

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


# -- the markers are enforced ------------------------------------------------------------------

_RUNNING: list[pytest.Item] = []  # the test being set up or run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    _RUNNING[:] = [item]
    try:
        return (yield)
    finally:
        _RUNNING.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    _RUNNING[:] = [item]
    try:
        return (yield)
    finally:
        _RUNNING.clear()


BUILT_SITES = {"seed_site", "small_site", "hostile_site", "seed_url"}  # session fixtures: mkdocs build


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a built site is slow, one that uses the browser is a browser test,
    whether or not its module says so."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        marked = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        if fixtures & BUILT_SITES and not marked:
            item.add_marker(pytest.mark.slow)


def require_marker(what: str, *markers: str) -> None:
    """Fail the running test when it does ``what`` without one of ``markers``."""
    item = _RUNNING[0] if _RUNNING else None
    if item is not None and not any(item.get_closest_marker(m) for m in markers):
        pytest.fail(f"{item.nodeid} {what}: mark it {' or '.join(markers)}", pytrace=False)


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` in ``cwd``, run in this process (the same ``cli.main`` as
    the entry point, without a second interpreter's start-up): exit code, stdout, stderr."""
    from generator import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit:  # argparse refusing the command line
            code = exit.code if isinstance(exit.code, int) else 2
    return subprocess.CompletedProcess(["python", "-m", "generator", *args], code, out.getvalue(), err.getvalue())


def write_config(tmp: Path, content: Path, templates: Path | None = None, **options: object) -> Path:
    """A copy of the project's mkdocs.yml that reads ``content`` and writes into ``tmp``, with
    ``options`` set on the corpus plugin (``search="pagefind"``, ``warnings_fail=True``)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(ROOT / "templates" / "assets")
    config["theme"]["custom_dir"] = str(ROOT / "templates" / "theme")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "corpus" in plugin:
            plugin["corpus"]["content"] = str(content)
            plugin["corpus"]["templates"] = str(templates or ROOT / "templates")
            plugin["corpus"].update(options)
    path = tmp / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def mkdocs_build(
    config: Path, site: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    require_marker("runs a real mkdocs build", "slow", "browser")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def build_site(tmp: Path, content: Path, **options: object) -> Path:
    site = tmp / "site"
    result = mkdocs_build(write_config(tmp, content, **options), site)
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
    return site


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus (content/) built by `mkdocs build --strict` with the project's mkdocs.yml."""
    return build_site(tmp_path_factory.mktemp("seed"), ROOT / "content")


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture corpus built by `mkdocs build --strict`, with `search: pagefind` (its
    texts hold markup as text, which search results must show as text; the seed site keeps lunr)."""
    return build_site(tmp_path_factory.mktemp("small"), FIXTURES / "small" / "content", search="pagefind")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile fixture corpus (markup and script in every field) built by `mkdocs build --strict`."""
    return build_site(tmp_path_factory.mktemp("hostile"), FIXTURES / "hostile" / "content")


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty corpus folder with all kind folders, for tests that write records."""
    content = tmp_path / "content"
    for kind in ("sources", "events", "countries", "organizations", "people", "places", "topics"):
        (content / kind).mkdir(parents=True)
    yield content
    shutil.rmtree(content, ignore_errors=True)


# -- the browser (one Playwright session for every browser test) ------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = CHROMIUM_ARGS  # the same flags as the benchmark's browser


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require_marker("drives Chromium", "browser")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run must install Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@functools.cache
def serve_folder(site: Path) -> str:
    """A static server of ``site`` (the benchmark's), kept for the session: its base URL."""
    server = serve_static(site)
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def seed_url(seed_site: Path) -> str:
    return serve_folder(seed_site)
