"""Running `mkdocs serve` on a copy of a corpus, on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from site_tests.conftest import write_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def wait_for(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


@contextlib.contextmanager
def serve(
    tmp_path: Path, content: Path, *extra: str, templates: Path | None = None
) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """Copy ``content`` under ``tmp_path``, run `mkdocs serve` on it; yield (base URL, content copy, process).
    With ``templates``, the templates are read from there (a copy the test may break)."""
    copy = tmp_path / "content"
    if copy.resolve() != content.resolve():
        shutil.copytree(content, copy)
    # The content folder as the project's mkdocs.yml names it: relative to the configuration.
    config = write_config(tmp_path, Path(os.path.relpath(copy, tmp_path)), templates)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    # Run from the project's folder with a relative configuration path, as `mkdocs serve` typed
    # there has it (MkDocs then sees relative paths; file system events give absolute ones).
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", config.name, "-a", f"127.0.0.1:{port}", *extra],
        cwd=config.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: fetch(base + "/")[0] == 200, timeout=60):
            raise AssertionError("mkdocs serve did not start:\n" + (tmp_path / "serve.log").read_text())
        yield base, copy, process
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs shuts down and cleans up
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
