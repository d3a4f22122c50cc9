"""Run the workspace on a temp SQLite file for the browser tests: `python serve_app.py DB_URL PORT`.

Creates two synthetic houses of justice and a care partner (the deployment below), and four accounts
(password `correct horse battery`): alice and rita at Gent, bob at Brugge, carla at the care partner;
and a case consultation of Gent and the care partner whose feedback note goes to Brugge.
"""

from __future__ import annotations

import sys

import uvicorn
from argon2 import PasswordHasher

from spj.api.app import create_app
from spj.disclosure import parse_deployment
from spj.disclosure.consultation import parse_consultation
from spj.store import SqlStore

PASSWORD = "correct horse battery"
DEPLOYMENT = """\
format: spj-deployment/1
agencies:
  - {id: hoj-gent, kind: probation, title: {en: House of Justice Gent (synthetic)}}
  - {id: hoj-brugge, kind: probation, title: {en: House of Justice Brugge (synthetic)}}
  - {id: care-gent, kind: care, title: {en: Care centre Gent (synthetic)}}
profiles:
  care:
    basis: {en: Informed consent of the client (synthetic)}
    sees: [case, plan.own, ratings.mental_health]
"""
# A case consultation between Gent and its care partner, the note to Brugge approved by both.
CONSULTATION = """\
format: spj-consultation/1
id: CC-BR-1
case: CASE-BR-CONSULT
date: 2027-04-08
basis: {en: Case consultation under art. 458ter of the Criminal Code (synthetic)}
participants: [hoj-gent, care-gent]
items:
  - {id: I1, by: hoj-gent, text: Keeps every probation appointment (synthetic).}
  - {id: I2, by: care-gent, text: Sleep problems are treated weekly (synthetic secret)., secret: true}
feedback:
  to: hoj-brugge
  items: [I1]
  summary: The trajectory continues as agreed (synthetic).
  approvals: [{agency: hoj-gent}, {agency: care-gent}]
"""


def main(url: str, port: int) -> None:
    store = SqlStore(url)
    app = create_app(
        store,
        secret_key="browser-test-secret",
        hasher=PasswordHasher(time_cost=1, memory_cost=1024),
        deployment=parse_deployment(DEPLOYMENT),
        consultations=[parse_consultation(CONSULTATION, deployment=parse_deployment(DEPLOYMENT))],
    )
    workspace = app.state.workspace
    store.create_agency("hoj-gent", "House of Justice Gent (synthetic)")
    store.create_agency("hoj-brugge", "House of Justice Brugge (synthetic)")
    store.create_agency("care-gent", "Care centre Gent (synthetic)")
    for username, name, role, agency in (
        ("alice", "Assessor A (synthetic)", "assessor", "hoj-gent"),
        ("rita", "Reviewer R (synthetic)", "reviewer", "hoj-gent"),
        ("bob", "Assessor B (synthetic)", "assessor", "hoj-brugge"),
        ("carla", "Care worker C (synthetic)", "partner", "care-gent"),
    ):
        workspace.create_user(username=username, password=PASSWORD, role=role, agency_id=agency, display_name=name)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
