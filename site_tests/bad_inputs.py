"""Broken corpora: each case is a valid base corpus with a few files changed, and the
located problem it must produce (path relative to the corpus folder, line, words of the
message). Used by the unit tests (``check``), the CLI tests and the MkDocs tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BASE: dict[str, str | bytes] = {
    "countries/iran.md": "---\nname: Iran\niso: IR\n---\n",
    "countries/russia.md": "---\nname: Russia\niso: RU\n---\n",
    "organizations/sco.md": (
        "---\nname: Shanghai Cooperation Organization\nshort: SCO\nmembers:\n"
        "  - id: russia\n    since: 2001-06-15\n---\n"
    ),
    "people/sergey-lavrov.md": (
        "---\nname: Sergey Lavrov\naliases: [Lavrov]\nroles:\n  - title: Foreign Minister\n    of: russia\n---\n"
    ),
    "places/tehran.md": "---\nname: Tehran\ncountry: iran\ncoordinates: [35.69, 51.39]\n---\n",
    "topics/terrorism.md": "---\nname: terrorism\n---\n",
    "events/tehran-meeting.md": (
        "---\ntitle: Tehran meeting\ndate: 2021-10-27\nplace: tehran\n"
        "participants: [iran, {id: russia, role: guest}]\ntopics: [terrorism]\n---\n"
    ),
    "sources/report.md": (
        "---\ntitle: A report\npublished: 2021-10-28\nreports: [tehran-meeting]\nquotes:\n"
        "  - by: sergey-lavrov\n    text: We call on the neighbours\n    event: tehran-meeting\n---\n"
        "Officials of Iran and Russia met in Tehran, beside the SCO.\n\n“We call on the neighbours,” Lavrov said.\n"
    ),
}


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str | bytes | None]  # None removes a base file
    path: str  # where the problem is reported, relative to the content folder's parent
    line: int
    words: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)  # special setups, see write_case

    def __str__(self) -> str:
        return self.name


def _event(body: str) -> str:
    return f"---\n{body}\n---\n"


CASES: list[Case] = [
    Case("malformed YAML", {"countries/iran.md": "---\nname: [Iran\niso: IR\n---\n"}, "content/countries/iran.md", 3, ("invalid YAML",)),
    Case("YAML tab indentation", {"countries/iran.md": "---\nname: Iran\n\tiso: IR\n---\n"}, "content/countries/iran.md", 3, ("invalid YAML",)),
    Case("front matter not closed", {"countries/iran.md": "---\nname: Iran\niso: IR\n"}, "content/countries/iran.md", 1, ("not closed",)),
    Case("no front matter", {"countries/iran.md": "Iran is a country.\n"}, "content/countries/iran.md", 1, ("must be '---'",)),
    Case("front matter is a list", {"countries/iran.md": "---\n- Iran\n---\n"}, "content/countries/iran.md", 2, ("must be a mapping",)),
    Case("empty file", {"countries/iran.md": ""}, "content/countries/iran.md", 1, ("empty file",)),
    Case("missing required name", {"countries/iran.md": "---\niso: IR\n---\n"}, "content/countries/iran.md", 2, ("'name'", "missing")),
    Case("missing required iso", {"countries/iran.md": "---\nname: Iran\n---\n"}, "content/countries/iran.md", 2, ("'iso'", "missing")),
    Case("unknown field with suggestion", {"countries/iran.md": "---\nname: Iran\niso: IR\nalises: [Persia]\n---\n"}, "content/countries/iran.md", 4, ("unknown field 'alises'", "did you mean 'aliases'")),
    Case("fake ISO code", {"countries/iran.md": "---\nname: Iran\niso: XQ\n---\n"}, "content/countries/iran.md", 3, ("'iso'", "not an ISO 3166-1", "did you mean 'IR'?")),  # the code of the country it names
    Case("number where text is due", {"countries/iran.md": "---\nname: 1979\niso: IR\n---\n"}, "content/countries/iran.md", 2, ("'name'", "expected text", "1979")),
    Case("mapping where a list is due", {"organizations/sco.md": "---\nname: SCO\nmembers: {id: russia}\n---\n"}, "content/organizations/sco.md", 3, ("'members'", "expected a list")),
    Case("list where a mapping is due", {"organizations/sco.md": "---\nname: SCO\nmembers:\n  - [russia]\n---\n"}, "content/organizations/sco.md", 4, ("'members[0]'", "mapping")),
    Case("number where an id is due", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\nplace: 42")}, "content/events/tehran-meeting.md", 4, ("'place'", "expected text")),
    Case("bad wikidata id", {"countries/iran.md": "---\nname: Iran\niso: IR\nwikidata: 794\n---\n"}, "content/countries/iran.md", 4, ("wikidata", "Q889")),
    Case("javascript url", {"sources/report.md": "---\ntitle: R\npublished: 2021\nurl: javascript:alert(1)\n---\n"}, "content/sources/report.md", 4, ("'url'", "not an http or https address")),
    Case("bad language tag", {"sources/report.md": "---\ntitle: R\npublished: 2021\nlanguage: english language\n---\n"}, "content/sources/report.md", 4, ("'language'", "BCP 47")),
    Case("autolink not a boolean", {"sources/report.md": "---\ntitle: R\npublished: 2021\nautolink: nope\n---\n"}, "content/sources/report.md", 4, ("'autolink'", "true or false")),
    Case("impossible date", {"events/tehran-meeting.md": _event("title: M\ndate: 2021-02-30")}, "content/events/tehran-meeting.md", 3, ("'date'", "February 2021 has 28 days")),
    Case("impossible month", {"sources/report.md": "---\ntitle: R\npublished: 2021-13\n---\n"}, "content/sources/report.md", 3, ("'published'", "no month 13")),
    Case("end before start", {"events/tehran-meeting.md": _event("title: M\nstart: 2021-09-10\nend: 2021-09-01")}, "content/events/tehran-meeting.md", 4, ("'end'", "before 'start'")),
    Case("start without end", {"events/tehran-meeting.md": _event("title: M\nstart: 2021-09-10")}, "content/events/tehran-meeting.md", 3, ("'end' is missing",)),
    Case("date and start together", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\nstart: 2021\nend: 2022")}, "content/events/tehran-meeting.md", 3, ("either 'date'",)),
    Case("event without date", {"events/tehran-meeting.md": _event("title: M")}, "content/events/tehran-meeting.md", 2, ("needs 'date'",)),
    Case("membership until before since", {"organizations/sco.md": "---\nname: SCO\nmembers:\n  - id: russia\n    since: 2005\n    until: 2001\n---\n"}, "content/organizations/sco.md", 6, ("'members[0].until'", "before 'since'")),
    Case("unknown participant", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\nparticipants: [iran, rusia]")}, "content/events/tehran-meeting.md", 4, ("'participants[1].id'", "unknown id 'rusia'", "did you mean 'russia'")),
    Case("unknown place", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\nplace: teheran")}, "content/events/tehran-meeting.md", 4, ("'place'", "unknown id 'teheran'", "'tehran'")),
    Case("place of the wrong kind", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\nplace: iran")}, "content/events/tehran-meeting.md", 4, ("'place'", "is a country", "takes a place")),
    Case("unknown part_of", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\npart_of: summit")}, "content/events/tehran-meeting.md", 4, ("'part_of'", "unknown id 'summit'")),
    Case("unknown topic", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\ntopics: [terorism]")}, "content/events/tehran-meeting.md", 4, ("'topics[0]'", "'terrorism'")),
    Case("unknown member", {"organizations/sco.md": "---\nname: SCO\nmembers:\n  - id: chna\n---\n"}, "content/organizations/sco.md", 4, ("'members[0].id'", "unknown id 'chna'")),
    Case("unknown parent", {"organizations/sco.md": "---\nname: SCO\nparent: un\n---\n"}, "content/organizations/sco.md", 3, ("'parent'", "unknown id 'un'")),
    Case("unknown country of a place", {"places/tehran.md": "---\nname: Tehran\ncountry: persia\n---\n"}, "content/places/tehran.md", 3, ("'country'", "unknown id 'persia'")),
    Case("role in an unknown organization", {"people/sergey-lavrov.md": "---\nname: Sergey Lavrov\nroles:\n  - title: Minister\n    of: russian-mfa\n---\n"}, "content/people/sergey-lavrov.md", 5, ("'roles[0].of'", "unknown id 'russian-mfa'")),
    Case("unknown reported event", {"sources/report.md": "---\ntitle: R\npublished: 2021\nreports: [tehran-meting]\n---\n"}, "content/sources/report.md", 4, ("'reports[0]'", "did you mean 'tehran-meeting'")),
    Case("unknown quote speaker", {"sources/report.md": "---\ntitle: R\npublished: 2021\nquotes:\n  - by: lavrov\n    text: hi\n---\nhi\n"}, "content/sources/report.md", 5, ("'quotes[0].by'", "unknown id 'lavrov'", "'sergey-lavrov'")),
    Case("unknown quote event", {"sources/report.md": "---\ntitle: R\npublished: 2021\nquotes:\n  - by: iran\n    text: hi\n    event: nope\n---\nhi\n"}, "content/sources/report.md", 7, ("'quotes[0].event'", "unknown id 'nope'")),
    Case("unknown id in a mention", {"sources/report.md": "---\ntitle: R\npublished: 2021\n---\nFirst line.\n\nThen [[rusia]] spoke.\n"}, "content/sources/report.md", 7, ("mention '[[rusia]]'", "did you mean 'russia'")),
    Case("unknown id in an entity's prose", {"countries/iran.md": "---\nname: Iran\niso: IR\n---\nNeighbour of [[afganistan|Afghanistan]].\n"}, "content/countries/iran.md", 5, ("unknown id 'afganistan'",)),
    Case("quote not in the text", {"sources/report.md": "---\ntitle: R\npublished: 2021\nquotes:\n  - by: iran\n    text: We never said this\n---\nWe said that.\n"}, "content/sources/report.md", 6, ("'quotes[0].text' does not occur",)),
    Case("part_of cycle", {"events/a.md": _event("title: A\ndate: 2021\npart_of: b"), "events/b.md": _event("title: B\ndate: 2021\npart_of: a")}, "content/events/a.md", 4, ("cycle", "a → b → a")),
    Case("part_of itself", {"events/tehran-meeting.md": _event("title: M\ndate: 2021\npart_of: tehran-meeting")}, "content/events/tehran-meeting.md", 4, ("cycle",)),
    Case("duplicate id across kinds", {"places/iran.md": "---\nname: Iran\n---\n"}, "content/places/iran.md", 1, ("id 'iran' is already used by content/countries/iran.md",)),
    Case("upper-case id", {"countries/Iraq.md": "---\nname: Iraq\niso: IQ\n---\n"}, "content/countries/Iraq.md", 1, ("'Iraq' is not a valid id", "'iraq.md'")),
    Case("underscore in id", {"countries/saudi_arabia.md": "---\nname: Saudi Arabia\niso: SA\n---\n"}, "content/countries/saudi_arabia.md", 1, ("not a valid id", "'saudi-arabia.md'")),
    Case("dots in id", {"countries/..iraq.md": "---\nname: Iraq\niso: IQ\n---\n", "countries/ir..aq.md": "---\nname: Iraq\niso: IQ\n---\n"}, "content/countries/ir..aq.md", 1, ("not a valid id",)),
    Case("duplicate field", {"countries/iran.md": "---\nname: Iran\niso: IR\nname: Persia\n---\n"}, "content/countries/iran.md", 4, ("'name' is given twice",)),
    Case("YAML tag constructing an object", {"countries/iran.md": "---\nname: !!python/object/apply:os.system [echo pwned]\niso: IR\n---\n"}, "content/countries/iran.md", 2, ("YAML tag", "not allowed")),
    Case("YAML anchors and aliases", {"countries/iran.md": "---\nname: &n Iran\naliases: [*n]\niso: IR\n---\n"}, "content/countries/iran.md", 3, ("anchors and aliases",)),
    Case("non-UTF-8 bytes", {"countries/iran.md": b"---\nname: Ir\xe2n\niso: IR\n---\n"}, "content/countries/iran.md", 2, ("not UTF-8",)),
    Case("byte-order mark", {"countries/iran.md": b"\xef\xbb\xbf---\nname: Iran\niso: IR\n---\n"}, "content/countries/iran.md", 1, ("byte-order mark",)),
    Case("binary file", {"countries/iran.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "content/countries/iran.md", 3, ("binary data",)),
    Case("file in an unknown folder", {"evnts/x.md": _event("title: X\ndate: 2021")}, "content/evnts", 1, ("unknown folder 'evnts'", "did you mean 'events'")),
    Case("file outside kind folders", {"notes.md": "hello\n"}, "content/notes.md", 1, ("outside a kind folder",)),
    Case("not a markdown file", {"countries/iran.txt": "Iran\n"}, "content/countries/iran.txt", 1, ("end in .md",)),
    Case("symlink outside content", {}, "content/countries/passwd.md", 1, ("symbolic link",), extra={"symlink": "countries/passwd.md"}),
    Case("50 MB file", {}, "content/sources/huge.md", 1, ("MB", "at most"), extra={"huge": "sources/huge.md"}),
    Case("coordinates out of range", {"places/tehran.md": "---\nname: Tehran\ncoordinates: [351.69, 51.39]\n---\n"}, "content/places/tehran.md", 3, ("'coordinates'", "latitude")),
    Case("publisher of the wrong kind", {"sources/report.md": "---\ntitle: R\npublished: 2021\npublisher: tehran\n---\n"}, "content/sources/report.md", 4, ("'publisher'", "is a place")),
]


def write_case(case: Case, root: Path) -> Path:
    """Write the base corpus with the case's changes under ``root/content``; return it."""
    content = root / "content"
    files: dict[str, str | bytes | None] = {**BASE, **case.files}
    for rel, data in files.items():
        if data is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    if "symlink" in case.extra:
        outside = root / "outside.md"
        outside.write_text("---\nname: Secret\niso: IR\n---\n", encoding="utf-8")
        (content / case.extra["symlink"]).symlink_to(outside)
    if "huge" in case.extra:
        with (content / case.extra["huge"]).open("wb") as fh:
            fh.write(b"---\ntitle: Huge\npublished: 2021\n---\n")
            fh.truncate(50 * 1024 * 1024)
    return content
