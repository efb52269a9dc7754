"""The Jinja2 environment that turns page specs into Markdown.

Every ``{{ value }}`` is escaped for Markdown unless it is :class:`Markup`, which
only this module's filters produce (links, rendered texts). A field from the
corpus therefore cannot inject Markdown, HTML, attribute lists or links.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import urls
from generator.contexts import MentionGroup
from generator.corpus import Backlink, Corpus
from generator.dates import PartialDate, human_span
from generator.feeds import feed_path
from generator.fragments import text_directive
from generator.mentions import escape_markdown, escape_once, render
from generator.opendata import page_url as record_url
from generator.packed import Decoded, pack
from generator.pages import Group, PageSpec, pager_numbers
from generator.parallel import fork_map, workers_wanted
from generator.pictures import Node, Picture, draw
from generator.problems import Problem, error
from generator.records import KIND_LABELS, Record
from generator.structured import json_ld, script_json


def relative(from_page: str, to_page: str) -> str:
    """The link from one generated page to another (``countries/iran.md`` style)."""
    return _relative_from(from_page.rpartition("/")[0], to_page)


def _relative_from(from_dir: str, to_page: str) -> str:
    to_dir, _, to_name = to_page.rpartition("/")
    if from_dir == to_dir:
        return to_name
    if not from_dir:
        return to_page
    if "/" not in from_dir:
        return "../" + to_page
    return _by_folders(to_page, from_dir)


def _by_folders(path: str, start: str) -> str:
    """:func:`relpath`, as the way between the two folders (memoised) and then the name:
    unless a folder of the name is on the way, or a path is not plain (never so for the
    pages of a site), which go to :func:`relpath` itself."""
    to_dir, slash, name = path.rpartition("/")
    way = None if name in start or name in _UNCLEAN else _folder_between(start, to_dir, bool(slash))
    return relpath(path, start) if way is None else way + name


@functools.lru_cache(maxsize=4096)
def _folder_between(from_dir: str, to_dir: str, slash: bool) -> str | None:
    """The way from one folder to another, ending in ``/`` (None for paths that are not
    plain): computed once per pair of folders (a site has a few dozen), where a memo of
    every folder and page it links to (300,000 pairs at 10,000 sources) kept missing."""
    if not _UNCLEAN.isdisjoint(from_dir.split("/")) or (slash and not _UNCLEAN.isdisjoint(to_dir.split("/"))):
        return None
    way = relpath(to_dir or ".", from_dir)
    return "" if way == "." else way + "/"


_UNCLEAN = frozenset(("", ".", ".."))


def relpath(path: str, start: str) -> str:
    """:func:`posixpath.relpath` for two relative paths.

    Page paths are plain (``a/b/c``, or ``.`` for the root), for which this is a matter
    of their common folders; ``posixpath.relpath`` would make both absolute first, which
    asks the system for the working directory every time. Anything else goes to it."""
    to = path.split("/") if path != "." else []
    here = start.split("/") if start != "." else []
    if _UNCLEAN.intersection(to) or _UNCLEAN.intersection(here):
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(to, here, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


page_url = urls.served


@functools.lru_cache(maxsize=65536)
def url_between(from_page: str, to_page: str) -> str:
    """A relative URL from one page to another as served (for raw HTML, which MkDocs
    does not rewrite)."""
    here = page_url(from_page).rstrip("/") or "."
    there = page_url(to_page).rstrip("/") or "."
    path = _by_folders(there, here)
    return "./" if path == "." else path + "/"


PARALLEL_PAGES = 400
"""From this many pages on, a full build renders on several cores: below, forking costs
more than it saves."""


def _finalize(value: Any) -> Markup:
    """Applied to every ``{{ value }}``: Markdown-escape anything that is not Markup.

    With ``autoescape`` on, Jinja then leaves the returned Markup alone, and macros
    return Markup, so their output is not escaped twice."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    if isinstance(value, PartialDate):
        return Markup(escape_markdown(value.human()))
    return Markup(escape_markdown(str(value)))


