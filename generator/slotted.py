"""Frozen, slotted dataclasses made at half the cost, for the objects a corpus holds by the million.

The ``__init__`` that :func:`dataclasses.dataclass` writes for a frozen class sets each field
through ``object.__setattr__`` (a frozen class's own ``__setattr__`` refuses): a name looked up
and a call per field, about 1.1 µs for a nine-field segment. :func:`quick_init` writes the same
``__init__`` (the same parameters, the same defaults) but sets each slot through its slot
descriptor, which is what ``object.__setattr__`` ends up calling: 0.55 µs. The class stays as
frozen as before: assigning to a field still raises :class:`dataclasses.FrozenInstanceError`.

At 10,000 sources a corpus makes 1.7 million text segments and half a million backlinks.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

C = TypeVar("C", bound=type)


def quick_init(cls: C) -> C:
    """Give ``cls``, a frozen dataclass with ``slots=True`` and only plain defaults, the
    faster ``__init__`` (see the module's docstring). Applied after ``@dataclass``."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen dataclasses with slots=True")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick_init does not call __post_init__")
    names: dict[str, Any] = {}
    signature: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init takes plain fields with plain defaults")
        if f.default is dataclasses.MISSING:
            signature.append(f.name)
        else:
            names[f"default_{f.name}"] = f.default
            signature.append(f"{f.name}=default_{f.name}")
        names[f"set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(signature)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, names)  # what dataclasses itself does: the source is made of the field names alone
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = f"Set each field of a {cls.__name__} (see generator.slotted)."
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses to assign a method)
    return cls


__all__ = ["quick_init"]
