"""Languages and scripts of texts: tags, names, writing direction, word separation, inflection.

What a text's ``language`` (a BCP 47 tag) tells the generator:

- its name, shown to readers ("Persian"), and whether it is written right to left
  (the tag's script, from :mod:`langcodes`' likely-subtags data: ``fa`` → ``Arab``);
- which names in it count as mentions beyond the names as written:
  - declined forms, in languages that decline names: from pymorphy3's dictionaries
    (Russian, Ukrainian), else by Snowball stems (Polish, Czech, ...);
  - attached prefixes, in Arabic (``و`` ``ف`` ``ب`` ``ل`` ``ك`` and the article ``ال``).

Scripts are told apart by character ranges: the scripts that do not separate words with
spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan) are matched inside
running text, every other script by whole words.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

import langcodes
import pycountry
import snowballstemmer

from generator.problems import suggestion

# --- scripts -------------------------------------------------------------------------------

UNSPACED_RANGES = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"  # Myanmar
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b"  # Han radicals and marks
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
)
"""Characters of the scripts that write words without spaces between them."""

MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u200d"
)
"""Combining marks (Cyrillic stress, Hebrew points, Arabic harakat) and the zero-width
joiner: they belong to the word they stand in. The zero-width non-joiner (U+200C), which
Persian writes before a suffix (``طالبان‌ها``), ends a name."""

SPACED_LETTER = r"[^\W" + UNSPACED_RANGES + r"]"
MARK = "[" + MARKS + "]"
SPACED_WORD = SPACED_LETTER + "|" + MARK
"""A character of a word in a script that separates words: a name in such a script must
not have one of these right before or after it."""

UNSPACED = "[" + UNSPACED_RANGES + "]"

_UNSPACED_RE = re.compile(UNSPACED)

# The script of a letter, by Unicode block: enough to tell the scripts the corpus mixes.
_SCRIPT_BLOCKS: tuple[tuple[str, str], ...] = (
    ("Latn", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
    ("Grek", "\u0370-\u03ff\u1f00-\u1fff"),
    ("Cyrl", "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"),
    ("Armn", "\u0530-\u058f"),
    ("Hebr", "\u0590-\u05ff\ufb1d-\ufb4f"),
    ("Arab", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    ("Deva", "\u0900-\u097f"),
    ("Beng", "\u0980-\u09ff"),
    ("Guru", "\u0a00-\u0a7f"),
    ("Taml", "\u0b80-\u0bff"),
    ("Thai", "\u0e00-\u0e7f"),
    ("Laoo", "\u0e80-\u0eff"),
    ("Tibt", "\u0f00-\u0fff"),
    ("Mymr", "\u1000-\u109f"),
    ("Geor", "\u10a0-\u10ff"),
    ("Hang", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"),
    ("Khmr", "\u1780-\u17ff"),
    ("Kana", "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"),
    ("Hira", "\u3040-\u309f"),
    ("Hani", "\u2e80-\u2fdf\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"),
)
_SCRIPT_RES = tuple((code, re.compile("[" + chars + "]")) for code, chars in _SCRIPT_BLOCKS)

SCRIPT_NAMES = {
    "Latn": "Latin",
    "Grek": "Greek",
    "Cyrl": "Cyrillic",
    "Armn": "Armenian",
    "Hebr": "Hebrew",
    "Arab": "Arabic",
    "Deva": "Devanagari",
    "Beng": "Bengali",
    "Guru": "Gurmukhi",
    "Taml": "Tamil",
    "Thai": "Thai",
    "Laoo": "Lao",
    "Tibt": "Tibetan",
    "Mymr": "Myanmar",
    "Geor": "Georgian",
    "Hang": "Hangul",
    "Khmr": "Khmer",
    "Kana": "Katakana",
    "Hira": "Hiragana",
    "Hani": "Han",
}

RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand"})

# A language's script as langcodes gives it, and the scripts its texts may hold.
_WRITTEN_IN = {
    "Hans": ("Hani",),
    "Hant": ("Hani",),
    "Jpan": ("Hani", "Hira", "Kana"),
    "Kore": ("Hang", "Hani"),
}


def scripts_of(text: str) -> frozenset[str]:
    """The scripts of the letters of ``text`` (ISO 15924 codes; Han as ``Hani``)."""
    found = set()
    for ch in text:
        if not ch.isalpha():
            continue
        for code, pattern in _SCRIPT_RES:
            if pattern.match(ch):
                found.add(code)
                break
    return frozenset(found)


def text_has_script(text: str, script: str) -> bool:
    """Whether ``text`` holds a letter of ``script`` (a code :func:`scripts_of` gives)."""
    for code, pattern in _SCRIPT_RES:
        if code == script:
            return pattern.search(text) is not None
    return False


def is_unspaced(ch: str) -> bool:
    """Whether a character belongs to a script that does not separate words."""
    return bool(_UNSPACED_RE.match(ch))


# --- tags ----------------------------------------------------------------------------------

PAGE_LANGUAGE = "en"
"""The language of the site's own words (``theme.language`` in mkdocs.yml)."""


