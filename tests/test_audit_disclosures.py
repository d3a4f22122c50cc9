"""`spj audit verify` checks the store's disclosure log too; `spj audit disclosures CASE --db URL` lists it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spj.cli.app import app
from spj.store import SqlStore
from spj.store.disclosures import Disclosure


def _shown(case: str, agency: str, channel: str = "web") -> Disclosure:
    return Disclosure(
        by="carla",
        agency=agency,
        from_agency="hoj-example",
        case=case,
        assessment=f"A-{case}",
        sections=("case", "plan.own"),
        basis="Consent of the client",
        channel=channel,
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite+pysqlite:///{tmp_path / 'spj.sqlite3'}"
    store = SqlStore(url)
    try:
        store.disclosures.append(_shown("CASE-1", "care-example"))
        store.disclosures.append(_shown("CASE-2", "care-example"))
        store.disclosures.append(_shown("CASE-1", "police-example", channel="api"))
    finally:
        store.close()
    return url


def test_audit_disclosures_lists_a_cases_extracts_from_the_store(url: str) -> None:
    result = CliRunner().invoke(app, ["audit", "disclosures", "CASE-1", "--db", url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert "to care-example" in lines[0] and "by carla" in lines[0] and "[case, plan.own]" in lines[0]
    assert "basis: Consent of the client" in lines[0] and "from hoj-example" in lines[0] and "(web)" in lines[0]
    assert "to police-example" in lines[1] and "(api)" in lines[1]
    assert "2 extract(s) of case CASE-1 in the store" in result.stderr
    as_json = CliRunner().invoke(app, ["audit", "disclosures", "CASE-1", "--db", url, "--json"])
    entries = json.loads(as_json.stdout)
    assert [(e["seq"], e["agency"]) for e in entries] == [(1, "care-example"), (3, "police-example")]
    assert all(len(e["hash"]) == 64 for e in entries)
    none = CliRunner().invoke(app, ["audit", "disclosures", "CASE-9", "--db", url])
    assert none.exit_code == 0 and none.stdout == "" and "0 extract(s)" in none.stderr


def test_audit_verify_checks_the_disclosure_log(url: str) -> None:
    ok = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert ok.exit_code == 0, ok.output
    assert "3 disclosure(s)" in ok.stdout
    store = SqlStore(url)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER disclosures_no_update")
            conn.exec_driver_sql("UPDATE disclosures SET agency_id = 'someone-else' WHERE seq = 2")
    finally:
        store.close()
    bad = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert bad.exit_code == 1
    assert "disclosure 2: entry was changed after it was written" in bad.stderr
    listed = CliRunner().invoke(app, ["audit", "disclosures", "CASE-1", "--db", url])
    assert listed.exit_code == 1 and "warning: disclosure 2" in listed.stderr
