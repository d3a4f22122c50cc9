"""Stand-ins for WeasyPrint that the PDF pool's worker processes run in tests (importable by a spawned process).

`timed("sleep:0.5")` sleeps that long and returns its pid, start and end as JSON bytes; `stuck` never finishes
in time; `failing` refuses like WeasyPrint refusing a document.
"""

from __future__ import annotations

import json
import os
import time

from spj.errors import Code, Problem, RenderError


def timed(html: str) -> bytes:
    start = time.time()
    time.sleep(float(html.removeprefix("sleep:")))
    return json.dumps({"pid": os.getpid(), "start": start, "end": time.time()}).encode()


def stuck(html: str) -> bytes:
    time.sleep(120)
    return b"%PDF-never"


def failing(html: str) -> bytes:
    raise RenderError(Problem(Code.OUTPUT, "WeasyPrint could not render the report: synthetic failure"))