class _MarkupOutput(jinja2.compiler.CodeGenerator):
    """Compiles ``{{ value }}`` to ``finalize(value)`` where Jinja writes
    ``escape(finalize(value))``.

    :func:`_finalize` returns Markup whatever it is given, and ``escape`` of Markup is
    the same text copied into a new Markup: work done for every value on every page
    (a million times for a large site) that cannot change a byte. Templates that switch
    autoescaping on and off (none here) are compiled as Jinja does."""

    def _output_child_pre(
        self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any
    ) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is not None:
            self.write("(" + finalize.src)  # closed, like escape(, by _output_child_post
            return
        super()._output_child_pre(node, frame, finalize)


class _Environment(jinja2.Environment):
    code_generator_class = _MarkupOutput


def flag(iso2: str) -> str:
    """The flag emoji of an ISO alpha-2 code (regional indicator letters)."""
    if len(iso2) != 2 or not iso2.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in iso2.upper())


def _title_attr(record: Record) -> str:
    summary = record.summary or record.label
    # No markup in a title: Material's content.tooltips shows a link's title as HTML on hover,
    # so a summary copied from the web holding "<img onerror=…>" would run there.
    summary = summary.replace("<", "‹").replace(">", "›")
    return summary.replace('"', "'").replace("\\", "/").replace("\n", " ")


