"""The language server, driven over stdio by pygls' own LSP client: one real server process
for the module, on a small corpus written here, and a fresh one for the file edits."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from generator.authoring import new_record
from generator.site import check

ROOT = Path(__file__).resolve().parent.parent

CORPUS = {
    "countries/iran.md": "---\nname: Iran\niso: IR\nsummary: Afghanistan's western neighbour.\n---\n",
    "countries/russia.md": "---\nname: Russia\niso: RU\naliases: [Russian Federation]\n---\n",
    "organizations/taliban.md": "---\nname: Taliban\nkind: armed-group\n---\n",
    "organizations/sco.md": "---\nname: Shanghai Cooperation Organization\nshort: SCO\nmembers:\n"
    "  - {id: russia, since: 2001}\n  - id: iran\n    since: 2023-07-04\n---\n",
    "people/sergey-lavrov.md": "---\nname: Sergey Lavrov\naliases: [Lavrov]\nroles:\n"
    "  - {title: Foreign Minister, of: russia, since: 2004-03-09}\n---\n",
    "places/tehran.md": "---\nname: Tehran\nkind: city\ncountry: iran\n---\n",
    "topics/terrorism.md": "---\nname: terrorism\n---\n",
    "topics/refugees.md": "---\nname: refugees\n---\n",  # that nothing mentions: a warning
    "events/tehran-talks.md": "---\ntitle: Tehran talks\ndate: 2021-10-27\nplace: tehran\n"
    "participants:\n  - iran\n  - {id: sergey-lavrov, role: guest}\ntopics: [terrorism]\n---\n",
    "sources/report.md": "---\ntitle: A report\npublished: 2021-10-28\npublisher: sco\n"
    "reports: [tehran-talks]\nlanguage: en\n---\n"
    "Sergey Lavrov met [[iran|Iranian officials]] in Tehran.\n\n"
    "The SCO and [[russia]] spoke of the Taliban and of terrorism.\n",
    "sources/quiet.md": "---\ntitle: A quiet text\npublished: 2021-11-02\nautolink: false\n---\n"
    "Russia spoke to the taliban again.\n\nLavrov said [[sergey-lavrov]] would go.\n",
}


CLIENT_CAPABILITIES = lsp.ClientCapabilities(  # what VS Code and Neovim say of themselves
    workspace=lsp.WorkspaceClientCapabilities(
        file_operations=lsp.FileOperationClientCapabilities(
            did_create=True, did_rename=True, did_delete=True
        ),
        workspace_edit=lsp.WorkspaceEditClientCapabilities(
            document_changes=True,
            resource_operations=[
                lsp.ResourceOperationKind.Create,
                lsp.ResourceOperationKind.Rename,
                lsp.ResourceOperationKind.Delete,
            ],
        ),
    )
)


def write_corpus(root: Path) -> Path:
    content = root / "content"
    for rel, text in CORPUS.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


@contextlib.contextmanager
def no_running_loop() -> Iterator[None]:
    """Run an event loop of our own even where Playwright's sync API (the browser tests'
    session-wide Chromium) has left its loop marked as running in this thread; it is not
    running while this thread waits for ours."""
    running = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(running)


class Session:
    """A real server process (``python -m generator lsp``) and a pygls client, on one loop."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("test-client", "1")
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.arrived: dict[str, asyncio.Event] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self._event(params.uri).set()

        # started elsewhere, as an editor may: the corpus is found from the workspace root it gives
        self.run(self.client.start_io(sys.executable, "-m", "generator", "lsp", cwd=str(root.parent)))
        self.initialized = self.run(
            self.client.initialize_async(
                lsp.InitializeParams(
                    capabilities=CLIENT_CAPABILITIES,
                    root_uri=root.as_uri(),
                    workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="corpus")],
                )
            )
        )
        self.client.initialized(lsp.InitializedParams())

    def _event(self, uri: str) -> asyncio.Event:
        return self.arrived.setdefault(uri, asyncio.Event())

    def run(self, coro: Any, timeout: float = 20) -> Any:
        with no_running_loop():
            return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def uri(self, rel: str) -> str:
        return (self.root / "content" / rel).resolve().as_uri()

    def wait_diagnostics(self, rel: str, timeout: float = 20) -> list[lsp.Diagnostic]:
        uri = self.uri(rel)
        self.run(self._event(uri).wait(), timeout)
        self._event(uri).clear()
        return self.diagnostics[uri]

    def expect(self, rel: str) -> None:
        """Forget diagnostics seen so far for a file, to wait for the next ones."""
        self._event(self.uri(rel)).clear()

    def open(self, rel: str, text: str | None = None) -> None:
        text = text if text is not None else (self.root / "content" / rel).read_text(encoding="utf-8")
        self.expect(rel)
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(self.uri(rel), "markdown", 1, text))
        )

    def change(self, rel: str, text: str, version: int = 2) -> None:
        self.expect(rel)
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=version, uri=self.uri(rel)),
                [lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def save(self, rel: str, text: str) -> None:
        (self.root / "content" / rel).write_text(text, encoding="utf-8")
        self.expect(rel)
        self.client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(self.uri(rel)), text=text)
        )

    def doc(self, rel: str) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(self.uri(rel))

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_async(None), 10)
            self.client.exit(None)
            self.run(self.client.stop(), 10)
        finally:
            self.loop.close()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    root = tmp_path_factory.mktemp("lsp")
    write_corpus(root)
    s = Session(root)
    s.wait_diagnostics("topics/refugees.md")  # the first whole check is done
    yield s
    s.close()


