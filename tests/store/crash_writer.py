"""Writers for the crash test, forked from one process that has already imported spj.

Usage: python crash_writer.py URL. For each line "SEED" read on stdin, a child
process is forked that opens the store, prints "ready PID" and saves revisions
in a loop until it is killed. Forking keeps each round fast (importing spj takes
about a second).
"""

from __future__ import annotations

import os
import random
import signal
import sys

from spj.store import ConflictError, LockedError, SqlStore

AGENCY, CASE = "crash-agency", "crash-case"


def content(rng: random.Random, n: int) -> dict[str, object]:
    """A synthetic assessment of some size, so a write spans several database pages."""
    return {
        "format": "spj-assessment/1",
        "n": n,
        "ratings": {
            f"I{i}": {"presence": rng.choice("NPY"), "evidence": "x" * rng.randint(50, 400)} for i in range(40)
        },
        "formulation": "synthetic text " * rng.randint(100, 600),
    }


def write_forever(url: str, seed: int, parent: int) -> None:
    rng = random.Random(seed)
    store = SqlStore(url, migrate=False)
    store.list_assessments(AGENCY)  # connected
    os.write(1, f"ready {os.getpid()}\n".encode())  # one write: lines of two writers never interleave
    while os.getppid() == parent:  # never outlive the test (should it fail before killing us)
        drafts = [a for a in store.list_assessments(AGENCY) if a.status == "draft"]
        if not drafts or rng.random() < 0.05:
            store.create_assessment(
                AGENCY,
                assessment_id=f"a-{seed}-{rng.getrandbits(48):x}",
                case_id=CASE,
                instrument_id="crash",
                instrument_version="1.0.0",
                content=content(rng, 1),
                actor=f"writer-{seed}",
            )
            continue
        target = rng.choice(drafts)
        try:
            if rng.random() < 0.03:
                store.finalise(AGENCY, target.id, base=target.head, content=content(rng, 0), actor="w")
            else:
                store.save_revision(AGENCY, target.id, base=target.head, content=content(rng, target.head), actor="w")
        except (ConflictError, LockedError):
            pass  # the other writer saved in between


def main() -> None:
    url = sys.argv[1]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped automatically
    for line in sys.stdin:
        if os.fork() == 0:
            try:
                write_forever(url, int(line), os.getppid())
            finally:
                os._exit(1)


if __name__ == "__main__":
    main()
