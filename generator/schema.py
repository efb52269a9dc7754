"""The declared schema of every kind of record (corpus format v1.1).

Each kind's front matter is a pydantic model: unknown fields, wrong types,
missing fields and malformed values are turned into located problems by
:func:`validate`. References between records are checked later, in
:mod:`generator.linking`, because they need the whole corpus.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from generator import kinds
from generator.dates import PartialDate
from generator.languages import check_tag
from generator.problems import Problem, error, suggestion
from generator.reading import Document

# --- field types ---------------------------------------------------------------------------

Text = Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty text. Numbers and booleans are refused rather than turned into text."""

Ref = Annotated[str, Field(strict=True), StringConstraints(strip_whitespace=True, min_length=1)]
"""The id of another record; checked against the corpus in :mod:`generator.linking`."""

Date = Annotated[PartialDate, PlainValidator(PartialDate.parse)]
Number = Annotated[float, Field(strict=True)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _participants(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    for i, item in enumerate(value):
        if not isinstance(item, str | dict):
            raise ValueError(f"@{i}: expected an id or {{id, role}}, got {item!r}")
    return [{"id": item} if isinstance(item, str) else item for item in value]


_WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")


def _wikidata(value: Any) -> str:
    if not isinstance(value, str) or not _WIKIDATA_RE.match(value.strip()):
        raise ValueError(f"{value!r} is not a Wikidata item id: write Q followed by digits, such as Q889")
    return value.strip()


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a web address, got {value!r}")
    text = value.strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("http", "https") or not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
        raise ValueError(f"'{text}' is not an http or https address")
    if any(c in text for c in "<>\"' \t\n"):
        raise ValueError(f"'{text}' contains characters a web address cannot hold")
    return text


def _language(value: Any) -> str:
    # langcodes knows every registered subtag and language names ("persian" -> fa)
    return check_tag(value)


def _iso(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 3166-1 code such as IR or IRN, got {value!r}")
    code = value.strip().upper()
    country = None
    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    if country is None:
        named = _named_country(info.data)  # the code of the country the record names: Iran -> IR
        if named:
            hint = "; did you mean " + ", ".join(f"'{c}'" for c in named[:-1])
            hint += (" or " if len(named) > 1 else "") + f"'{named[-1]}'?"
        else:
            codes = [c.alpha_2 for c in pycountry.countries] + [c.alpha_3 for c in pycountry.countries]
            hint = suggestion(code, codes)
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 or alpha-3 code{hint}")
    return str(country.alpha_2)


def _named_country(fields: dict[str, Any]) -> list[str]:
    """The alpha-2 codes of the countries a record's (already validated) name or aliases
    name: exactly as pycountry knows them (a name, official or common name: "Iran" -> IR),
    otherwise as the start of a word of those names ("Russia" in "Russian Federation" -> RU;
    "Korea" -> KP, KR)."""
    names = [n for n in (fields.get("name"), *fields.get("aliases", ())) if isinstance(n, str)]
    for name in names:
        try:
            return [str(pycountry.countries.lookup(name).alpha_2)]
        except LookupError:
            continue
    for name in (n for n in names if len(n) >= 4):  # "a" starts a word of many names
        word = re.compile(r"(?<!\w)" + re.escape(name.casefold()))
        found = sorted(
            str(country.alpha_2)
            for country in pycountry.countries
            if any(word.search(known.casefold()) for known in _country_names(country))
        )
        if 0 < len(found) <= 3:
            return found
    return []


def _country_names(country: Any) -> list[str]:
    names = (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None))
    return [n for n in names if n]


def _coordinates(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("coordinates are [latitude, longitude] in degrees, such as [38.56, 68.77]")
    return value


WikidataId = Annotated[str, PlainValidator(_wikidata)]
Url = Annotated[str, PlainValidator(_url)]
LanguageTag = Annotated[str, PlainValidator(_language)]
IsoCode = Annotated[str, PlainValidator(_iso)]
RefList = Annotated[tuple[Ref, ...], BeforeValidator(_one_or_many)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- nested values -------------------------------------------------------------------------


class Member(_Model):
    id: Ref
    since: Date | None = None
    until: Date | None = None
    role: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> Member:
        if self.since and self.until and self.until < self.since:
            raise ValueError(f"@until: 'until' ({self.until}) is before 'since' ({self.since})")
        return self


class Role(_Model):
    title: Text
    of: Ref | None = None
    since: Date | None = None
    until: Date | None = None

    @model_validator(mode="after")
    def _order(self) -> Role:
        if self.since and self.until and self.until < self.since:
            raise ValueError(f"@until: 'until' ({self.until}) is before 'since' ({self.since})")
        return self


class Participant(_Model):
    id: Ref
    role: Text | None = None


class Quote(_Model):
    by: RefList = Field(min_length=1)
    text: Text
    event: Ref | None = None
    topics: RefList = ()


# --- kinds ---------------------------------------------------------------------------------


class Entity(_Model):
    name: Text
    aliases: Annotated[tuple[Text, ...], BeforeValidator(_one_or_many)] = ()
    summary: Text | None = None
    wikidata: WikidataId | None = None
    inflect: StrictBool = True  # false: names match only as written, never declined (v1.1)

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        return " ".join(value.split()) if value else value


class Country(Entity):
    iso: IsoCode


class Organization(Entity):
    short: Text | None = None
    kind: Text | None = None
    members: tuple[Member, ...] = ()
    parent: Ref | None = None
    country: Ref | None = None


class Person(Entity):
    roles: tuple[Role, ...] = ()


class Place(Entity):
    kind: Text | None = None
    coordinates: Annotated[tuple[Number, Number], BeforeValidator(_coordinates)] | None = None
    country: Ref | None = None

    @field_validator("coordinates")
    @classmethod
    def _in_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None:
            lat, lon = value
            if not -90 <= lat <= 90 or not -180 <= lon <= 180:
                raise ValueError(
                    f"[{lat}, {lon}] is not [latitude, longitude]: latitude is -90..90, longitude -180..180"
                )
        return value


class Topic(Entity):
    pass


class Event(_Model):
    title: Text
    aliases: Annotated[tuple[Text, ...], BeforeValidator(_one_or_many)] = ()
    summary: Text | None = None
    wikidata: WikidataId | None = None
    inflect: StrictBool = True  # false: names match only as written, never declined (v1.1)
    date: Date | None = None
    start: Date | None = None
    end: Date | None = None
    place: Ref | None = None
    kind: Text | None = None
    participants: Annotated[tuple[Participant, ...], BeforeValidator(_participants)] = ()
    part_of: Ref | None = None
    topics: RefList = ()

    @model_validator(mode="after")
    def _when(self) -> Event:
        if self.date is not None and (self.start is not None or self.end is not None):
            raise ValueError("@date: give either 'date', or 'start' and 'end', not both")
        if self.date is None and self.start is None and self.end is None:
            raise ValueError("an event needs 'date', or 'start' and 'end'")
        if self.date is None and (self.start is None or self.end is None):
            missing = "end" if self.end is None else "start"
            raise ValueError(
                f"@{'start' if missing == 'end' else 'end'}: '{missing}' is missing: "
                "a span needs both 'start' and 'end'"
            )
        if self.start and self.end and self.end.last_day() < self.start.first_day():
            raise ValueError(f"@end: 'end' ({self.end}) is before 'start' ({self.start})")
        return self

    @property
    def name(self) -> str:
        return self.title

    @property
    def when(self) -> PartialDate:
        when = self.date or self.start
        assert when is not None  # guaranteed by _when
        return when


class Source(_Model):
    title: Text
    published: Date
    publisher: Text | None = None
    author: Text | None = None
    url: Url | None = None
    language: LanguageTag = "en"
    rights: Text | None = None
    summary: Text | None = None
    reports: RefList = ()
    topics: RefList = ()
    quotes: tuple[Quote, ...] = ()
    autolink: StrictBool = True
    translation_of: Ref | None = None  # the source this text translates (v1.1)
    inflect: StrictBool = True  # false: no declined forms of names in this text (v1.1)

    @property
    def name(self) -> str:
        return self.title


Front = Country | Organization | Person | Place | Topic | Event | Source
KIND_MODELS: dict[str, type[BaseModel]] = {kind.name: globals()[kind.model] for kind in kinds.TABLE}
KindName = Literal["sources", "events", "countries", "organizations", "people", "places", "topics"]


# --- validation with located messages ------------------------------------------------------

_TYPE_NAMES = {
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true/false",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing",
}


def _describe(value: Any) -> str:
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, dict | list):
        return kind
    return f"{kind} ({value!r})"


def field_path(loc: tuple[str | int, ...]) -> str:
    """``("members", 2, "id")`` → ``members[2].id``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _data_loc(data: Any, loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], Any, bool]:
    """The longest prefix of a pydantic location that exists in the data, and its value."""
    found: tuple[str | int, ...] = ()
    value = data
    for part in loc:
        in_dict = isinstance(value, dict) and isinstance(part, str) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if not (in_dict or in_list):
            return found, value, False
        value = value[part]
        found = (*found, part)
    return found, value, True


def _message(err: dict[str, Any], doc: Document, model: type[BaseModel]) -> tuple[tuple[str | int, ...], str]:
    raw_loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
    loc, value, complete = _data_loc(doc.data, raw_loc)
    kind = err["type"]
    name = field_path(loc)
    where = f"field '{name}'" if name else "the front matter"
    if kind == "extra_forbidden":
        container = _model_at(model, loc[:-1])
        allowed = sorted(container.model_fields) if container else []
        key = str(loc[-1])
        hint = suggestion(key, allowed) or (f" (fields here: {', '.join(allowed)})" if allowed else "")
        return loc, f"unknown field '{name}'{hint}"
    if kind == "missing":
        missing = field_path(raw_loc)
        return loc, f"required field '{missing}' is missing"
    msg = str(err.get("msg", "invalid value"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
        marked = re.match(r"@(\w+): ", msg)
        if marked:  # a check across fields names the field it is about
            loc = (*loc, marked.group(1))
            return loc, f"field '{field_path(loc)}': {msg[marked.end() :]}"
        return loc, f"{where}: {msg}"
    if kind in ("string_type", "str_type"):
        return loc, f"{where}: expected text, got {_describe(value)}"
    if kind == "string_too_short":
        return loc, f"{where}: must not be empty"
    if kind in ("tuple_type", "list_type"):
        return loc, f"{where}: expected a list, got {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"{where}: expected a mapping (field: value, ...), got {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return loc, f"{where}: expected true or false, got {_describe(value)}"
    if kind in ("float_type", "float_parsing", "int_type"):
        return loc, f"{where}: expected a number, got {_describe(value)}"
    if kind == "too_short":
        return loc, f"{where}: must not be empty"
    if kind in ("too_long",):
        return loc, f"{where}: {msg}"
    return loc, f"{where}: {msg}" + ("" if complete else "")


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The nested model class at a location (``members[0]`` → :class:`Member`)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fld = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if fld is None:
            return None
        current = _inner_model(fld.annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(doc: Document) -> tuple[Front | None, list[Problem]]:
    """The typed front matter of a document, or located problems."""
    model = KIND_MODELS[doc.kind]
    try:
        front = model.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc, message = _message(dict(err), doc, model)
            problems.append(error(doc.path, doc.line_of(loc), message))
        return None, problems
    return front, []  # type: ignore[return-value]