def _known_codes() -> list[str]:
    return sorted(str(lang.alpha_2) for lang in pycountry.languages if hasattr(lang, "alpha_2"))


_TAG_CHARS = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")


def check_tag(value: Any) -> str:
    """A valid BCP 47 tag in its standard form (``zh-hans`` → ``zh-Hans``), or a
    ``ValueError`` that suggests the closest valid tag (``persian`` → ``fa``)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a BCP 47 language tag such as en, ru, zh or fa, got {value!r}")
    text = value.strip()
    if "_" in text and langcodes.tag_is_valid(text.replace("_", "-")):  # a locale, not a tag
        tag = langcodes.standardize_tag(text.replace("_", "-"))
        raise ValueError(
            f"'{text}' is not a valid BCP 47 language tag (they join subtags with '-'); did you mean '{tag}'?"
        )
    special = ("und", "mul", "zxx", "mis")  # valid, but no language a text is written in
    if _TAG_CHARS.match(text) and langcodes.tag_is_valid(text) and text.lower() not in special:
        tag = str(langcodes.standardize_tag(text))
        if langcodes.Language.get(tag).language:
            return tag
    if text.lower() in special:
        raise ValueError(
            f"'{text}' names no language: write the language the text is written in (en, ru, fa...)"
        )
    hint = ""
    try:
        found = langcodes.find(text)  # a language's name: "persian", "Farsi", "chinese"
        hint = f"; did you mean '{found.to_tag()}' ({found.display_name()})?"
    except LookupError:
        hint = suggestion(text.split("-")[0].lower(), _known_codes())
    raise ValueError(f"'{text}' is not a valid BCP 47 language tag (such as en, ru, zh, fa or ur){hint}")


@dataclass(frozen=True)
class Language:
    """What the site needs to know of a text's language."""

    tag: str
    name: str  # in English, the site's language: "Persian", "Chinese (Simplified)"
    script: str  # ISO 15924, the tag's own or its likely one: "Arab", "Cyrl", "Hans"
    rtl: bool

    @property
    def primary(self) -> str:
        return self.tag.split("-")[0].lower()

    @property
    def foreign(self) -> bool:
        """Whether it is another language than the page's: its text is marked with ``lang``."""
        return self.tag != PAGE_LANGUAGE

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def scripts(self) -> tuple[str, ...]:
        """The scripts (as :func:`scripts_of` names them) its words are written in."""
        return _WRITTEN_IN.get(self.script, (self.script,))

    @property
    def attributes(self) -> str:
        """``lang="fa" dir="rtl"`` for an HTML element holding text in it; empty for the page's."""
        if not self.foreign:
            return ""
        return f'lang="{self.tag}"' + (' dir="rtl"' if self.rtl else "")


@functools.lru_cache(maxsize=256)
def language(tag: str) -> Language:
    """The :class:`Language` of a valid tag (see :func:`check_tag`)."""
    found = langcodes.Language.get(tag)
    script = found.script or found.maximize().script or "Latn"
    return Language(tag, str(found.display_name()), str(script), str(script) in RTL_SCRIPTS)


# --- names in declined and prefixed forms --------------------------------------------------

MORPHOLOGY = {"ru": "ru", "uk": "uk"}
"""Languages whose declined forms come from pymorphy3's dictionaries."""

STEMMED = {
    "cs": "czech",
    "el": "greek",
    "et": "estonian",
    "eu": "basque",
    "fi": "finnish",
    "hu": "hungarian",
    "hy": "armenian",
    "lt": "lithuanian",
    "pl": "polish",
    "ro": "romanian",
    "sr": "serbian",
    "tr": "turkish",
}
"""Languages that decline names and have no morphology dictionary here: a word of a text
mentions a word of a name when their Snowball stems are equal."""

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2")
_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})

ARABIC_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
"""Arabic: the conjunctions و (and) and ف (so), the prepositions ب (with, in), ل (for)
and ك (like), and a conjunction before a preposition, written joined to the next word."""

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def inflects(lang: Language) -> bool:
    """Whether names in texts of this language are matched in declined forms."""
    return lang.primary in MORPHOLOGY or lang.primary in STEMMED


def stems_only(lang: Language) -> bool:
    """Whether the declined forms of names in this language are found by Snowball stems in
    each text's own words (no dictionary), so that they differ from text to text."""
    return lang.primary in STEMMED and lang.primary not in MORPHOLOGY


def has_prefixes(lang: Language) -> bool:
    return lang.primary == "ar"


def written_in(name: str, lang: Language) -> bool:
    """Whether a name is written in the language's script (and so declines in its texts)."""
    found = scripts_of(name)
    return bool(found) and found <= set(lang.scripts)