def complete(s: Session, rel: str, text: str, line: int, character: int) -> list[lsp.CompletionItem]:
    s.open(rel, text)
    result = s.run(
        s.client.text_document_completion_async(
            lsp.CompletionParams(s.doc(rel), lsp.Position(line, character))
        )
    )
    items = result.items if isinstance(result, lsp.CompletionList) else result
    return list(items or [])


def test_initialize_announces_the_features(session: Session) -> None:
    caps = session.initialized.capabilities
    assert session.initialized.server_info.name == "corpus-generator"
    assert caps.completion_provider is not None
    assert "[" in (caps.completion_provider.trigger_characters or [])
    for name in ("hover_provider", "definition_provider", "references_provider", "rename_provider"):
        assert getattr(caps, name), name
    assert caps.code_action_provider
    assert caps.text_document_sync.save.include_text  # the text of a save, checked with the corpus
    operations = caps.workspace.file_operations
    assert operations.did_create and operations.did_rename and operations.did_delete


@pytest.mark.parametrize(
    ("line_text", "expected", "absent"),
    [
        ("Met [[", {"iran", "russia", "sergey-lavrov", "tehran-talks"}, set()),
        ("Met [[ser", {"sergey-lavrov"}, {"iran", "russia"}),
        ("Met [[Lavr", {"sergey-lavrov"}, {"iran"}),  # the name matches too
    ],
)
def test_completion_after_brackets(
    session: Session, line_text: str, expected: set[str], absent: set[str]
) -> None:
    text = CORPUS["sources/report.md"] + line_text
    line = text.count("\n")
    items = complete(session, "sources/report.md", text, line, len(line_text))
    labels = {i.label for i in items}
    assert expected <= labels and not absent & labels
    lavrov = next((i for i in items if i.label == "sergey-lavrov"), None)
    if lavrov is not None:
        assert lavrov.detail == "person · Sergey Lavrov"
        assert isinstance(lavrov.text_edit, lsp.TextEdit) and lavrov.text_edit.new_text == "sergey-lavrov]]"