class Renderer:
    """Renders :class:`PageSpec` objects for one corpus."""

    def __init__(
        self,
        templates: Path,
        corpus: Corpus,
        bytecode: jinja2.bccache.BytecodeCache | None = None,
        site_url: str | None = None,
    ) -> None:
        self.site_url = site_url.rstrip("/") + "/" if site_url else None
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            finalize=_finalize,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=bytecode,
            # A renderer is made again when a template changes (the engine keys it by their
            # stat): no stat of the template file for every page it writes.
            auto_reload=False,
        )
        self.env.filters.update(
            link=self.link,
            url=self.url,
            passage=self.passage,
            text=self.text,
            sentence=self.sentence,
            mention_list=self.mention_list,
            date=lambda d: d.human() if d else "",
            span=lambda start, end=None: human_span(start, end),
            flag=flag,
            kind_label=lambda kind, plural=False: KIND_LABELS[kind][1 if plural else 0],
            md=lambda s: Markup(escape_markdown(str(s))),
            cell=lambda s: Markup(escape_markdown(" ".join(str(s).split()))),
            picture=self.picture,
            structured_data=self.structured_data,
            feed=lambda record: Markup(feed_path(record) or ""),
        )
        self.env.globals.update(pager_numbers=pager_numbers)
        self.bind(corpus)

    def bind(self, corpus: Corpus) -> None:
        """Render from ``corpus`` from now on (the compiled templates are kept).

        Everything a page shows of the corpus is read from it while the page renders: the
        memos of titles, language marks and links are per binding, so a corpus that notes
        its reads (the incremental engine's) sees every read of every page rendered while it
        is bound."""
        self.corpus = corpus
        self._titles: dict[str, str] = {}
        self._marks: dict[str, tuple[str, str]] = {}
        # Links by page folder, target, text and anchor: pages of one folder link alike,
        # and the same names are linked from page after page.
        self._links: dict[tuple[str, str, str | None, str], Markup] = {}
        self.env.globals["records"] = corpus.records

    # -- filters --------------------------------------------------------------------------

    def _title(self, target: str) -> str:
        """The escaped link title (shown as a tooltip) of a record, computed once per record."""
        title = self._titles.get(target)
        if title is None:
            title = self._titles[target] = escape_markdown(_title_attr(self.corpus.records[target]))
        return title

    @jinja2.pass_context
    def url(self, ctx: jinja2.runtime.Context, target: str, anchor: str = "") -> Markup:
        page = self.corpus.records[target].page if target in self.corpus.records else target
        href = relative(ctx["page_path"], page)
        return Markup(href + (f"#{anchor}" if anchor else ""))

    @jinja2.pass_context
    def passage(self, ctx: jinja2.runtime.Context, target: str, paragraph: int, text: str) -> Markup:
        """``¶ N``: a link to paragraph N of a text whose text fragment (``#p-N:~:text=…``)
        makes the browser highlight ``text`` there.

        Raw HTML with the served URL, because MkDocs would take the directive for part of
        the anchor and report it missing; the anchor itself is checked by the tests."""
        return Markup(self._passage(ctx["page_path"], target, paragraph, text))

    def _passage(self, page: str, target: str, paragraph: int, text: str) -> str:
        href = url_between(page, self.corpus.records[target].page)
        href += f"#p-{paragraph}" + text_directive(text)
        return f'<a class="passage" href="{html.escape(href)}">¶ {paragraph}</a>'

    @jinja2.pass_context
    def link(
        self, ctx: jinja2.runtime.Context, target: str, text: str | None = None, anchor: str = ""
    ) -> Markup:
        """``[Name](../kind/id.md "summary")``; plain text for a name that has no record."""
        return self._link_in(ctx["page_path"].rpartition("/")[0], target, text, anchor)

    def _link_in(self, folder: str, target: str, text: str | None, anchor: str) -> Markup:
        key = (folder, target, text, anchor)
        made = self._links.get(key)
        if made is None:
            made = self._links[key] = self._make_link(key[0], target, text, anchor)
        return made

    def _make_link(self, folder: str, target: str, text: str | None, anchor: str) -> Markup:
        return Markup(self._link_markdown(folder, target, text, anchor))

    def _link_markdown(self, folder: str, target: str, text: str | None, anchor: str) -> str:
        """``[Name](../kind/id.md "summary")`` from a page in ``folder``: what :meth:`link` writes."""
        record = self.corpus.records.get(target)
        if record is None:
            return escape_markdown(text or target)
        shown = escape_markdown(text if text is not None else record.name)
        href = _relative_from(folder, record.page) + (f"#{anchor}" if anchor else "")
        return f'[{shown}]({href} "{self._title(target)}")'

    @jinja2.pass_context
    def text(self, ctx: jinja2.runtime.Context, record_id: str, marks: bool = False) -> Markup:
        body = self.corpus.texts.get(record_id)
        if body is None:
            return Markup("")
        page = ctx["page_path"]
        records = self.corpus.records

        @functools.cache
        def link_for(target: str) -> str | None:
            rec = records.get(target)
            if rec is None:
                return None
            if rec.page == page:
                return None  # a page does not link to itself
            return f'{relative(page, rec.page)} "{self._title(target)}"'

        spans = self.corpus.marks.get(record_id, {}) if marks else None
        return Markup(render(body, link_for, marks=spans))

    @jinja2.pass_context
    def picture(self, ctx: jinja2.runtime.Context, spec: Picture | None) -> Markup:
        """An SVG picture as one raw HTML block; empty when there is nothing to draw."""
        if spec is None:
            return Markup("")
        page = ctx["page_path"]

        def resolve(target: str) -> Node:
            record = self.corpus.records.get(target)
            if record is None:
                return Node(target, "page", url_between(page, target))
            short = getattr(record.front, "short", None) or ""
            return Node(record.name, record.kind, url_between(page, record.page), record.label, short)

        return Markup(draw(spec, resolve))

    @jinja2.pass_context
    def structured_data(self, ctx: jinja2.runtime.Context, record: Record) -> Markup:
        """The page's schema.org JSON-LD, safe inside ``<script>`` and quoted as a YAML string
        for the page's front matter (the theme puts it into ``<head>``).

        URLs are absolute under ``site_url`` when the site has one, else relative to the page."""
        root = self.site_url or url_between(ctx["page_path"], "index.md")
        data = json_ld(self.corpus, record, root + record_url(record))
        return Markup(json.dumps(script_json(data)))

    def _in_language(self, record_id: str, markdown: str) -> str:
        """The ``in_language`` macro of ``_macros.md.j2``: text in a source's language
        marked with it (and isolated when it is written right to left)."""
        opening, closing = self._language_marks(record_id)
        return f"{opening}{markdown}{closing}"  # not `+`: Markup's would escape the marks

    def _language_marks(self, record_id: str) -> tuple[str, str]:
        """What :meth:`_in_language` puts before and after a text of a record (once per
        record: a source's marks open each of its groups in a record's mention lists)."""
        marks = self._marks.get(record_id)
        if marks is None:
            language = self.corpus.records[record_id].language
            marks = ("", "")
            if language.foreign:
                marks = (f"<span {escape_markdown(language.attributes)}>", "</span>")
            self._marks[record_id] = marks
        return marks

    @jinja2.pass_context
    def mention_list(
        self, ctx: jinja2.runtime.Context, mention_groups: Sequence[MentionGroup], unindexed: bool = True
    ) -> Markup:
        """The lines of a list of mentions (the ``mention_list`` macro of ``_macros.md.j2``).

        Written here rather than in the template: a list holds a line per mention, and the
        lines of all the lists are most of what a large site's pages hold, which Jinja's
        macro calls made the costliest part of rendering. The output is the same."""
        page = ctx["page_path"]
        folder = page.rpartition("/")[0]
        out: list[str] = []
        line_end = "\n  { .unindexed }\n" if unindexed else "\n"
        records = self.corpus.records
        heading_end = " { .unindexed }" if unindexed else ""
        for group in mention_groups:
            source = group.source
            opening, closing = self._language_marks(source)  # for the heading and every line
            # not through the memo of links: a list's links are to the texts mentioning one
            # record, from that record's folder, so they seldom recur (at 10,000 sources the
            # memo grew by 300,000 links it never gave back, about 100 MB in each process)
            out.append(f"### {opening}{self._link_markdown(folder, source, None, '')}{closing}{heading_end}")
            if group.translation_of:
                name = escape_markdown(records[source].language.name)
                original = self._in_language(
                    group.translation_of, self._link_markdown(folder, group.translation_of, None, "")
                )
                out.append(f"\nTranslation in {name} of {original}\n")
            out.append("\n\n")
            # What the lines of one group share, made once: the link to the text (html.escape
            # of a URL is the escapes of its parts, joined; a text directive is percent-encoded
            # words and commas, with nothing to escape).
            href = html.escape(url_between(page, records[source].page))
            for backlink in group.backlinks:
                paragraph = backlink.paragraph
                out.append(
                    f"- “{opening}{_sentence(backlink)}{closing}” "
                    f'<a class="passage" href="{href}#p-{paragraph}{text_directive(backlink.sentence)}">'
                    f"¶ {paragraph}</a>{line_end}"
                )
            out.append("\n")
        return Markup("".join(out))

    def sentence(self, backlink: Backlink) -> Markup:
        return Markup(_sentence(backlink))

    # -- pages ----------------------------------------------------------------------------

    def compile_templates(self) -> None:
        """Load and compile every template now rather than on first use. A template that
        fails is left to fail again, and be reported, when a page needs it."""
        for name in self.env.list_templates():
            try:
                self.env.get_template(name)
            except Exception:
                continue

    def render_page(self, spec: PageSpec) -> tuple[str | None, list[Problem]]:
        context: dict[str, Any] = {"page_path": spec.path, "title": spec.title, **spec.context.variables()}
        try:
            template = self.env.get_template(spec.template)
            page = template.new_context(context)
            try:  # Template.render, and its cycles broken after it
                return self.env.concat(template.root_render_func(page)), []
            except Exception:
                self.env.handle_exception()
            finally:
                _let_go(page, self.env)
        except jinja2.TemplateSyntaxError as exc:
            return None, [
                error(
                    _template_path(exc.filename, exc.name), exc.lineno or 1, f"template syntax: {exc.message}"
                )
            ]
        except jinja2.TemplateNotFound as exc:
            return None, [error(f"templates/{exc.name}", 1, f"template not found (needed for {spec.path})")]
        except jinja2.UndefinedError as exc:
            return None, [
                error(
                    f"templates/pages/{spec.template}",
                    _template_line(exc, spec.template),
                    f"template: {exc.message} (while writing {spec.path})",
                )
            ]
        except Exception as exc:  # a template bug must not show a traceback to an author
            return None, [
                error(
                    f"templates/pages/{spec.template}",
                    _template_line(exc, spec.template),
                    f"template failed: {exc} (while writing {spec.path})",
                )
            ]


