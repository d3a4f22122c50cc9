"""Whole-process timings: `import spj` and `spj validate`, each in a fresh interpreter.

Every process runs with a bytecode cache (in a temporary folder, warmed by
one run first), as an installed package has: `PYTHONDONTWRITEBYTECODE` is
dropped from the environment and `PYTHONPYCACHEPREFIX` points at the cache, so
the source tree is not written to. One cold run (no cache) is reported apart.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HEAVY = ("jinja2", "babel", "weasyprint", "fastapi", "sqlalchemy", "networkx", "typer", "rich", "prompt_toolkit")


class Processes:
    """Runs commands in fresh interpreters with a private, warmed bytecode cache."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.cache = Path(tempfile.mkdtemp(prefix="spj-bench-pycache-"))
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(self.cache)

    def close(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)

    def run(self, argv: Sequence[str], *, cold: bool = False) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if cold:
            env.pop("PYTHONPYCACHEPREFIX")
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return subprocess.run(list(argv), cwd=self.cwd, env=env, capture_output=True, text=True, check=True)

    def wall(self, argv: Sequence[str], *, runs: int) -> tuple[float, float, float]:
        """(best, median) seconds of the whole process after one warm-up run, and its best CPU seconds.

        The CPU time (user + system, from the children's resource usage) moves less than the wall-clock
        on a busy shared machine.
        """
        self.run(argv)
        samples, cpu = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            self.run(argv)
            samples.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return min(samples), statistics.median(samples), min(cpu)

    def cold(self, argv: Sequence[str]) -> float:
        """Seconds of one run without any bytecode cache for spj (every spj module compiled)."""
        start = time.perf_counter()
        self.run(argv, cold=True)
        return time.perf_counter() - start

    def modules_after(self, code: str) -> list[str]:
        """`sys.modules` of a fresh interpreter after running `code`."""
        out = self.run([sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"])
        return list(json.loads(out.stdout.strip().splitlines()[-1]))

    def importtime(self, module: str, *, top: int) -> list[tuple[int, str]]:
        """The `top` packages by import time (µs) under `import module`, from `-X importtime`.

        A package counts each time it is entered from outside it, with everything it imports then.
        """
        self.run([sys.executable, "-c", f"import {module}"])  # warm the cache
        err = self.run([sys.executable, "-X", "importtime", "-c", f"import {module}"]).stderr
        rows = []
        for text in err.splitlines():
            parts = text.split("|")
            if not text.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
                continue
            name = parts[2].rstrip()
            rows.append((len(name) - len(name.lstrip()), name.strip(), int(parts[1])))
        totals: dict[str, int] = {}
        stack: list[tuple[int, str]] = []
        for depth, name, cumulative in reversed(rows):  # importtime prints children first: reversed, parents first
            while stack and stack[-1][0] >= depth:
                stack.pop()
            package = name.split(".")[0]
            if stack and all(outer != package for _, outer in stack):
                totals[package] = totals.get(package, 0) + cumulative
            stack.append((depth, package))
        return sorted(((us, name) for name, us in totals.items()), reverse=True)[:top]


def heavy_loaded(modules: Sequence[str]) -> list[str]:
    """Which of the heavy packages a module list contains."""
    tops = {m.split(".")[0] for m in modules}
    return [name for name in HEAVY if name in tops]
