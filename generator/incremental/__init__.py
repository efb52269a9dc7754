"""The incremental layer: the one place that knows about keeping things between runs.

The core (reading, validation, linking, planning, rendering, outputs) is pure: a content
folder in, pages and located problems out. This package composes its stages so that a save
while serving costs what it changed (:class:`Engine`); the adapters (the MkDocs plugin,
``generator watch``, the language server) drive it. Nothing outside this package keeps
state between runs.
"""

from generator.incremental.engine import Engine, Stats, Update

__all__ = ["Engine", "Stats", "Update"]
