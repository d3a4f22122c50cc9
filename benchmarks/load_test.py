"""Bounded load test of `spj serve` on loopback: concurrent users saving and evaluating.

    python benchmarks/load_test.py                      # 20 users, 60 s, a temporary SQLite file
    python benchmarks/load_test.py --seconds 30 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Starts `spj serve` in a subprocess on 127.0.0.1 (a free port), makes an agency,
an account and an API token (new ones each run, so a shared PostgreSQL
database is fine), then each user creates an assessment of its own case and,
until the time is up, saves it (a rating changed, the revision it edited
stated) and reads its evaluation. Prints p50/p95/p99 latency of save and of
evaluate and the number of errors. Target: p95 < 200 ms and no error on SQLite.
Synthetic data only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT = ("extremism-risk-formulation", "1.0.0")
INDICATORS = ("EN1", "EN2", "EN3", "EN4")
CODES = ("N", "P", "Y")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_token(url: str, suffix: str) -> str:
    """An agency, an assessor and a token, straight in the store."""
    sys.path.insert(0, str(ROOT))
    from argon2 import PasswordHasher

    from spj.service import InstrumentRegistry, Workspace
    from spj.store import open_store

    store = open_store(url)
    try:
        workspace = Workspace(store, InstrumentRegistry(), hasher=PasswordHasher(time_cost=1, memory_cost=1024))
        agency = f"load-{suffix}"
        store.create_agency(agency, "Load test agency (synthetic)")
        user = workspace.create_user(
            username=f"load-{suffix}", password=secrets.token_urlsafe(16), role="assessor", agency_id=agency
        )
        return workspace.create_token(user, label="load test")[1]
    finally:
        store.close()


def start_server(url: str, port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPJ_DATA_DIR": data_dir}
    command = [sys.executable, "-m", "spj", "serve", "--db", url, "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: {server.stderr.read().decode() if server.stderr else ''}")
            try:
                if (await client.get("/openapi.json")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start in time")


class Stats:
    def __init__(self) -> None:
        self.save: list[float] = []
        self.evaluate: list[float] = []
        self.errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def user_loop(client: httpx.AsyncClient, n: int, suffix: str, stop: float, stats: Stats, think: float) -> None:
    body = {"case_id": f"LOAD-{suffix}-{n}", "instrument_id": INSTRUMENT[0], "instrument_version": INSTRUMENT[1]}
    created = await client.post("/api/v1/assessments", json=body)
    if created.status_code != 201:
        stats.error(f"create {created.status_code}")
        return
    data = created.json()
    assessment_id, revision, content = data["id"], data["revision"], data["content"]
    step = 0
    while time.monotonic() < stop:
        step += 1
        indicator = INDICATORS[step % len(INDICATORS)]
        content["ratings"][indicator] = {"presence": CODES[step % 3], "relevance": "moderate"}
        content["formulation"] = f"Synthetic formulation, revision {revision + 1}."
        began = time.perf_counter()
        try:
            saved = await client.put(
                f"/api/v1/assessments/{assessment_id}", json={"base_revision": revision, "content": content}
            )
        except httpx.HTTPError as exc:
            stats.error(f"save {type(exc).__name__}")
            continue
        stats.save.append(time.perf_counter() - began)
        if saved.status_code != 200:
            stats.error(f"save {saved.status_code}")
            revision = (await client.get(f"/api/v1/assessments/{assessment_id}")).json()["revision"]
            continue
        revision = saved.json()["revision"]
        began = time.perf_counter()
        try:
            evaluated = await client.get(f"/api/v1/assessments/{assessment_id}/evaluation")
        except httpx.HTTPError as exc:
            stats.error(f"evaluate {type(exc).__name__}")
            continue
        stats.evaluate.append(time.perf_counter() - began)
        if evaluated.status_code != 200:
            stats.error(f"evaluate {evaluated.status_code}")
        if think > 0:
            # A person at a form: a pause between saves, uniform in [0.5, 1.5] x think, seeded per user.
            await asyncio.sleep(think * (0.5 + ((n * 7919 + step * 104729) % 1000) / 1000))


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "no data"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"n={len(values):6d}  p50={q[49] * 1000:7.1f} ms  p95={q[94] * 1000:7.1f} ms  p99={q[98] * 1000:7.1f} ms"


async def run(base: str, token: str, users: int, seconds: float, suffix: str, think: float) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(user_loop(client, n, suffix, stop, stats, think) for n in range(users)))
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause in seconds between one user's save+evaluate rounds (0: no pause, saturation)",
    )
    args = parser.parse_args()
    suffix = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="spj-load-") as tmp:
        url = args.db or f"sqlite+pysqlite:///{Path(tmp) / 'spj.sqlite3'}"
        token = make_token(url, suffix)
        port = free_port()
        server = start_server(url, port, tmp)
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(wait_ready(base, server))
            began = time.monotonic()
            stats = asyncio.run(run(base, token, args.users, args.seconds, suffix, args.think))
            elapsed = time.monotonic() - began
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    total_errors = sum(stats.errors.values())
    rate = len(stats.save) / elapsed
    print(f"{backend}, {args.users} users, think {args.think} s, {elapsed:.0f} s, {rate:.0f} saves/s")
    print(f"  save      {percentiles(stats.save)}")
    print(f"  evaluate  {percentiles(stats.evaluate)}")
    print(f"  errors    {total_errors}" + (f" {stats.errors}" if stats.errors else ""))
    p95 = max(
        (statistics.quantiles(v, n=100, method="inclusive")[94] for v in (stats.save, stats.evaluate) if len(v) > 1),
        default=float("inf"),
    )
    met = p95 < 0.2 and total_errors == 0
    print(f"  target (p95 < 200 ms, no error): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