@pytest.mark.parametrize(
    ("rel", "front", "kinds"),
    [
        ("events/new-talks.md", "title: T\ndate: 2021\nplace: ", {"places"}),
        (
            "events/new-talks.md",
            "title: T\ndate: 2021\nparticipants:\n  - ",
            {"countries", "organizations", "people"},
        ),
        (
            "events/new-talks.md",
            "title: T\ndate: 2021\nparticipants:\n  - {id: ",
            {"countries", "organizations", "people"},
        ),
        ("events/new-talks.md", "title: T\ndate: 2021\ntopics: [", {"topics"}),
        ("organizations/new-org.md", "name: N\nmembers:\n  - id: ", {"countries", "organizations", "people"}),
        ("people/someone.md", "name: N\nroles:\n  - title: Envoy\n    of: ", {"countries", "organizations"}),
        ("places/kabul.md", "name: Kabul\ncountry: ", {"countries"}),
        ("sources/new.md", "title: T\npublished: 2021\nreports: [", {"events"}),
        ("sources/new.md", "title: T\npublished: 2021\nreports: [tehran-talks, ", {"events"}),
        ("sources/new.md", "title: T\npublished: 2021\npublisher: ", {"organizations", "people"}),
        (
            "sources/new.md",
            "title: T\npublished: 2021\nquotes:\n  - by: ",
            {"countries", "organizations", "people"},
        ),
        ("sources/new.md", "title: T\npublished: 2021\nquotes:\n  - text: x\n    event: ", {"events"}),
        ("organizations/new-org.md", "name: N\nparent: ", {"organizations"}),
        ("events/new-talks.md", "title: T\ndate: 2021\npart_of: ", {"events"}),
    ],
)
def test_completion_in_fields_offers_only_the_kinds_they_take(
    session: Session, rel: str, front: str, kinds: set[str]
) -> None:
    text = "---\n" + front
    lines = text.split("\n")
    items = complete(session, rel, text + "\n---\n", len(lines) - 1, len(lines[-1]))
    by_kind = {
        "iran": "countries",
        "russia": "countries",
        "taliban": "organizations",
        "sco": "organizations",
        "sergey-lavrov": "people",
        "tehran": "places",
        "terrorism": "topics",
        "tehran-talks": "events",
        "report": "sources",
        "quiet": "sources",
        "refugees": "topics",
    }
    offered = {by_kind[i.label] for i in items}
    assert offered == kinds


@pytest.mark.parametrize(
    ("rel", "front", "wanted", "unwanted"),
    [
        ("events/new-talks.md", "title: T\nkind: me", {"meeting"}, {"summit"}),
        ("organizations/new-org.md", "name: N\nkind: ", {"armed-group", "alliance"}, {"city"}),
        ("sources/new.md", "title: T\npublished: 2021\nlanguage: ", {"en", "ru", "fa", "zh"}, set()),
        ("sources/new.md", "title: T\npublished: 2024-02-", {"2024-02-29"}, {"2024-02-30"}),
        ("sources/new.md", "title: T\npublished: 2023-02-2", {"2023-02-28"}, {"2023-02-29"}),
        ("events/new-talks.md", "title: T\ndate: 2021-1", {"2021-10", "2021-12"}, {"2021-13"}),
    ],
)
def test_completion_of_kind_language_and_dates(
    session: Session, rel: str, front: str, wanted: set[str], unwanted: set[str]
) -> None:
    text = "---\n" + front
    lines = text.split("\n")
    labels = {i.label for i in complete(session, rel, text + "\n---\n", len(lines) - 1, len(lines[-1]))}
    assert wanted <= labels and not unwanted & labels


def test_diagnostics_as_you_type_match_check(session: Session, tmp_path: Path) -> None:
    rel = "events/tehran-talks.md"
    broken = CORPUS[rel].replace("place: tehran", "place: tehrn").replace("  - iran", "  - tehran") + (
        "Met [[irn]] and [[russia]].\n"
    )
    session.open(rel, CORPUS[rel])
    session.wait_diagnostics(rel)
    session.change(rel, broken)
    got = session.wait_diagnostics(rel)
    # the same file on disk, checked by `check`
    other = tmp_path / "corpus"
    shutil.copytree(session.root / "content", other / "content")
    (other / "content" / rel).write_text(broken, encoding="utf-8")
    _corpus, problems = check(other / "content", other)
    expected = [
        (p.line - 1, p.column - 1, p.message)
        for p in problems
        if p.path == f"content/{rel}" and p.severity.value == "error"
    ]
    assert len(expected) == 3
    assert sorted(
        (d.range.start.line, d.range.start.character, d.message) for d in got if d.severity == 1
    ) == sorted((line, col if col else _indent(broken, line), msg) for line, col, msg in expected)
    mention = next(d for d in got if "irn" in d.message)
    assert (mention.range.start.character, mention.range.end.character) == (4, 11)  # [[irn]]
    session.change(rel, CORPUS[rel], 3)
    assert [d for d in session.wait_diagnostics(rel) if d.severity == 1] == []


