"""The command line: ``python -m generator check | build``.

Exit codes: 0 when the corpus is fine, 1 when it has errors (or warnings, with
``--strict``), 2 when the command itself is misused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from generator.problems import Problem, Severity, to_json
from generator.site import check, generate

OUTPUT_MARK = ".generated-by-corpus-generator"

EPILOG = """\
exit codes:
  0  no errors (warnings are printed but do not fail, unless --strict)
  1  the corpus has errors, or warnings with --strict
  2  the command was misused (unknown option, missing folder)

examples:
  python -m generator check
  python -m generator check --format json --strict
  python -m generator build --out /tmp/pages
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
        p.add_argument("--content", type=Path, default=Path("content"), help="the corpus folder (default: content)")
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
    p_build = sub.add_parser(
        "build",
        help="write the generated Markdown pages to a folder",
        description="Generate every page of the site as Markdown into --out (replaced as a whole, only "
        "if it is empty or was written by this command before).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p_build)
    p_build.add_argument("--templates", type=Path, default=Path("templates"), help="templates folder (default: templates)")
    p_build.add_argument("--out", type=Path, required=True, help="folder to write the Markdown pages to")
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
        print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}", file=sys.stderr)


def _failed(problems: Sequence[Problem], strict: bool) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.content.is_dir():
        print(f"{args.content}: no such folder (give the corpus with --content)", file=sys.stderr)
        return 2
    shown_base = Path.cwd()
    if args.command == "check":
        corpus, problems = check(args.content, shown_base)
        _report(problems, args.format)
        if args.format == "text" and not _failed(problems, args.strict) and corpus is not None:
            counts = {}
            for record in corpus.records.values():
                counts[record.kind] = counts.get(record.kind, 0) + 1
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            print(f"ok: {summary}")
        return 1 if _failed(problems, args.strict) else 0
    result = generate(args.content, args.templates, shown_base)
    _report(list(result.problems), args.format)
    if _failed(result.problems, args.strict):
        return 1
    try:
        write_pages(args.out, result.pages)
    except OutputError as exc:
        print(f"{args.out}: {exc}", file=sys.stderr)
        return 2
    if args.format == "text":
        print(f"wrote {len(result.pages)} pages to {args.out}")
    return 0


class OutputError(Exception):
    pass


def write_pages(out: Path, pages: dict[str, str] | object) -> None:
    """Replace ``out`` with the pages, atomically; refuse to clobber a folder we did not write."""
    assert isinstance(pages, dict)
    out = out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / OUTPUT_MARK).exists():
        raise OutputError("folder is not empty and was not written by this command; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pages-", dir=out.parent))
    try:
        for rel, markdown in pages.items():
            target = (staging / rel).resolve()
            if staging.resolve() not in target.parents:
                raise OutputError(f"refusing to write outside the output folder: {rel}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
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
