"""Texts in other languages, rule by rule: language tags, scripts, declined and prefixed forms,
auto-linking by script, translations, and what `check` says (corpus format v1.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator.languages import SPACED_WORD, check_tag, forms_of, language, scripts_of
from generator.mentions import Matcher, parse, resolve, sentence_bounds
from generator.schema import Source
from generator.site import check

# -- language tags --------------------------------------------------------------------------

TAGS = [
    # written, kept as, name, right to left
    ("en", "en", "English", False),
    ("fa", "fa", "Persian", True),
    ("ur", "ur", "Urdu", True),
    ("ps", "ps", "Pashto", True),
    ("ar", "ar", "Arabic", True),
    ("he", "he", "Hebrew", True),
    ("zh", "zh", "Chinese", False),
    ("zh-hans", "zh-Hans", "Chinese (Simplified)", False),
    ("ru", "ru", "Russian", False),
    ("uk", "uk", "Ukrainian", False),
    ("iw", "he", "Hebrew", True),  # a deprecated code, in its standard form
]


@pytest.mark.parametrize(("written", "tag", "name", "rtl"), TAGS)
def test_a_valid_tag_is_kept_in_standard_form_with_its_name_and_direction(
    written: str, tag: str, name: str, rtl: bool
) -> None:
    assert check_tag(written) == tag
    assert language(tag).name == name
    assert language(tag).rtl is rtl


WRONG_TAGS = [
    # written, what the message suggests
    ("persian", "did you mean 'fa' (Persian)?"),
    ("chinese", "did you mean 'zh' (Chinese)?"),
    ("Farsi", "did you mean 'fa' (Persian)?"),
    ("russian", "did you mean 'ru' (Russian)?"),
    ("xx", "is not a valid BCP 47 language tag"),
    ("und", "names no language: write the language the text is written in"),
    ("en_US", "they join subtags with '-'); did you mean 'en-US'?"),
]


@pytest.mark.parametrize(("written", "hint"), WRONG_TAGS)
def test_a_wrong_tag_is_refused_with_the_closest_valid_one(written: str, hint: str) -> None:
    with pytest.raises(
        ValidationError, match=hint.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        Source.model_validate({"title": "t", "published": "2021", "language": written})


def test_the_error_names_the_file_line_and_field(corpus_dir: Path) -> None:
    (corpus_dir / "sources" / "a.md").write_text(
        "---\ntitle: A\npublished: 2021\nlanguage: persian\n---\nText.\n", encoding="utf-8"
    )
    _corpus, problems = check(corpus_dir)
    assert [p.format() for p in problems] == [
        f"{corpus_dir.name}/sources/a.md:4:1: error: field 'language': 'persian' is not a valid BCP 47 "
        "language tag (such as en, ru, zh, fa or ur); did you mean 'fa' (Persian)?"
    ]


SCRIPTS = [
    ("王毅", {"Hani"}),
    ("Сергей Лавров", {"Cyrl"}),
    ("طالبان", {"Arab"}),
    ("Taliban", {"Latn"}),
    ("ISIS-K", {"Latn"}),
    ("タリバン", {"Kana"}),
    ("2021", set()),
]


@pytest.mark.parametrize(("text", "scripts"), SCRIPTS)
def test_scripts_of_names(text: str, scripts: set[str]) -> None:
    assert scripts_of(text) == scripts


# -- auto-linking by script -----------------------------------------------------------------

NAMES = {
    "wang-yi": ["Wang Yi", "王毅"],
    "china": ["China", "中国"],
    "afghanistan": ["Afghanistan", "阿富汗"],
    "taliban": ["Taliban", "塔利班", "Талибан", "طالبان", "ตาลีบัน"],
    "lavrov": ["Sergey Lavrov", "Сергей Лавров", "Лавров"],
    "kabulov": ["Кабулов"],
    "moscow": ["Москва"],
    "warsaw-pact": ["Ławrow"],
    "china-town": ["中国城"],
    "al-qaeda": ["القاعدة"],
}
MATCHER = Matcher.build(NAMES, fixed=["kabulov"])


def mentions(body: str, tag: str = "en", inflect: bool = True) -> list[tuple[str, str, str]]:
    text = resolve(parse(body), {}, MATCHER, tag, inflect)
    return [(s.plain, s.target, s.via) for _b, s, _o in text.mentions()]


LINKING = [
    # the rule, text, its language, the mentions found (shown, record, how)
    ("Han: inside running text", "国务委员兼外长王毅在天津会见", "zh", [("王毅", "wang-yi", "")]),
    (
        "Han: a name inside a longer run",
        "阿富汗塔利班",
        "zh",
        [("阿富汗", "afghanistan", ""), ("塔利班", "taliban", "")],
    ),
    (
        "Han: longest match first",
        "中国城的中国人",
        "zh",
        [("中国城", "china-town", ""), ("中国", "china", "")],
    ),
    ("Han in an English text", "Talks with 塔利班 officials", "en", [("塔利班", "taliban", "")]),
    ("Thai: inside running text", "กลุ่มตาลีบันประกาศ", "th", [("ตาลีบัน", "taliban", "")]),
    ("Latin: whole words only", "The Talibans and the Taliban", "en", [("Taliban", "taliban", "")]),
    ("Latin next to Han", "中国Taliban", "en", [("中国", "china", ""), ("Taliban", "taliban", "")]),
    ("Cyrillic: whole words", "Талибанский режим и Талибан", "ru", [("Талибан", "taliban", "")]),
    ("Arabic script: whole words", "گفتگو با طالبان ادامه دارد", "fa", [("طالبان", "taliban", "")]),
    ("Persian: a separate preposition", "ما از طالبان می‌خواهیم", "fa", [("طالبان", "taliban", "")]),
    ("Persian: a suffix after a ZWNJ", "طالبان‌ها آمدند", "fa", [("طالبان", "taliban", "")]),
    ("Persian: no prefix joined", "وطالبان", "fa", []),
    ("Arabic: و joined", "وطالبان", "ar", [("وطالبان", "taliban", "prefix")]),
    ("Arabic: ب joined", "بطالبان", "ar", [("بطالبان", "taliban", "prefix")]),
    ("Arabic: و then ب", "وبطالبان", "ar", [("وبطالبان", "taliban", "prefix")]),
    ("Arabic: ب before the article", "بالقاعدة", "ar", [("بالقاعدة", "al-qaeda", "prefix")]),
    ("Arabic: ل before the article is لل", "للقاعدة", "ar", [("للقاعدة", "al-qaeda", "prefix")]),
    ("Arabic: a longer word is not a name", "طالبانية", "ar", []),
    ("Urdu: postpositions are words", "طالبان کو دہشت گردی", "ur", [("طالبان", "taliban", "")]),
]


@pytest.mark.parametrize(("rule", "body", "tag", "found"), LINKING, ids=[c[0] for c in LINKING])
def test_auto_linking_follows_the_script(
    rule: str, body: str, tag: str, found: list[tuple[str, str, str]]
) -> None:
    assert mentions(body, tag) == found


INFLECTED = [
    # text, language, the mentions found
    ("Встреча с Лавровым", "ru", [("Лавровым", "lavrov", "declined")]),
    ("слова Лаврова", "ru", [("Лаврова", "lavrov", "declined")]),
    ("письмо Лаврову", "ru", [("Лаврову", "lavrov", "declined")]),
    ("о Лаврове", "ru", [("Лаврове", "lavrov", "declined")]),
    ("с Сергеем Лавровым", "ru", [("Сергеем Лавровым", "lavrov", "declined")]),
    ("в Москве и из Москвы", "ru", [("Москве", "moscow", "declined"), ("Москвы", "moscow", "declined")]),
    ("против Талибана", "ru", [("Талибана", "taliban", "declined")]),
    ("з Лавровим", "uk", [("Лавровим", "lavrov", "declined")]),  # Ukrainian, from its own dictionary
    ("spotkanie z Ławrowem", "pl", [("Ławrowem", "warsaw-pact", "stem")]),  # Snowball: no dictionary
    ("с Кабуловым", "ru", []),  # inflect: false on the record
    ("Кабулов заявил", "ru", [("Кабулов", "kabulov", "")]),  # as written it still links
    ("Lavrov's Лаврова", "en", []),  # an English text declines nothing
]


@pytest.mark.parametrize(("body", "tag", "found"), INFLECTED)
def test_declined_forms_are_mentions_in_languages_that_decline(
    body: str, tag: str, found: list[tuple[str, str, str]]
) -> None:
    assert mentions(body, tag) == found


def test_inflect_false_on_a_text_keeps_names_as_written() -> None:
    assert mentions("Встреча с Лавровым; Лавров", "ru", inflect=False) == [("Лавров", "lavrov", "")]


def test_names_in_another_script_are_not_declined() -> None:
    assert forms_of("Lavrov", language("ru")) == {}
    assert forms_of("王毅", language("ru")) == {}


def test_acronyms_are_not_declined() -> None:
    assert forms_of("ШОС", language("ru")) == {}


def test_a_complement_in_the_genitive_stays_as_written() -> None:
    forms = forms_of("Министерство иностранных дел", language("ru"))
    assert "Министерства иностранных дел" in forms
    assert all(f.endswith(" иностранных дел") for f in forms)


def test_a_form_two_records_share_is_ambiguous_and_a_name_as_written_wins() -> None:
    matcher = Matcher.build({"a": ["Лавров"], "b": ["Лаврова"], "c": ["Иванов"], "d": ["Иванова"]})
    text = resolve(parse("Лаврова и Иванову"), {}, matcher, "ru")
    found = [(s.plain, s.target) for _b, s, _o in text.mentions()]
    # "Лаврова" is b's name as written; "Иванову" is a declined form of both c and d
    assert found == [("Лаврова", "b")]


def test_names_are_never_linked_inside_a_link_code_or_heading() -> None:
    body = "## 王毅\n\n`王毅` [王毅](https://example.org) 王毅"
    text = resolve(parse(body), {}, MATCHER, "zh")
    assert [(s.plain, s.kind) for _b, s, _o in text.mentions()] == [("王毅", "mention")]


SENTENCES = [
    ("zh", "王毅表示。中国始终尊重。", ["王毅表示。", "中国始终尊重。"]),
    ("ru", "Лавров открыл. Встреча прошла.", ["Лавров открыл.", "Встреча прошла."]),
    ("fa", "نشست برگزار شد. آیا طالبان عمل خواهند کرد؟", ["نشست برگزار شد.", "آیا طالبان عمل خواهند کرد؟"]),
    ("ur", "اجلاس ہوا۔ چین نے شرکت کی۔", ["اجلاس ہوا۔", "چین نے شرکت کی۔"]),
    ("en", "Wang Yi spoke. Then Lavrov.", ["Wang Yi spoke.", "Then Lavrov."]),
]


@pytest.mark.parametrize(("tag", "plain", "sentences"), SENTENCES)
def test_sentences_are_split_in_every_script(tag: str, plain: str, sentences: list[str]) -> None:
    assert [plain[a:b] for a, b in sentence_bounds(plain)] == sentences


def test_rendered_text_marks_each_block_with_its_language() -> None:
    from generator.mentions import render

    text = resolve(parse("سخنگوی طالبان\n\n## عنوان\n\n    code"), {}, MATCHER, "fa")
    out = render(text, lambda target: f"../{target}.md")
    assert out.splitlines() == [
        "سخنگوی [طالبان](../taliban.md)",
        '{ #p-1 lang="fa" dir="rtl" }',
        "",
        '### عنوان { #p-2 lang="fa" dir="rtl" }',
        "",
        "    code",
    ]
    english = render(resolve(parse("The Taliban"), {}, MATCHER, "en"), lambda target: f"../{target}.md")
    assert english == "The [Taliban](../taliban.md)\n{ #p-1 }\n"


# -- the corpus: translations, scripts no text uses, what check lists -------------------------


def write(corpus: Path, kind: str, rid: str, text: str) -> None:
    (corpus / kind / f"{rid}.md").write_text(text, encoding="utf-8")


def test_translation_of_problems(corpus_dir: Path) -> None:
    write(corpus_dir, "sources", "a", "---\ntitle: A\npublished: 2021\nlanguage: ru\n---\nТекст.\n")
    write(corpus_dir, "sources", "b", "---\ntitle: B\npublished: 2021\ntranslation_of: aa\n---\nText.\n")
    write(corpus_dir, "sources", "c", "---\ntitle: C\npublished: 2021\ntranslation_of: c\n---\nText.\n")
    write(corpus_dir, "sources", "d", "---\ntitle: D\npublished: 2021\ntranslation_of: t\n---\nText.\n")
    write(
        corpus_dir,
        "sources",
        "e",
        "---\ntitle: E\npublished: 2021\nlanguage: ru\ntranslation_of: a\n---\nТ.\n",
    )
    write(corpus_dir, "topics", "t", "---\nname: T\n---\n")
    _corpus, problems = check(corpus_dir)
    shown = [p.format().split(": ", 1)[1] for p in problems]
    base = corpus_dir.name
    assert [p.format() for p in problems] == [
        f"{base}/sources/b.md:4:1: error: field 'translation_of': unknown id 'aa'; did you mean 'a'?",
        f"{base}/sources/c.md:4:1: error: field 'translation_of': a source cannot translate itself",
        f"{base}/sources/d.md:4:1: error: field 'translation_of': 't' is a topic ({base}/topics/t.md), "
        "but this field takes the id of the source this text translates",
        f"{base}/sources/e.md:5:1: warning: field 'translation_of': 'a' is in Russian too; "
        "set this text's 'language' to the language it is written in",
    ], shown


def test_check_warns_about_a_name_in_a_script_no_text_uses(corpus_dir: Path) -> None:
    write(corpus_dir, "sources", "a", "---\ntitle: A\npublished: 2021\n---\nTalks with the Taliban.\n")
    write(
        corpus_dir,
        "organizations",
        "taliban",
        "---\nname: Taliban\naliases: [塔利班, Taliban movement]\n---\n",
    )
    _corpus, problems = check(corpus_dir)
    assert [p.format() for p in problems] == [
        f"{corpus_dir.name}/organizations/taliban.md:3:1: warning: '塔利班' is written in Han, which no "
        "text of the corpus uses: it links nothing yet (check for a letter typed in another script)"
    ]
    write(corpus_dir, "sources", "b", "---\ntitle: B\npublished: 2021\nlanguage: zh\n---\n阿富汗塔利班。\n")
    _corpus, problems = check(corpus_dir)
    assert problems == []


def test_check_lists_what_matched_only_through_inflection(corpus_dir: Path) -> None:
    from generator.cli import main

    write(
        corpus_dir,
        "sources",
        "a",
        "---\ntitle: A\npublished: 2021\nlanguage: ru\n---\nС Лавровым и Лавров.\n",
    )
    write(corpus_dir, "people", "lavrov", "---\nname: Sergey Lavrov\naliases: [Лавров]\n---\n")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", "--content", str(corpus_dir), "--forms"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(
        "sources/a.md:6:3: note: 'Лавровым' links lavrov as a declined form of 'Лавров' "
        "(Russian text; 'inflect: false' on the record or the text turns this off)"
    )
    assert len([line for line in lines if ": note: " in line]) == 1  # "Лавров" as written is not listed


def test_quotes_are_verified_against_each_texts_own_body(corpus_dir: Path) -> None:
    write(corpus_dir, "people", "lavrov", "---\nname: Sergey Lavrov\naliases: [Лавров]\n---\n")
    write(
        corpus_dir,
        "sources",
        "ru",
        "---\ntitle: R\npublished: 2021-10-20\nlanguage: ru\nquotes:\n  - by: lavrov\n"
        "    text: Мы приветствуем\n---\nМы приветствуем участие.\n",
    )
    write(
        corpus_dir,
        "sources",
        "en",
        "---\ntitle: E\npublished: 2021-10-21\ntranslation_of: ru\nquotes:\n  - by: lavrov\n"
        "    text: Мы приветствуем\n---\nWe welcome the participation.\n",
    )
    _corpus, problems = check(corpus_dir)
    assert [(p.path.rsplit("/", 1)[1], p.line, p.message.split(" (")[0]) for p in problems] == [
        ("en.md", 7, "field 'quotes[0].text' does not occur in the text")
    ]


# -- properties over mixed-script text ---------------------------------------------------------


PIECES = [
    *(name for names in NAMES.values() for name in names),
    "Лавровым",
    "Москве",
    "وطالبان",
    "阿富汗塔利班",
    "中国城",
    "s",
    "ий",
    "ها",
    "的",
    "ชาว",
    " ",
    " ",
    "\u200c",
    "\u064e",
    ", ",
    "。",
    "«",
    "»",
    "-",
    "2021",
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=12), tag=st.sampled_from(["en", "zh", "ru", "ar", "fa"])
)
def test_linking_keeps_the_text_and_respects_word_boundaries(pieces: list[str], tag: str) -> None:
    import re

    body = "".join(pieces).strip() or "x"
    text = resolve(parse(body), {}, MATCHER, tag)
    spaced = re.compile(SPACED_WORD)
    for block in text.blocks:
        plain = block.plain
        assert plain == "".join(s.plain for s in parse(body).blocks[block.number - 1].segments)
        offset = 0
        for seg in block.segments:
            if seg.kind == "mention":
                before = plain[offset - 1 : offset] if offset else ""
                after = plain[offset + len(seg.plain) : offset + len(seg.plain) + 1]
                if spaced.match(seg.plain[0]):
                    assert not (before and spaced.match(before)), (body, seg.plain)
                if spaced.match(seg.plain[-1]):
                    assert not (after and spaced.match(after)), (body, seg.plain)
                assert seg.via or " ".join(seg.plain.split()) in MATCHER.targets
            offset += len(seg.plain)