def test_while_typing_the_whole_checks_findings_stay(session: Session) -> None:
    rel = "topics/refugees.md"
    session.open(rel)
    assert [d.message for d in session.wait_diagnostics(rel)] == [
        "nothing mentions 'refugees': no text names it and no record refers to it "
        "(add a name or alias that the texts use, or a [[refugees]] mention)"
    ]
    session.change(rel, "---\nname: refugees\nsummary: People who fled.\npublisher: x\n---\n")
    got = sorted(d.message for d in session.wait_diagnostics(rel))
    assert got[0].startswith("nothing mentions 'refugees'")  # from the whole check, kept
    assert got[1].startswith("unknown field 'publisher'")  # from the file's own check
    session.change(rel, CORPUS[rel], 3)
    assert len(session.wait_diagnostics(rel)) == 1


def test_positions_are_counted_in_utf16_as_the_client_expects(session: Session) -> None:
    """An emoji is one character to Python and two UTF-16 units to the client."""
    rel = "sources/report.md"
    text = CORPUS[rel] + "\n😀 Met [[irn]] and [[ser"
    session.open(rel, text)
    mention = next(d for d in session.wait_diagnostics(rel) if "irn" in d.message)
    assert (mention.range.start.character, mention.range.end.character) == (7, 14)
    line = text.count("\n")
    got = session.run(
        session.client.text_document_completion_async(
            lsp.CompletionParams(session.doc(rel), lsp.Position(line, len("😀 Met [[irn]] and [[ser") + 1))
        )
    )
    lavrov = next(i for i in got.items if i.label == "sergey-lavrov")
    assert lavrov.text_edit.range.start.character == len("😀 Met [[irn]] and [[") + 1


def _indent(text: str, line: int) -> int:
    here = text.split("\n")[line]
    return len(here) - len(here.lstrip())


def test_a_broken_file_does_not_crash_the_server(session: Session) -> None:
    rel = "countries/iran.md"
    session.open(rel)
    session.wait_diagnostics(rel)
    for i, text in enumerate(
        ["---\nname: [unclosed\n", "\x00\x01", "", "---\n---\n", "no front matter", "---\n: :\n---\n"]
    ):
        session.change(rel, text, 10 + i)
        got = session.wait_diagnostics(rel)
        assert got and got[0].severity == 1
    session.change(rel, CORPUS[rel], 30)
    assert [d for d in session.wait_diagnostics(rel) if d.severity == 1] == []
    hover = session.run(
        session.client.text_document_hover_async(
            lsp.HoverParams(session.doc("sources/report.md"), lsp.Position(7, 25))
        )
    )
    assert hover is not None  # still answering


def _hover(s: Session, rel: str, line: int, character: int) -> str | None:
    s.open(rel)
    result = s.run(
        s.client.text_document_hover_async(lsp.HoverParams(s.doc(rel), lsp.Position(line, character)))
    )
    return None if result is None else result.contents.value


@pytest.mark.parametrize(
    ("rel", "line", "character", "wanted"),
    [
        (
            "sources/report.md",
            7,
            25,
            ["**Iran**", "country `iran`", "Afghanistan's western neighbour.", "Mentioned 1 time in 1 text."],
        ),
        (
            "sources/report.md",
            7,
            2,
            [
                "**Sergey Lavrov**",
                "Foreign Minister of russia (9 March 2004",
                "Mentioned 2 times in 2 texts.",
            ],
        ),
        ("events/tehran-talks.md", 3, 9, ["**Tehran**", "place `tehran`"]),
        ("sources/report.md", 4, 11, ["**Tehran talks**", "When: 27 October 2021"]),
    ],
)
def test_hover(session: Session, rel: str, line: int, character: int, wanted: list[str]) -> None:
    text = _hover(session, rel, line, character)
    assert text is not None
    for piece in wanted:
        assert piece in text


