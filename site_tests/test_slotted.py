"""quick_init: the same objects as the dataclass's own __init__, still frozen, at half the cost."""

from __future__ import annotations

import dataclasses

import pytest

from generator.corpus import Backlink
from generator.mentions import Segment
from generator.slotted import quick_init


@dataclasses.dataclass(frozen=True, slots=True)
class _Plain:
    a: str
    b: int = 3
    c: tuple[int, ...] = ()


_Quick = quick_init(
    dataclasses.make_dataclass(
        "_Quick", [("a", str), ("b", int, 3), ("c", tuple, ())], frozen=True, slots=True
    )
)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("x",), {}), (("x", 5), {}), (("x",), {"c": (1,)}), ((), {"a": "y", "b": 0, "c": (2, 3)})],
)
def test_the_same_fields_and_defaults_as_the_dataclass_gives(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    plain, quick = _Plain(*args, **kwargs), _Quick(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.astuple(quick) == dataclasses.astuple(plain)


def test_wrong_arguments_fail_as_they_would() -> None:
    with pytest.raises(TypeError):
        _Quick()
    with pytest.raises(TypeError):
        _Quick("x", 1, (), 4)
    with pytest.raises(TypeError):
        _Quick("x", d=1)


@pytest.mark.parametrize(
    "made",
    [
        Segment("mention", "Iran", "Iran", "iran", False, 3, 4, "", ""),
        Backlink("iran", "source-1", 2, "A sentence on Iran.", 14, "Iran", True),
    ],
)
def test_the_classes_that_use_it_stay_frozen_and_equal_to_their_fields(made: object) -> None:
    values = dataclasses.astuple(made)  # type: ignore[call-overload]
    assert type(made)(*values) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.target = "pakistan"  # type: ignore[attr-defined]
    assert not hasattr(made, "__dict__")


@pytest.mark.parametrize(
    "cls",
    [
        object,  # not a dataclass
        dataclasses.make_dataclass("Open", [("a", int)], slots=True),  # not frozen
        dataclasses.make_dataclass("Unslotted", [("a", int)], frozen=True),
        dataclasses.make_dataclass(
            "Factory", [("a", list, dataclasses.field(default_factory=list))], frozen=True, slots=True
        ),
    ],
)
def test_only_frozen_slotted_dataclasses_with_plain_defaults(cls: type) -> None:
    with pytest.raises(TypeError):
        quick_init(cls)
