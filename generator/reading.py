"""Finding record files and splitting them into front matter and body, keeping line numbers.

Nothing here knows the schema: a file becomes a :class:`Document` (plain data
from YAML plus the line of every field) or a located problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator import kinds
from generator.problems import Problem, error, suggestion

try:  # libyaml's C composer is several times faster; the pure one gives the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KINDS: tuple[str, ...] = kinds.FOLDERS
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_BYTES = 2 * 1024 * 1024
_IGNORED = re.compile(r"(^\.|~$|\.sw[a-z]$|^#.*#$|^4913$)")  # dotfiles, editor backups and swap files


def is_ignored(name: str) -> bool:
    """Whether a file or folder of this name is passed over (dotfiles, editor backups, swap files)."""
    return _IGNORED.search(name) is not None

Location = tuple[str | int, ...]
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Document:
    """One record file, parsed but not yet validated."""

    kind: str
    id: str
    path: str  # as shown to authors
    data: dict[str, Any]
    lines: dict[Location, int] = field(repr=False)
    body: str = field(repr=False)
    body_line: int  # line number of the body's first line in the file

    def line_of(self, loc: Location) -> int:
        """The line of a field (``("members", 2, "id")``), or of its nearest parent."""
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return 1
            loc = loc[:-1]


def slugify(text: str) -> str:
    """A valid id made from free text: ``"Sergey Lavrov"`` → ``"sergey-lavrov"``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def display_path(path: Path, base: Path) -> str:
    """The path as an author types it: relative to ``base`` when inside it."""
    text, prefix = str(path), str(base) + os.sep
    if text.startswith(prefix) and os.sep == "/":  # what relative_to gives, without its parsing
        return text[len(prefix) :]
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def find_files(content: Path, shown_base: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Every record file under ``content`` with its kind; problems for what does not belong."""
    problems: list[Problem] = []
    found: list[tuple[str, Path]] = []
    root = content.resolve()
    if not content.is_dir():
        return [], [error(display_path(content, shown_base), 1, "the content folder does not exist")]
    for entry in sorted(content.iterdir(), key=lambda p: p.name):
        shown = display_path(entry, shown_base)
        if _IGNORED.search(entry.name):
            continue
        if entry.is_symlink() and not _inside(entry, root):
            problems.append(
                error(shown, 1, "symbolic link to outside the content folder; copy the file in instead")
            )
            continue
        if not entry.is_dir():
            problems.append(
                error(shown, 1, f"file outside a kind folder; move it into one of: {', '.join(KINDS)}")
            )
            continue
        if entry.name not in KINDS:
            problems.append(
                error(
                    shown,
                    1,
                    f"unknown folder '{entry.name}'{suggestion(entry.name, KINDS)}"
                    f" (kind folders are: {', '.join(KINDS)})",
                )
            )
            continue
        for path, link in _walk(entry):
            if link and not _inside(path, root):
                problems.append(
                    error(
                        display_path(path, shown_base),
                        1,
                        "symbolic link to outside the content folder; copy the file in instead",
                    )
                )
            elif not path.name.endswith(".md"):
                shown = display_path(path, shown_base)
                problems.append(error(shown, 1, "not a record: record files end in .md"))
            else:
                found.append((entry.name, path))
    return found, problems


def _walk(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Every file under ``folder`` but editor files, in name order, and whether it is a link
    (from the directory listing: no further system call per file, which counts at 30,000)."""
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        below = []
        for item in entries:
            if _IGNORED.search(item.name):
                continue
            if item.is_dir(follow_symlinks=False):
                below.append(Path(item.path))
            elif item.is_symlink() and item.is_dir():
                continue  # a linked folder is not walked into (as os.walk does not)
            else:
                yield Path(item.path), item.is_symlink()
        folders.extend(reversed(below))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def read_document(kind: str, path: Path, shown: str) -> tuple[Document | None, list[Problem]]:
    """Read one record file; on any problem return ``None`` and say why."""
    stem = path.name[: -len(".md")]
    problems: list[Problem] = []
    if not ID_RE.match(stem):
        fixed = slugify(stem)
        hint = f"; rename it to '{fixed}.md'" if fixed else ""
        problems.append(
            error(
                shown,
                1,
                f"'{stem}' is not a valid id: ids use lower-case letters, digits and single hyphens{hint}",
            )
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [*problems, error(shown, 1, f"cannot read the file: {exc.strerror}")]
    if size > MAX_BYTES:
        return None, [
            *problems,
            error(
                shown,
                1,
                f"file is {size / 1_048_576:.1f} MB; a record may be at most {MAX_BYTES // 1_048_576} MB",
            ),
        ]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [*problems, error(shown, 1, f"cannot read the file: {exc.strerror}")]
    text, decode_problems = decode(raw, shown)
    if text is None:
        return None, [*problems, *decode_problems]
    doc, split_problems = parse_text(kind, stem, shown, text)
    return (doc if not problems else None), [*problems, *split_problems]


def decode(raw: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    if not raw.strip():
        return None, [error(shown, 1, "empty file: a record needs front matter between '---' lines")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [error(shown, 1, "the file starts with a byte-order mark; save it as UTF-8 without BOM")]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, [error(shown, line, "binary data (a NUL byte): a record is a UTF-8 text file")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            error(shown, line, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", column)
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def parse_text(kind: str, stem: str, shown: str, text: str) -> tuple[Document | None, list[Problem]]:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, [error(shown, 1, "a record starts with front matter: the first line must be '---'")]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, [error(shown, 1, "the front matter is not closed: add a '---' line after it")]
    front = "\n".join(lines[1:end])
    try:
        if "*" in front:  # find alias uses where they stand, before they are resolved
            for event in yaml.parse(front, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    line = event.start_mark.line + 2 if event.start_mark else 1
                    return None, [
                        error(shown, line, "YAML anchors and aliases (&name, *name) are not supported")
                    ]
        node = yaml.compose(front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark else 1
        column = (mark.column + 1) if mark else 1
        what = exc.problem or "invalid YAML"
        return None, [error(shown, line, f"invalid YAML in the front matter: {what}", column)]
    except yaml.YAMLError as exc:
        return None, [error(shown, 1, f"invalid YAML in the front matter: {exc}")]
    if node is None:
        return None, [error(shown, 2, "the front matter is empty")]
    field_lines: dict[Location, int] = {}
    builder = _Builder(shown, field_lines)
    data = builder.build(node, ())
    if builder.problems:
        return None, builder.problems
    if not isinstance(data, dict):
        return None, [
            error(shown, 2, "the front matter must be a mapping of fields (name: ..., aliases: ...)")
        ]
    body = "\n".join(lines[end + 1 :])
    return Document(kind, stem, shown, data, field_lines, body, end + 2), []


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# YAML's own reading of the scalar types, which keeps no state between scalars: one for all
# files (a loader made per file cost its setup and left a reference cycle behind each time).
_SCALARS = {
    "int": _CONSTRUCTOR.construct_yaml_int,
    "float": _CONSTRUCTOR.construct_yaml_float,
    "bool": _CONSTRUCTOR.construct_yaml_bool,
    "null": _CONSTRUCTOR.construct_yaml_null,
}


class _Builder:
    """Plain Python values from YAML nodes, with the line of every value.

    Only the core YAML types are accepted: tags that construct objects
    (``!!python/object``), anchors and aliases, merge keys and duplicate keys are
    reported instead of being obeyed. Timestamps stay text; dates are parsed later
    with their precision.
    """

    def __init__(self, shown: str, lines: dict[Location, int]) -> None:
        self.shown = shown
        self.lines = lines
        self.problems: list[Problem] = []
        self._seen: set[int] = set()

    def _line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 2  # +1 for 1-based, +1 for the opening '---'

    def build(self, node: yaml.Node, loc: Location) -> Any:
        if id(node) in self._seen:
            self.problems.append(
                error(
                    self.shown, self._line(node), "YAML anchors and aliases (&name, *name) are not supported"
                )
            )
            return None
        self._seen.add(id(node))
        self.lines.setdefault(loc, self._line(node))
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, tag)
        if isinstance(node, yaml.SequenceNode):
            if tag != _TAG + "seq":
                return self._bad_tag(node, tag)
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if tag != _TAG + "map":
                return self._bad_tag(node, tag)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _TAG + "merge":
                    self.problems.append(
                        error(
                            self.shown,
                            self._line(key_node),
                            "field names must be plain words (no merge keys or complex keys)",
                        )
                    )
                    continue
                key = str(key_node.value)
                if key in result:
                    self.problems.append(
                        error(self.shown, self._line(key_node), f"field '{key}' is given twice")
                    )
                    continue
                self.lines[(*loc, key)] = self._line(key_node)
                result[key] = self.build(value_node, (*loc, key))
            return result
        return self._bad_tag(node, tag)  # pragma: no cover - yaml has no other node kind

    def _scalar(self, node: yaml.ScalarNode, tag: str) -> Any:
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return str(node.value)
        if tag in (_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"):
            return _SCALARS[tag[len(_TAG) :]](node)
        return self._bad_tag(node, tag)

    def _bad_tag(self, node: yaml.Node, tag: str) -> None:
        shown_tag = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        self.problems.append(
            error(
                self.shown,
                self._line(node),
                f"YAML tag '{shown_tag}' is not allowed: write plain text, numbers, lists and mappings",
            )
        )
        return None