def test_definition(session: Session) -> None:
    session.open("sources/report.md")
    result = session.run(
        session.client.text_document_definition_async(
            lsp.DefinitionParams(session.doc("sources/report.md"), lsp.Position(7, 22))
        )
    )
    assert isinstance(result, lsp.Location) and result.uri == session.uri("countries/iran.md")


def test_references_find_mentions_auto_links_and_fields(session: Session) -> None:
    session.open("countries/russia.md")
    result = session.run(
        session.client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=session.doc("countries/russia.md"),
                position=lsp.Position(1, 7),
                context=lsp.ReferenceContext(include_declaration=False),
            )
        )
    )
    found = sorted(
        (r.uri.rsplit("/content/", 1)[1], r.range.start.line, r.range.start.character, r.range.end.character)
        for r in result
    )
    assert found == [
        ("organizations/sco.md", 4, 9, 15),  # members[0].id
        ("people/sergey-lavrov.md", 4, 34, 40),  # roles[0].of
        ("sources/report.md", 9, 12, 22),  # [[russia]]
    ]
    session.open("people/sergey-lavrov.md")
    result = session.run(
        session.client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=session.doc("people/sergey-lavrov.md"),
                position=lsp.Position(1, 3),
                context=lsp.ReferenceContext(include_declaration=False),
            )
        )
    )
    found = sorted(
        (r.uri.rsplit("/content/", 1)[1], r.range.start.line, r.range.start.character) for r in result
    )
    assert found == [
        ("events/tehran-talks.md", 6, 9),  # participants[1].id
        ("sources/quiet.md", 7, 12),  # [[sergey-lavrov]]; the unlinked "Lavrov" is not a reference
        ("sources/report.md", 7, 0),  # the auto-linked name
    ]


def test_rename_updates_every_reference_and_the_file(session: Session) -> None:
    session.open("countries/russia.md")
    edit = session.run(
        session.client.text_document_rename_async(
            lsp.RenameParams(session.doc("countries/russia.md"), lsp.Position(0, 0), "russian-federation")
        )
    )
    assert isinstance(edit, lsp.WorkspaceEdit) and edit.document_changes
    *texts, last = edit.document_changes
    assert isinstance(last, lsp.RenameFile)
    assert last.old_uri == session.uri("countries/russia.md")
    assert last.new_uri == session.uri("countries/russian-federation.md")
    edits = {
        d.text_document.uri.rsplit("/content/", 1)[1]: [
            (e.range.start.line, e.range.start.character, e.range.end.character, e.new_text) for e in d.edits
        ]
        for d in texts
    }
    assert edits == {
        "organizations/sco.md": [(4, 9, 15, "russian-federation")],
        "people/sergey-lavrov.md": [(4, 34, 40, "russian-federation")],
        "sources/report.md": [(9, 14, 20, "russian-federation")],
    }


def test_rename_refuses_a_taken_id(session: Session) -> None:
    session.open("countries/russia.md")
    with pytest.raises(Exception, match="already used"):
        session.run(
            session.client.text_document_rename_async(
                lsp.RenameParams(session.doc("countries/russia.md"), lsp.Position(0, 0), "iran")
            )
        )


def _actions(
    s: Session, rel: str, text: str, line: int, diagnostics: list[lsp.Diagnostic]
) -> list[lsp.CodeAction]:
    s.open(rel, text)
    result = s.run(
        s.client.text_document_code_action_async(
            lsp.CodeActionParams(
                s.doc(rel),
                lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)),
                lsp.CodeActionContext(diagnostics=diagnostics),
            )
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


