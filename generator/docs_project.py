"""A standalone docs project: the generated pages in a plain ``docs/`` folder with a matching
``mkdocs.yml``, so that a builder without the corpus plugin can build the site.

``python -m generator build --out DIR`` writes::

    DIR/mkdocs.yml      the project's config: docs_dir docs, custom_dir overrides, no corpus plugin
    DIR/docs/           the generated Markdown pages, the open data and feeds, the static assets
    DIR/overrides/      the theme overrides (templates/theme)

MkDocs, ProperDocs (the maintained fork of MkDocs 1.6) and Zensical (Material's successor,
which reads ``mkdocs.yml``) build it as it is. Pure apart from reading the project's files:
the result is a mapping of relative paths to file contents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.packed import Decoded
from generator.search import indexed

PLUGIN = "corpus"
# Marks a folder written by `build --out` or `watch --out`: only such a folder is replaced.
OUTPUT_MARK = ".generated-by-corpus-generator"


class ProjectError(Exception):
    """The project's mkdocs.yml cannot be turned into a standalone one."""


@dataclass(frozen=True)
class ProjectConfig:
    """What the standalone project takes from the project's ``mkdocs.yml``."""

    settings: Mapping[str, Any]
    assets: Path | None  # the project's docs_dir (static files), if any
    theme: Path | None  # the theme's custom_dir, if any

    @property
    def site_name(self) -> str:
        return str(self.settings.get("site_name") or "Knowledge site")

    @property
    def site_url(self) -> str | None:
        url = self.settings.get("site_url")
        return str(url) if url else None


def read_config(path: Path) -> ProjectConfig:
    """The project's ``mkdocs.yml`` (plain YAML: configs that need Python tags are refused)."""
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ProjectError(f"{path}{line}: not plain YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(settings, dict):
        raise ProjectError(f"{path}: expected a mapping of settings")
    base = path.parent
    docs = settings.get("docs_dir")
    theme = settings.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return ProjectConfig(
        settings,
        (base / str(docs)) if docs else None,
        (base / str(custom)) if custom else None,
    )


def standalone_config(config: ProjectConfig) -> str:
    """The ``mkdocs.yml`` of the standalone project, as YAML text."""
    settings = dict(config.settings)
    settings["docs_dir"] = "docs"
    settings.pop("site_dir", None)
    theme = settings.get("theme")
    if isinstance(theme, dict):
        theme = dict(theme)
        if config.theme is not None:
            theme["custom_dir"] = "overrides"
        settings["theme"] = theme
    plugins = settings.get("plugins")
    if isinstance(plugins, list):
        settings["plugins"] = [
            p for p in plugins if p != PLUGIN and not (isinstance(p, dict) and PLUGIN in p)
        ]
    elif isinstance(plugins, dict):
        settings["plugins"] = {k: v for k, v in plugins.items() if k != PLUGIN}
    # The plugin keeps record pages out of the nav silently; here a pattern says the same.
    settings["not_in_nav"] = "*.md"
    header = "# Written by `python -m generator build`: the generated site without the corpus plugin.\n"
    return header + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=1000)


def _tree(folder: Path | None, prefix: str) -> dict[str, bytes]:
    if folder is None or not folder.is_dir():
        return {}
    return {
        f"{prefix}{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def built_path(page: str) -> str:
    """Where a builder writes a page (``use_directory_urls``): ``quotes.md`` ->
    ``quotes/index.html``, ``events/index.md`` -> ``events/index.html``."""
    stem = page[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


SEARCH_EXCLUDED = "search:\n  exclude: true\n"


def excluded_from_search(page: str, markdown: str) -> str:
    """The page with ``search: {exclude: true}`` in its front matter when the site's search
    leaves it out (:func:`generator.search.indexed`: lists of what other pages hold, such as
    the quotes and a record's mention pages), for the builder's own search: Material's lunr
    under MkDocs and ProperDocs, Zensical's ``search.json`` (which refuses to build a
    10,000-source site with the quotes page in it: too many words in one field)."""
    if indexed(built_path(page)):
        return markdown
    if markdown.startswith("---\n"):
        return "---\n" + SEARCH_EXCLUDED + markdown[len("---\n") :]
    return "---\n" + SEARCH_EXCLUDED + "---\n" + markdown


def project_files(
    config: ProjectConfig, pages: Mapping[str, str], files: Mapping[str, str]
) -> ProjectFiles:
    """Every file of the standalone project, by its path relative to the project folder."""
    return ProjectFiles(config, pages, files)


class ProjectFiles(Mapping[str, "str | bytes"]):
    """Every file of the standalone project, by its path relative to the project folder, in
    order; each page and data file made when it is read, from the packed pages and files
    the core holds (:mod:`generator.packed`). Made whole, the project of 10,000 sources was
    1.3 GB of texts at once (the command's peak 2.4 GB): one at a time, each is written and
    let go. A page or file the core holds packed is given as its UTF-8 bytes, unpacked but
    not decoded (a page the builder's search leaves out is given as text, its front matter
    marked)."""

    def __init__(self, config: ProjectConfig, pages: Mapping[str, str], files: Mapping[str, str]) -> None:
        fixed: dict[str, str | bytes] = {"mkdocs.yml": standalone_config(config)}
        fixed.update(_tree(config.theme, "overrides/"))
        fixed.update(_tree(config.assets, "docs/"))
        self._fixed, self._pages, self._files = fixed, pages, files
        # where each path's content comes from; the later ones win, as they did in one dict
        where: dict[str, tuple[int, str]] = {rel: (_FIXED, rel) for rel in fixed}
        where.update((f"docs/{path}", (_FILE, path)) for path in files)
        where.update((f"docs/{path}", (_PAGE, path)) for path in pages)
        self._where = dict(sorted(where.items()))

    def __getitem__(self, rel: str) -> str | bytes:
        source, key = self._where[rel]
        if source == _FIXED:
            return self._fixed[key]
        if source == _FILE:
            return _held(self._files, key)
        if key.endswith(".md") and not indexed(built_path(key)):
            return excluded_from_search(key, self._pages[key])
        return _held(self._pages, key)

    def pieces(self, rel: str) -> Iterator[bytes]:
        """The bytes of ``rel`` in pieces: a big data file (the corpus file of 10,000
        sources is 150 MB) is written without ever being whole."""
        source, key = self._where[rel]
        if source == _FILE and isinstance(self._files, Decoded):
            return self._files.pieces(key)
        value = self[rel]
        return iter((value.encode("utf-8") if isinstance(value, str) else value,))

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, rel: object) -> bool:
        return rel in self._where


_FIXED, _FILE, _PAGE = range(3)


def _held(texts: Mapping[str, str], key: str) -> str | bytes:
    """``texts[key]``, as UTF-8 bytes when ``texts`` holds it packed (no decoding on the way)."""
    return texts.raw(key) if isinstance(texts, Decoded) else texts[key]