def _let_go(context: jinja2.runtime.Context, env: jinja2.Environment) -> None:
    """Break the cycles a rendered page leaves: its macros close over its context, which
    holds them. Freed now by reference counting rather than found later by the collector,
    a page's objects are never kept past it, even where the collector is paused (the
    engine's first update left 560 MB of such garbage at 10,000 sources)."""
    contexts = [context]
    for value in context.vars.values():  # the page's macros, and those of the modules it imported
        module = isinstance(value, jinja2.environment.TemplateModule)
        if module and _shared(value, env):
            continue  # imported without context: Jinja keeps the module for every page
        macros = list(vars(value).values()) if module else [value]
        for macro in macros:
            if isinstance(macro, jinja2.runtime.Macro):
                for cell in macro._func.__closure__ or ():
                    if isinstance(cell.cell_contents, jinja2.runtime.Context):
                        contexts.append(cell.cell_contents)
                macro._func = _gone
    for held in contexts:
        held.vars.clear()
        held.blocks.clear()


def _shared(module: jinja2.environment.TemplateModule, env: jinja2.Environment) -> bool:
    name = module.__name__
    try:
        return name is not None and env.get_template(name)._module is module
    except Exception:  # not a template of this environment's: not kept by it either
        return False


def _gone(*_args: object) -> str:
    raise RuntimeError("a macro called after its page was rendered")


