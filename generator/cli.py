"""The command line: ``python -m generator check | build | watch | search | …``.

Exit codes: 0 when the corpus is fine, 1 when it has errors (or warnings, with
``--strict``), 2 when the command itself is misused.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from generator.authoring import AuthoringError, new_record, stats
from generator.docs_project import (
    OUTPUT_MARK,
    ProjectConfig,
    ProjectError,
    ProjectFiles,
    project_files,
    read_config,
)
from generator.problems import Problem, Severity, to_json
from generator.site import SiteInfo, check, generate

DEFAULT_PROJECT = ProjectConfig({"site_name": "Knowledge site", "theme": {"name": "material"}}, None, None)

EPILOG = """\
exit codes:
  0  no errors (warnings are printed but do not fail, unless --strict)
  1  the corpus has errors, or warnings with --strict
  2  the command was misused (unknown option, missing folder)

examples:
  python -m generator check
  python -m generator check --format json --strict
  python -m generator build --out /tmp/site-project
  python -m generator watch --out /tmp/site-project
  python -m generator search /tmp/site-project/site
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Check an annotated corpus and turn it into the Markdown pages of a knowledge site.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
        )
        p.add_argument("--format", choices=("text", "json"), default="text", help="how problems are printed")
        p.add_argument("--strict", action="store_true", help="fail on warnings too")

    p_check = sub.add_parser(
        "check",
        help="report every problem of the corpus as path:line:col: severity: message",
        description="Validate every record, reference, mention and quote; print all problems in one run.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_check)
    p_check.add_argument(
        "--forms",
        action="store_true",
        help="also list the names linked only in a declined or prefixed form (Russian, Arabic...), to review",
    )
    p_build = sub.add_parser(
        "build",
        help="write the site as a standalone docs project (docs/ + mkdocs.yml) to a folder",
        description="Generate every page of the site as Markdown into OUT/docs/, with the open data, the "
        "feeds, the static assets and the theme overrides, and OUT/mkdocs.yml: the project's config "
        "without the corpus plugin. `mkdocs build -f OUT/mkdocs.yml`, `properdocs build` and "
        "`zensical build` build it as it is. OUT is replaced as a whole, only if it is empty or was "
        "written by this command before.",
        epilog=EPILOG + "  (cd /tmp/site-project && mkdocs build --strict)\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_build)
    p_build.add_argument(
        "--templates", type=Path, default=Path("templates"), help="templates folder (default: templates)"
    )
    p_build.add_argument("--out", type=Path, required=True, help="folder to write the docs project to")
    p_build.add_argument(
        "--config",
        type=Path,
        default=Path("mkdocs.yml"),
        help="the project's MkDocs config (default: mkdocs.yml)",
    )

    p_watch = sub.add_parser(
        "watch",
        help="keep a standalone docs project in a folder up to date as content/ and templates/ change",
        description="Write the project as `build --out` does, then watch content/ and templates/: after "
        "each save only the files whose bytes changed are written (atomically), the pages that went "
        "away are removed, and a broken file keeps the last good pages while its problems are printed. "
        "Run a builder's own live server in OUT beside it, e.g. `zensical serve`.",
        epilog="examples:\n  python -m generator watch --out /tmp/site-project\n"
        "  (cd /tmp/site-project && zensical serve)\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_watch.add_argument(
        "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
    )
    p_watch.add_argument(
        "--templates", type=Path, default=Path("templates"), help="templates folder (default: templates)"
    )
    p_watch.add_argument("--out", type=Path, required=True, help="folder of the docs project")
    p_watch.add_argument(
        "--config",
        type=Path,
        default=Path("mkdocs.yml"),
        help="the project's MkDocs config (default: mkdocs.yml)",
    )
    p_watch.add_argument(
        "--interval", type=float, default=0.3, help="seconds between polls of the folders (default: 0.3)"
    )

    p_search = sub.add_parser(
        "search",
        help="index a built site (by MkDocs, ProperDocs or Zensical) with Pagefind into SITE/pagefind/",
        description="Run Pagefind over the HTML of a site that any builder made, with the same selection "
        "of pages and of each page's article as `search: pagefind` under MkDocs.",
        epilog="examples:\n  (cd /tmp/site-project && zensical build) && python -m generator search "
        "/tmp/site-project/site\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_search.add_argument("site", type=Path, help="the built site's folder (holding index.html)")

    p_new = sub.add_parser(
        "new",
        help="write a new record with its id made from the name",
        description="Write content/KIND/ID.md with the id derived from NAME (refusing an id that exists). "
        "For a country the ISO code and official name come from pycountry.",
        epilog="examples:\n  python -m generator new country Uzbekistan\n"
        '  python -m generator new person "Abbas Araghchi"\n'
        '  python -m generator new event "Moscow format talks" --date 2024-10-04',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_new.add_argument(
        "kind",
        help="sources, events, countries, organizations, people, places or topics (singular works too)",
    )
    p_new.add_argument("name", help="the display name (the title, for events and sources)")
    p_new.add_argument("--date", help="for events: the date; for sources: the publication date")
    p_new.add_argument("--id", dest="record_id", help="use this id instead of one derived from the name")
    p_new.add_argument(
        "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
    )
    p_new.add_argument(
        "--print", dest="dry_run", action="store_true", help="print the record instead of writing it"
    )

    p_bench = sub.add_parser(
        "bench",
        help="benchmark generation, mkdocs build and serving on synthetic corpora (see bench --help)",
        add_help=False,
    )
    p_bench.add_argument("rest", nargs=argparse.REMAINDER)

    p_lsp = sub.add_parser(
        "lsp",
        help="the language server for editors (LSP over stdin/stdout; see the README's authoring guide)",
        description="Completion, diagnostics as you type, hover, definition, references, rename and "
        "code actions for the corpus, over the Language Server Protocol on stdin and stdout.",
    )
    p_lsp.add_argument(
        "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
    )

    p_suggest = sub.add_parser(
        "suggest",
        help="list unlinked mentions and candidate new records, as path:line:col with the edit",
        description="Unlinked mentions: a record's name or alias in a text where auto-linking is off, "
        "or in another case or form. Candidate records: capitalised names the texts repeat that no "
        "record has. Each is numbered; --apply makes the edits you pick.",
        epilog="examples:\n  python -m generator suggest content/sources\n"
        "  python -m generator suggest --apply 1,3\n  python -m generator suggest --apply unlinked\n"
        "  python -m generator suggest --apply 7 --kind organization\n"
        "  python -m generator suggest --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_suggest.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to look at")
    p_suggest.add_argument(
        "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
    )
    p_suggest.add_argument(
        "--apply",
        action="append",
        default=[],
        metavar="PICK",
        help="make these edits: numbers (3, 1,4, 2-5) or a kind (unlinked, candidate)",
    )
    p_suggest.add_argument("--kind", help="the kind of the records that --apply creates from candidates")
    p_suggest.add_argument("--format", choices=("text", "json"), default="text", help="how to print")

    p_stats = sub.add_parser(
        "stats", help="counts per kind, most-mentioned records, records without mentions"
    )
    p_stats.add_argument(
        "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
    )
    p_stats.add_argument("--top", type=int, default=10, help="how many most-mentioned records to list")

    p_import = sub.add_parser(
        "import",
        help="turn brat or Label Studio annotations into sources and records",
        description="Write a source per text, its spans as [[id]] mentions, and a record for every name "
        "no record has (see generator/importers.py for how it decides). Prints a report; exit code 1 "
        "when refused (nothing written), 2 when the input cannot be read.",
        epilog="examples:\n  python -m generator import brat annotations/ --dry-run\n"
        "  python -m generator import label-studio export.json --published 2024-10-03",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tools = p_import.add_subparsers(dest="tool", required=True, metavar="TOOL")
    for tool, what in (("brat", "a folder of NAME.txt + NAME.ann pairs"), ("label-studio", "a JSON export")):
        p_tool = tools.add_parser(tool, help=f"import {what}")
        p_tool.add_argument("path", type=Path, help=what)
        p_tool.add_argument(
            "--content", type=Path, default=Path("content"), help="the corpus folder (default: content)"
        )
        p_tool.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
        p_tool.add_argument(
            "--published", help="publication date (YYYY[-MM[-DD]]) of texts that give none themselves"
        )
    return parser


def _report(problems: Sequence[Problem], fmt: str, stream_ok: bool = True) -> None:
    if fmt == "json":
        print(to_json(problems))
        return
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if problems:
        print(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}", file=sys.stderr
        )


def _failed(problems: Sequence[Problem], strict: bool) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the benchmark parses its own options
        from generator.tools import bench

        return bench.main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "search":
        return _search(args.site)
    if args.command == "lsp":  # the folder is looked for where the editor's workspace is
        from generator.lsp import serve

        return serve(args.content, Path.cwd())
    if not args.content.is_dir():
        print(f"{args.content}: no such folder (give the corpus with --content)", file=sys.stderr)
        return 2
    shown_base = Path.cwd()
    if args.command == "new":
        return _new(args)
    if args.command == "import":
        return _import(args)
    if args.command == "suggest":
        from generator.suggest import run as suggest

        return suggest(args.content, args.paths, args.apply, args.format, args.kind, shown_base)
    if args.command == "stats":
        corpus, problems = check(args.content, shown_base)
        if corpus is None or _failed(problems, False):
            _report(problems, "text")
            return 1
        print(stats(corpus, args.top), end="")
        return 0
    if args.command == "check":
        corpus, problems = check(args.content, shown_base)
        _report(problems, args.format)
        if args.forms and corpus is not None:
            from generator.translations import matched_forms

            forms = matched_forms(corpus.records, corpus.texts)
            print("\n".join(forms) if forms else "no name matched only in another form")
        if args.format == "text" and not _failed(problems, args.strict) and corpus is not None:
            counts: dict[str, int] = {}
            for record in corpus.records.values():
                counts[record.kind] = counts.get(record.kind, 0) + 1
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            print(f"ok: {summary}")
        return 1 if _failed(problems, args.strict) else 0
    try:
        project = read_config(args.config) if args.config.exists() else DEFAULT_PROJECT
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "watch":
        return _watch(args, project, shown_base)
    site = SiteInfo(project.site_name, project.site_url)
    result = generate(args.content, args.templates, shown_base, site=site)
    _report(list(result.problems), args.format)
    if _failed(result.problems, args.strict):
        return 1
    try:
        write_pages(args.out, project_files(project, result.pages, result.files))
    except OutputError as exc:
        print(f"{args.out}: {exc}", file=sys.stderr)
        return 2
    if args.format == "text":
        print(
            f"wrote {len(result.pages)} pages and {len(result.files)} data files to {args.out / 'docs'}, "
            f"and {args.out / 'mkdocs.yml'}"
        )
    return 0


def _search(site: Path) -> int:
    """``search SITE``: Pagefind over a built site, whichever builder made it."""
    from generator.search import PagefindError, index_built_site

    try:
        run = index_built_site(site)
    except PagefindError as exc:
        print(f"{site}: {exc}", file=sys.stderr)
        return 2 if not (site / "index.html").is_file() else 1
    print(f"Pagefind indexed {run.pages} page(s) of {site} in {run.seconds:.2f}s into {run.bundle}")
    return 0


def _watch(args: argparse.Namespace, project: ProjectConfig, shown_base: Path) -> int:
    """``watch --out DIR``: see :mod:`generator.watch`."""
    from generator.watch import ProjectWatch, WatchError

    try:
        watch = ProjectWatch(args.content, args.templates, args.out, project, shown_base)
    except WatchError as exc:
        print(f"{args.out}: {exc}", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the loop, as it ends a builder's serve
        watch.run(interval=args.interval)
    return 0


def _new(args: argparse.Namespace) -> int:
    try:
        record = new_record(args.content, args.kind, args.name, args.date, args.record_id)
    except AuthoringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(record.text, end="")
        return 0
    record.path.parent.mkdir(parents=True, exist_ok=True)
    with record.path.open("x", encoding="utf-8") as fh:  # never overwrite
        fh.write(record.text)
    print(f"wrote {record.path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """``import brat|label-studio PATH``: see :mod:`generator.importers`."""
    from generator.importers import ImportUsageError, run

    try:
        outcome = run(args.tool, args.path, args.content, published=args.published, dry_run=args.dry_run)
    except ImportUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(outcome.report(), end="")
    return outcome.exit_code


class OutputError(Exception):
    pass


_UNCLEAN = frozenset(("", ".", ".."))


def write_pages(out: Path, pages: Mapping[str, str | bytes]) -> None:
    """Replace ``out`` with the files, atomically; refuse to clobber a folder we did not write."""
    out = out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / OUTPUT_MARK).exists():
        raise OutputError("folder is not empty and was not written by this command; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pages-", dir=out.parent))
    folders: set[Path] = set()  # made already: each folder is made once, not once per file
    try:
        for rel in pages:
            # Checked as written, not through the file system: the staging folder is new and
            # this loop makes every folder and file in it, so no link inside it can lead out.
            # (Resolving each of 30,000 paths asked the system about each of their folders.)
            parts = PurePosixPath(rel).parts
            if not parts or PurePosixPath(rel).is_absolute() or not _UNCLEAN.isdisjoint(parts):
                raise OutputError(f"refusing to write outside the output folder: {rel}")
            target = staging.joinpath(*parts)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            with open(target, "wb") as handle:
                if isinstance(pages, ProjectFiles):  # a big file in pieces, never whole
                    handle.writelines(pages.pieces(rel))
                else:
                    content = pages[rel]
                    handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        (staging / OUTPUT_MARK).write_text("", encoding="utf-8")
        if out.exists():
            old = out.with_name(out.name + ".old")
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