def test_code_action_links_an_unlinked_name(session: Session) -> None:
    rel = "sources/quiet.md"
    actions = _actions(session, rel, CORPUS[rel], 5, [])
    edits = {a.title: a.edit.changes[session.uri(rel)][0] for a in actions if a.edit and a.edit.changes}
    assert set(edits) == {"Link 'Russia' as [[russia|Russia]]", "Link 'taliban' as [[taliban|taliban]]"}
    taliban = edits["Link 'taliban' as [[taliban|taliban]]"]
    assert (taliban.range.start.line, taliban.range.start.character, taliban.range.end.character) == (
        5,
        20,
        27,
    )


def test_code_action_creates_a_missing_record(session: Session) -> None:
    rel = "sources/report.md"
    text = CORPUS[rel] + "\nThey met [[isis-k]].\n"
    session.open(rel, text)
    diags = session.wait_diagnostics(rel)
    unknown = [d for d in diags if "isis-k" in d.message]
    assert unknown
    actions = _actions(session, rel, text, unknown[0].range.start.line, unknown)
    titles = {a.title for a in actions}
    assert "Create organization 'isis-k' (content/organizations/isis-k.md)" in titles
    made = next(a for a in actions if a.title.startswith("Create organization"))
    create, insert = made.edit.document_changes
    assert isinstance(create, lsp.CreateFile) and create.uri == session.uri("organizations/isis-k.md")
    assert (
        insert.edits[0].new_text
        == new_record(session.root / "content", "organizations", "Isis K", record_id="isis-k").text
    )
    assert not (session.root / "content" / "organizations" / "isis-k.md").exists()  # the editor makes it


def test_code_action_creates_a_missing_event_dated_as_the_source(session: Session) -> None:
    rel = "sources/report.md"
    text = CORPUS[rel].replace("reports: [tehran-talks]", "reports: [tehran-talks, doha-talks]")
    session.open(rel, text)
    unknown = [d for d in session.wait_diagnostics(rel) if "doha-talks" in d.message]
    assert [d.message for d in unknown] == [
        "field 'reports[1]': unknown id 'doha-talks'; did you mean 'tehran-talks'?"
    ]
    actions = _actions(session, rel, text, unknown[0].range.start.line, unknown)
    assert [a.title for a in actions] == ["Create event 'doha-talks' (content/events/doha-talks.md)"]
    insert = actions[0].edit.document_changes[1]
    assert insert.edits[0].new_text.startswith("---\ntitle: Doha Talks\ndate: '2021-10-28'\n---")


