"""Turn an annotated corpus (``content/``) into the Markdown pages of a knowledge site.

The core is pure: :func:`generator.site.generate` takes a content folder and a
templates folder and returns the pages and a list of located problems. The
command line (:mod:`generator.cli`) and the MkDocs plugin (:mod:`generator.plugin`)
are thin adapters around it.
"""

from generator.problems import Problem, Severity
from generator.site import Generated, generate

__all__ = ["Generated", "Problem", "Severity", "generate"]
