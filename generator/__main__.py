"""``python -m generator``: the command line (:mod:`generator.cli`)."""

import contextlib
import os
import sys

from generator.cli import main

code = main()
if sys.argv[1:2] in (["build"], ["check"]):
    # These two hold a whole corpus when they end: at 10,000 sources millions of small
    # objects, which the interpreter would free one by one on its way out (2 to 3 s after
    # the last file was written). They leave nothing else to clean up (no thread, server or
    # temporary folder is left by then), so the process ends at once, its output flushed.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe: nothing can reach it
            stream.flush()
    os._exit(code)
sys.exit(code)