@pytest.mark.slow  # a server of its own, whose files it changes: ~3 s
def test_whole_corpus_diagnostics_after_a_save(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    s = Session(tmp_path)
    try:
        s.wait_diagnostics("topics/refugees.md")
        rel = "sources/quiet.md"
        s.open(rel)
        s.wait_diagnostics(rel)
        # removing the only text that names the Taliban makes a warning appear in *another* file
        s.expect("organizations/taliban.md")
        s.save("sources/report.md", CORPUS["sources/report.md"].replace("Taliban", "group"))
        s.save(rel, CORPUS[rel].replace("taliban", "group"))
        got = s.wait_diagnostics("organizations/taliban.md")
        assert any("nothing mentions 'taliban'" in d.message for d in got)
    finally:
        s.close()


def test_readme_shows_the_editor_setup() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Annotating in your editor", 1)[1].split("\n## ", 1)[0]
    for needle in ("python -m generator lsp", "vim.lsp.start", "languages.toml", "VS Code"):
        assert needle in section
    assert textwrap.dedent(section)


@pytest.mark.slow
def test_bench_times_the_server_over_stdio(tmp_path: Path) -> None:
    from generator.tools.bench import lsp_latency, lsp_table

    with no_running_loop():
        row = lsp_latency(5, tmp_path, rounds=4)
    assert row["sources"] == 5 and row["records"] > 5
    assert 0 < row["change_median_ms"] <= row["change_max_ms"] < 10_000
    assert 0 < row["completion_median_ms"] <= row["completion_max_ms"] < 10_000
    assert "| 5 |" in lsp_table([row])


# --- the Workspace by itself: its state against a fresh `check` of the same texts -------------

VARIANTS = {
    "events/tehran-talks.md": [
        CORPUS["events/tehran-talks.md"],
        CORPUS["events/tehran-talks.md"].replace("place: tehran", "place: tehrn"),
        CORPUS["events/tehran-talks.md"].replace("  - iran", "  - tehran") + "Met [[irn]].\n",
        CORPUS["events/tehran-talks.md"].replace("date: 2021-10-27", "date: 2021-02-30"),
        "---\ntitle: [broken\n---\n",
        CORPUS["events/tehran-talks.md"].replace(
            "topics: [terrorism]", "topics: [terrorism]\npart_of: tehran-talks"
        ),
    ],
    "sources/report.md": [
        CORPUS["sources/report.md"],
        CORPUS["sources/report.md"].replace("publisher: sco", "publisher: iran"),
        CORPUS["sources/report.md"].replace("reports: [tehran-talks]", "reports: [tehran-talk]"),
        CORPUS["sources/report.md"] + "\n[[]] and [[nobody-here]]\n",
        CORPUS["sources/report.md"].replace("language: en", "language: klingon"),
        CORPUS["sources/report.md"].replace(
            "language: en",
            "language: en\nquotes:\n  - {by: iran, text: words never said}\n  - {by: taliban, text: spoke of}",
        ),
    ],
}


from generator.lsp import Workspace  # noqa: E402


def _errors(problems: list[Any], path: str) -> list[tuple[int, int, str]]:
    return sorted(
        (p.line, p.column, p.message) for p in problems if p.path == path and p.severity.value == "error"
    )


def _fresh_check(root: Path, texts: dict[str, str], tmp: Path) -> list[Any]:
    copy = tmp / "fresh"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root / "content", copy / "content")
    for rel, text in texts.items():
        (copy / "content" / rel).write_text(text, encoding="utf-8")
    _corpus, problems = check(copy / "content", copy)
    return problems


@pytest.mark.parametrize(
    ("rel", "variant"), [(rel, i) for rel in sorted(VARIANTS) for i in range(len(VARIANTS[rel]))]
)
def test_a_typed_file_has_the_errors_check_finds(tmp_path: Path, rel: str, variant: int) -> None:
    write_corpus(tmp_path)
    ws = Workspace(Path("content"), tmp_path)
    ws.load()
    text = VARIANTS[rel][variant]
    ws.change(tmp_path / "content" / rel, text)
    expected = _errors(_fresh_check(tmp_path, {rel: text}, tmp_path), f"content/{rel}")
    assert _errors(ws.diagnostics(tmp_path / "content" / rel), f"content/{rel}") == expected
    assert expected or variant == 0


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_STEPS = st.lists(
    st.tuples(
        st.sampled_from(sorted(VARIANTS)), st.integers(0, 5), st.sampled_from(["change", "save", "close"])
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_workspace_diagnostics_equal_a_fresh_check(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, str]]
) -> None:
    """Whatever is typed, saved or closed, a file's errors are those `check` finds when the
    files hold the texts typed so far: typed (open) texts for the edited file, disk for the rest."""
    root = tmp_path_factory.mktemp("ws")
    write_corpus(root)
    ws = Workspace(Path("content"), root)
    ws.load()
    typed: dict[str, str] = {}  # open files and their texts
    for rel, variant, action in steps:
        path = root / "content" / rel
        text = VARIANTS[rel][variant]
        if action == "change":
            ws.change(path, text)
            typed[rel] = text
        elif action == "save":
            path.write_text(text, encoding="utf-8")
            if rel in typed:
                typed[rel] = text
            ws.save(path, text)
        else:
            ws.close(path)
            typed.pop(rel, None)
        on_disk = check(root / "content", root)[1]
        for other in VARIANTS:
            shown = f"content/{other}"
            if other in typed:  # an open file: its own text against the others as on disk
                expected = _errors(_fresh_check(root, {other: typed[other]}, root), shown)
            else:
                expected = _errors(on_disk, shown)
            assert _errors(ws.diagnostics(root / "content" / other), shown) == expected, (other, steps)