@functools.lru_cache(maxsize=4)
def _analyzer(code: str) -> Any:
    import pymorphy3  # loaded only for a corpus that has texts in these languages

    return pymorphy3.MorphAnalyzer(lang=code)


@functools.lru_cache(maxsize=1 << 16)  # the same names are declined for every text of a language
def declined_forms(name: str, lang: Language) -> frozenset[str]:
    """The declined forms of a name in a language with morphology (the name itself
    excluded): every word standing in the nominative is put in each case, in its number,
    together; other words (a genitive complement, ``дел`` in ``Министерство иностранных
    дел``) stay as written. All-capital words (acronyms) and words the dictionary does not
    know as nominatives are left as written."""
    code = MORPHOLOGY.get(lang.primary)
    if code is None:
        return frozenset()
    morph = _analyzer(code)
    words = name.split()
    parses: list[Any] = []
    for word in words:
        parses.append(_nominative(morph, word))
    if all(p is None for p in parses):
        return frozenset()
    forms: set[str] = set()
    for case in CASES:
        shown = []
        for word, parse in zip(words, parses, strict=True):
            if parse is None:
                shown.append(word)
                continue
            grammemes = {case}
            if parse.tag.number:
                grammemes.add(parse.tag.number)
            made = parse.inflect(grammemes)
            shown.append(_cased_like(word, made.word) if made is not None else word)
        forms.add(" ".join(shown))
    forms |= {f.replace("ё", "е") for f in forms}
    forms.discard(name)
    return frozenset(forms)


def _nominative(morph: Any, word: str) -> Any:
    if len(word) < 2 or word.isupper() or not word.isalpha():
        return None
    candidates = [p for p in morph.parse(word) if "nomn" in p.tag.grammemes]
    if not candidates:
        return None
    named = [p for p in candidates if p.tag.grammemes & _NAME_TAGS]
    return (named or candidates)[0]


def _cased_like(original: str, form: str) -> str:
    if original[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


@functools.lru_cache(maxsize=8)
def _stemmer(algorithm: str) -> Any:
    return snowballstemmer.stemmer(algorithm)


def stem(word: str, lang: Language) -> str:
    """The Snowball stem of a word of a stemmed language (lower case)."""
    algorithm = STEMMED.get(lang.primary)
    if algorithm is None:
        return word
    return str(_stemmer(algorithm).stemWord(word.lower()))


def stemmed_forms(name: str, lang: Language, body: str, limit: int = 64) -> frozenset[str]:
    """The forms of a name that stand in ``body`` with the same Snowball stems, word for
    word (``Ławrowa`` for ``Ławrow`` in Polish); the name itself excluded."""
    if lang.primary not in STEMMED:
        return frozenset()
    words = name.split()
    if any(w.isupper() or len(w) < 3 for w in words):
        return frozenset()
    by_stem: dict[str, set[str]] = {}
    for token in set(_WORD_RE.findall(body)):
        by_stem.setdefault(stem(token, lang), set()).add(token)
    options = []
    for word in words:
        same = {t for t in by_stem.get(stem(word, lang), ()) if t[:1].isupper() == word[:1].isupper()}
        options.append(sorted(same | {word}))
    forms = {" ".join(combo) for combo in itertools.islice(itertools.product(*options), limit)}
    forms.discard(name)
    return frozenset(forms)


def prefixed_forms(name: str, lang: Language) -> frozenset[str]:
    """A name with the prefixes its language writes joined to the next word (Arabic only):
    ``وطالبان`` for ``طالبان``; with the article, ``بالصين`` for ``الصين`` and ``للصين``
    (``ل`` + ``ال`` is written ``لل``)."""
    if not has_prefixes(lang) or not written_in(name, lang):
        return frozenset()
    forms = {p + name for p in ARABIC_PROCLITICS}
    if name.startswith("ال"):
        bare = name[len("ال") :]
        forms -= {p + name for p in ARABIC_PROCLITICS if p.endswith("ل")}
        forms |= {p[:-1] + "لل" + bare for p in ARABIC_PROCLITICS if p.endswith("ل")}
    return frozenset(forms)


def forms_of(name: str, lang: Language, body: str = "") -> dict[str, str]:
    """Every other form of ``name`` that mentions it in a text of ``lang``, each with how
    it was found (``declined``, ``stem`` or ``prefix``). Names written in another script
    than the language's only match as written."""
    if not written_in(name, lang):
        return {}
    found: dict[str, str] = {}
    bases = [name]
    if lang.primary in MORPHOLOGY:
        declined = declined_forms(name, lang)
        found.update(dict.fromkeys(declined, "declined"))
        bases.extend(sorted(declined))
    elif lang.primary in STEMMED and body:
        found.update(dict.fromkeys(stemmed_forms(name, lang, body), "stem"))
    if has_prefixes(lang):
        for base in bases:
            for form in prefixed_forms(base, lang):
                found.setdefault(form, "prefix")
    found.pop(name, None)
    return found