def _sentence(backlink: Backlink) -> str:
    """A mention's sentence as Markdown, the mention in bold."""
    sentence, at, end = backlink.sentence, backlink.at, backlink.at + len(backlink.shown)
    shown = escape_markdown(sentence[at:end])
    return f"{escape_once(sentence[:at])}**{shown}**{escape_once(sentence[end:])}"



def _template_path(filename: str | None, name: str | None) -> str:
    if filename:
        parts = Path(filename).parts
        if "templates" in parts:
            return "/".join(parts[parts.index("templates") :])
        return filename
    return f"templates/pages/{name}"


def _template_line(exc: BaseException, template: str) -> int:
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(template):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class Collected:
    """Pages and template problems gathered in the order of the specs.

    A broken template fails on every page it writes; it is reported once, for the first
    of them, so that an author sees one problem per mistake."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}  # packed: see generator/packed.py
        self.problems: list[Problem] = []
        self._broken: set[str] = set()

    def add(self, path: str, template: str, markdown: bytes | None, found: Sequence[Problem]) -> None:
        """The page at ``path``, written by ``template``: its packed Markdown, or what failed."""
        if found:
            if template not in self._broken:
                self.problems.extend(found)
                self._broken.add(template)
            return
        assert markdown is not None
        self.pages[path] = markdown


_Rendered = tuple[str, str, bytes | None, list[Problem]]
"""A page as a process sends it back: its path, its template, its packed Markdown, its problems."""


def render_all(
    templates: Path,
    corpus: Corpus,
    specs: Sequence[PageSpec | Group],
    site_url: str | None = None,
    workers: int | None = None,
) -> tuple[Decoded, list[Problem]]:
    """Every page's Markdown (pure), held packed (:mod:`generator.packed`), in the order of
    ``specs``: pages' specs, or groups of them still to be planned (:func:`pages.plan_groups`),
    each planned by the process that renders it. The pages of a big site are rendered by
    ``workers`` processes (see :mod:`generator.parallel`; by default one per core), which
    pack what they made; the result is the same as a serial run's."""
    renderer = Renderer(templates, corpus, None, site_url)
    collected = Collected()
    processes = workers_wanted(workers) if len(specs) >= PARALLEL_PAGES else 1
    if processes > 1:
        renderer.compile_templates()  # once, before the processes part

    def render_share(share: Sequence[PageSpec | Group]) -> list[list[_Rendered]]:
        made = []
        for item in share:
            rendered = []
            for spec in [item] if isinstance(item, PageSpec) else item():
                markdown, found = renderer.render_page(spec)
                packed = None if markdown is None else pack(markdown)
                rendered.append((spec.path, spec.template, packed, found))
            made.append(rendered)
        return made

    for rendered in fork_map(render_share, specs, processes):
        for path, template, markdown, found in rendered:
            collected.add(path, template, markdown, found)
    return Decoded(collected.pages), collected.problems


__all__ = ["Collected", "Renderer", "relative", "render_all"]
