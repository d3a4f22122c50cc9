"""Killing writers at random moments never leaves a torn revision or a broken chain.

Two writer processes save revisions in a loop on the same database; each round
they are killed with SIGKILL after a random delay. Afterwards the database must
be intact, every chain must verify, and every head must be its last revision.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from spj.store import SqlStore

WRITER = Path(__file__).with_name("crash_writer.py")
AGENCY, CASE = "crash-agency", "crash-case"


def run_and_kill(url: str, *, rounds: int, writers: int, seed: int) -> int:
    """Fork writers, kill them with SIGKILL after 5–80 ms of writing, `rounds` times; return the number of kills."""
    rng = random.Random(seed)
    kills = 0
    pids: list[int] = []
    zygote = subprocess.Popen(
        [sys.executable, str(WRITER), url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    try:
        for round_number in range(rounds):
            pids.clear()
            for i in range(writers):
                zygote.stdin.write(f"{round_number * writers + i}\n")
                zygote.stdin.flush()
            for _ in range(writers):
                line = zygote.stdout.readline()
                assert line.startswith("ready "), f"a writer did not start: {line!r}"
                pids.append(int(line.split()[1]))
            time.sleep(rng.uniform(0.005, 0.080))
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
                kills += 1
            for pid in pids:
                _wait_gone(pid)
    finally:
        for pid in pids:  # when the test fails half-way
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        zygote.stdin.close()
        zygote.wait(timeout=10)
        zygote.stdout.close()
    return kills


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.002)
    pytest.fail(f"writer {pid} survived SIGKILL")


def check_intact(store: SqlStore) -> dict[str, int]:
    assert store.verify() == []
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        mismatched = conn.execute(
            sa.text(
                "SELECT a.id, a.head, MAX(r.number) FROM assessments a JOIN revisions r ON r.assessment_id = a.id "
                "GROUP BY a.id, a.head HAVING a.head <> MAX(r.number)"
            )
        ).all()
        assert mismatched == []
    for record in store.list_assessments(AGENCY):
        revisions = store.list_revisions(AGENCY, record.id)  # parses every content: none is torn
        assert [r.number for r in revisions] == list(range(1, record.head + 1))
        assert revisions[-1].status == record.status
    return store.stats()


@pytest.mark.parametrize(
    ("kind", "rounds"),
    [pytest.param("sqlite", 40, id="sqlite"), pytest.param("postgresql", 25, id="postgresql")],
)
def test_killed_writers_leave_an_intact_store(kind: str, rounds: int, request: pytest.FixtureRequest) -> None:
    url = str(request.getfixturevalue("pg_url" if kind == "postgresql" else "sqlite_url"))
    store = SqlStore(url)
    try:
        store.create_agency(AGENCY, "Crash test agency")
        store.create_case(AGENCY, CASE, actor="setup")
        started = time.monotonic()
        kills = run_and_kill(url, rounds=rounds, writers=2, seed=20240601)
        counts = check_intact(store)
        elapsed = time.monotonic() - started
        print(f"{kind}: {kills} kills in {elapsed:.1f} s, {counts['assessments']} assessments, ", end="")
        print(f"{counts['revisions']} revisions")
        assert kills == rounds * 2
        assert counts["revisions"] > rounds  # the writers did write between kills
        # the store still takes saves after all that
        record = next(a for a in store.list_assessments(AGENCY) if a.status == "draft")
        assert (
            store.save_revision(AGENCY, record.id, base=record.head, content={}, actor="after").number
            == record.head + 1
        )
        assert store.verify() == []
    finally:
        store.close()
