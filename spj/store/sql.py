"""`SqlStore`: the store on SQLAlchemy 2 (SQLite by default, PostgreSQL by URL).

Each write is one transaction: the revision insert, the move of the head
(`UPDATE ... WHERE head = :base`, optimistic locking) and the audit row commit
together or not at all. The store persists what the service decided; the
lifecycle rules (when a final may change, who countersigns, which links) live
in `spj.service.lifecycle`. Database faults (lost connection, full disk) become a
`StoreError` with code `store`; statement parameters (case content) never
appear in messages.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from spj.errors import Code, Location, Problem, StoreError
from spj.store.disclosures import SqlDisclosures
from spj.store.drafts import SqlDrafts
from spj.store.engine import WRITE_OPTION, make_engine
from spj.store.hashing import canonical_json, chain_sha256, sha256_hex, utc_now
from spj.store.interface import (
    Agency,
    ApiToken,
    AssessmentRecord,
    AuditEvent,
    Case,
    ConflictError,
    NotFoundError,
    Revision,
    Role,
    Status,
    User,
    id_clash,
    not_final,
)
from spj.store.migrate import upgrade
from spj.store.referrals import SqlReferrals
from spj.store.tables import AgencyRow, ApiTokenRow, AssessmentRow, AuditRow, Base, CaseRow, RevisionRow, UserRow
from spj.store.verification import StoredRevision, check_assessment

_tables = Base.metadata.tables
agencies = _tables[AgencyRow.__tablename__]
users = _tables[UserRow.__tablename__]
tokens = _tables[ApiTokenRow.__tablename__]
cases = _tables[CaseRow.__tablename__]
assessments = _tables[AssessmentRow.__tablename__]
revisions = _tables[RevisionRow.__tablename__]
audit = _tables[AuditRow.__tablename__]


def _fault(exc: SQLAlchemyError) -> StoreError:
    """A database fault as a StoreError that names the cause, never the statement's parameters."""
    orig = getattr(exc, "orig", None)
    cause = str(orig).strip().splitlines()[0][:200] if orig is not None and str(orig).strip() else type(exc).__name__
    return StoreError(
        Problem(Code.STORE, f"the database failed ({cause}); nothing was half-written, try again", Location())
    )


def _duplicate(what: str) -> StoreError:
    return StoreError(Problem(Code.CONFLICT, f"{what} already exists", Location()))


class SqlStore:
    """The store in a SQL database; `SqlStore(url)` brings the schema up to date (alembic `upgrade head`)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.referrals = SqlReferrals(self)  # where partners' referrals may be (spj.store.referrals)
        self.disclosures = SqlDisclosures(self)  # every extract shown to another agency (spj.store.disclosures)
        self.drafts = SqlDrafts(self)  # unsaved work the workspace autosaved (spj.store.drafts)
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.engine.dispose()
                raise

    def migrate(self) -> None:
        """Run the shipped migrations up to the newest schema."""
        with self._guard():
            upgrade(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            raise _fault(exc) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._guard(), self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def _audit(
        self,
        conn: Connection,
        *,
        agency_id: str,
        actor: str,
        action: str,
        assessment_id: str | None,
        revision: int | None,
        detail: str,
        at: Any = None,
    ) -> None:
        conn.execute(
            insert(audit).values(
                at=at or utc_now(),
                actor_id=actor,
                agency_id=agency_id,
                action=action,
                assessment_id=assessment_id,
                revision=revision,
                detail=detail,
            )
        )

    @staticmethod
    def _require_agency(conn: Connection, agency_id: str) -> None:
        if conn.execute(select(agencies.c.id).where(agencies.c.id == agency_id)).first() is None:
            raise NotFoundError(f"agency {agency_id}")

    @staticmethod
    def _assessment_row(conn: Connection, agency_id: str, assessment_id: str) -> Row[Any]:
        row = conn.execute(
            select(assessments).where(assessments.c.id == assessment_id, assessments.c.agency_id == agency_id)
        ).first()
        if row is None:
            raise NotFoundError(f"assessment {assessment_id}")
        return row

    # ------------------------------------------------------------------ agencies, users, tokens

    def create_agency(self, agency_id: str, name: str) -> Agency:
        try:
            with self._write() as conn:
                conn.execute(insert(agencies).values(id=agency_id, name=name))
        except IntegrityError as exc:
            raise _duplicate(f"agency {agency_id}") from exc
        return Agency(agency_id, name)

    def create_user(self, *, username: str, display_name: str, role: Role, agency_id: str, password_hash: str) -> User:
        user = User(uuid.uuid4().hex, username, display_name, role, agency_id, password_hash)
        try:
            with self._write() as conn:
                self._require_agency(conn, agency_id)
                conn.execute(
                    insert(users).values(
                        id=user.id,
                        username=username,
                        display_name=display_name,
                        role=role,
                        agency_id=agency_id,
                        password_hash=password_hash,
                    )
                )
        except IntegrityError as exc:
            raise _duplicate(f"user {username}") from exc
        return user

    def get_user(self, user_id: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def get_user_by_username(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        return None if row is None else _user(row)

    def create_token(self, *, agency_id: str, name: str, token_sha256: str) -> ApiToken:
        token = ApiToken(uuid.uuid4().hex, agency_id, name, token_sha256, utc_now())
        try:
            with self._write() as conn:
                self._require_agency(conn, agency_id)
                conn.execute(
                    insert(tokens).values(
                        id=token.id,
                        agency_id=agency_id,
                        name=name,
                        token_sha256=token_sha256,
                        created_at=token.created_at,
                    )
                )
        except IntegrityError as exc:
            raise _duplicate("a token with this hash") from exc
        return token

    def find_token(self, token_sha256: str) -> ApiToken | None:
        with self._read() as conn:
            row = conn.execute(
                select(tokens).where(tokens.c.token_sha256 == token_sha256, tokens.c.revoked_at.is_(None))
            ).first()
        return None if row is None else _token(row)

    def revoke_token(self, token_id: str) -> ApiToken | None:
        with self._write() as conn:
            conn.execute(
                update(tokens)
                .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )
            row = conn.execute(select(tokens).where(tokens.c.id == token_id)).first()
        return None if row is None else _token(row)

    def bump_session_epoch(self, user_id: str) -> int:
        with self._write() as conn:
            moved = conn.execute(
                update(users).where(users.c.id == user_id).values(session_epoch=users.c.session_epoch + 1)
            ).rowcount
            if moved != 1:
                raise NotFoundError(f"user {user_id}")
            epoch: int = conn.execute(select(users.c.session_epoch).where(users.c.id == user_id)).scalar_one()
        return epoch

    # ------------------------------------------------------------------ cases

    def create_case(self, agency_id: str, case_id: str, *, actor: str) -> Case:
        case = Case(case_id, agency_id, utc_now(), actor)
        try:
            with self._write() as conn:
                self._require_agency(conn, agency_id)
                conn.execute(
                    insert(cases).values(agency_id=agency_id, id=case_id, created_at=case.created_at, created_by=actor)
                )
                self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="create-case",
                    assessment_id=None,
                    revision=None,
                    detail=f"case {case_id}",
                    at=case.created_at,
                )
        except IntegrityError as exc:
            raise _duplicate(f"case {case_id}") from exc
        return case

    def get_case(self, agency_id: str, case_id: str) -> Case:
        with self._read() as conn:
            row = conn.execute(select(cases).where(cases.c.agency_id == agency_id, cases.c.id == case_id)).first()
        if row is None:
            raise NotFoundError(f"case {case_id}")
        return Case(row.id, row.agency_id, row.created_at, row.created_by)

    def list_cases(self, agency_id: str) -> list[Case]:
        with self._read() as conn:
            rows = conn.execute(
                select(cases).where(cases.c.agency_id == agency_id).order_by(cases.c.created_at, cases.c.id)
            ).all()
        return [Case(r.id, r.agency_id, r.created_at, r.created_by) for r in rows]

    # ------------------------------------------------------------------ assessments

    def create_assessment(
        self,
        agency_id: str,
        *,
        assessment_id: str,
        case_id: str,
        instrument_id: str,
        instrument_version: str,
        content: dict[str, Any],
        actor: str,
        previous_id: str | None = None,
        amends_id: str | None = None,
    ) -> tuple[AssessmentRecord, Revision]:
        text = canonical_json(content)
        now = utc_now()
        try:
            with self._write() as conn:
                if (
                    conn.execute(
                        select(cases.c.id).where(cases.c.agency_id == agency_id, cases.c.id == case_id)
                    ).first()
                    is None
                ):
                    raise NotFoundError(f"case {case_id}")
                for link in (previous_id, amends_id):
                    if link is not None:
                        self._assessment_row(conn, agency_id, link)  # it exists, in this agency
                conn.execute(
                    insert(assessments).values(
                        id=assessment_id,
                        agency_id=agency_id,
                        case_id=case_id,
                        instrument_id=instrument_id,
                        instrument_version=instrument_version,
                        status="draft",
                        head=1,
                        previous_id=previous_id,
                        amends_id=amends_id,
                        created_by=actor,
                        created_at=now,
                        updated_at=now,
                    )
                )
                revision = _insert_revision(conn, assessment_id, 1, actor, now, "draft", text, None)
                self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="create",
                    assessment_id=assessment_id,
                    revision=1,
                    detail=f"{instrument_id} {instrument_version}",
                    at=now,
                )
                record = _assessment(self._assessment_row(conn, agency_id, assessment_id))
        except IntegrityError as exc:
            raise id_clash() from exc
        return record, revision

    def get_assessment(self, agency_id: str, assessment_id: str) -> AssessmentRecord:
        with self._read() as conn:
            return _assessment(self._assessment_row(conn, agency_id, assessment_id))

    def list_assessments(self, agency_id: str, *, case_id: str | None = None) -> list[AssessmentRecord]:
        query = select(assessments).where(assessments.c.agency_id == agency_id)
        if case_id is not None:
            query = query.where(assessments.c.case_id == case_id)
        with self._read() as conn:
            rows = conn.execute(query.order_by(assessments.c.created_at, assessments.c.id)).all()
        return [_assessment(r) for r in rows]

    def save_revision(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        return self._append(agency_id, assessment_id, base=base, content=content, actor=actor, status="draft")

    def finalise(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        return self._append(agency_id, assessment_id, base=base, content=content, actor=actor, status="final")

    def _append(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str, status: Status
    ) -> Revision:
        text = canonical_json(content)
        now = utc_now()
        number = base + 1
        try:
            with self._write() as conn:
                self._assessment_row(conn, agency_id, assessment_id)
                # the guard: moves the head only if nobody saved since `base` (and takes the row lock)
                values: dict[str, Any] = {"head": number, "updated_at": now, "status": status}
                if status == "final":
                    values["finalised_at"] = now
                moved = conn.execute(
                    update(assessments)
                    .where(assessments.c.id == assessment_id, assessments.c.head == base)
                    .values(**values)
                ).rowcount
                if moved != 1:
                    current = self._assessment_row(conn, agency_id, assessment_id)
                    raise ConflictError(assessment_id, base, current.head)
                previous = conn.execute(
                    select(revisions.c.chain_sha256).where(
                        revisions.c.assessment_id == assessment_id, revisions.c.number == base
                    )
                ).scalar_one()
                revision = _insert_revision(conn, assessment_id, number, actor, now, status, text, previous)
                self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="finalise" if status == "final" else "save",
                    assessment_id=assessment_id,
                    revision=number,
                    detail="",
                    at=now,
                )
        except IntegrityError as exc:
            # the second guard: (assessment_id, number) is unique
            current_head = self.get_assessment(agency_id, assessment_id).head
            raise ConflictError(assessment_id, base, current_head) from exc
        return revision

    def countersign(self, agency_id: str, assessment_id: str, *, actor: str) -> AssessmentRecord:
        now = utc_now()
        with self._write() as conn:
            row = self._assessment_row(conn, agency_id, assessment_id)
            # recorded once: a second signature never replaces the first
            signed = conn.execute(
                update(assessments)
                .where(assessments.c.id == assessment_id, assessments.c.countersigned_by.is_(None))
                .values(countersigned_by=actor, countersigned_at=now)
            ).rowcount
            if signed != 1:
                raise StoreError(
                    Problem(Code.CONFLICT, f"assessment {assessment_id} is already countersigned", Location())
                )
            self._audit(
                conn,
                agency_id=agency_id,
                actor=actor,
                action="countersign",
                assessment_id=assessment_id,
                revision=row.head,
                detail="",
                at=now,
            )
            return _assessment(self._assessment_row(conn, agency_id, assessment_id))

    def get_revision(self, agency_id: str, assessment_id: str, number: int | None = None) -> Revision:
        with self._read() as conn:
            row = self._assessment_row(conn, agency_id, assessment_id)
            wanted = row.head if number is None else number
            rev = conn.execute(
                select(revisions).where(revisions.c.assessment_id == assessment_id, revisions.c.number == wanted)
            ).first()
        if rev is None:
            raise NotFoundError(f"revision {wanted} of assessment {assessment_id}")
        return _revision(rev)

    def list_revisions(self, agency_id: str, assessment_id: str) -> list[Revision]:
        with self._read() as conn:
            self._assessment_row(conn, agency_id, assessment_id)
            rows = conn.execute(
                select(revisions).where(revisions.c.assessment_id == assessment_id).order_by(revisions.c.number)
            ).all()
        return [_revision(r) for r in rows]

    # ------------------------------------------------------------------ audit

    def record(
        self, agency_id: str, *, actor: str, action: str, assessment_id: str | None, revision: int | None, detail: str
    ) -> None:
        with self._write() as conn:
            self._require_agency(conn, agency_id)
            if assessment_id is not None:
                self._assessment_row(conn, agency_id, assessment_id)
            self._audit(
                conn,
                agency_id=agency_id,
                actor=actor,
                action=action,
                assessment_id=assessment_id,
                revision=revision,
                detail=detail,
            )

    def audit_events(self, agency_id: str, *, assessment_id: str | None = None) -> list[AuditEvent]:
        query = select(audit).where(audit.c.agency_id == agency_id)
        with self._read() as conn:
            if assessment_id is not None:
                self._assessment_row(conn, agency_id, assessment_id)
                query = query.where(audit.c.assessment_id == assessment_id)
            rows = conn.execute(query.order_by(audit.c.id)).all()
        return [
            AuditEvent(r.id, r.at, r.actor_id, r.agency_id, r.action, r.assessment_id, r.revision, r.detail)
            for r in rows
        ]

    # ------------------------------------------------------------------ integrity

    def verify(self) -> list[str]:
        """Recompute every revision's hashes and check numbering and heads; located problems, empty if sound."""
        problems: list[str] = []
        with self._read() as conn:
            heads = {
                r.id: (r.head, r.status)
                for r in conn.execute(select(assessments.c.id, assessments.c.head, assessments.c.status))
            }
            seen: set[str] = set()
            current: str | None = None
            batch: list[StoredRevision] = []
            result = conn.execution_options(yield_per=500).execute(
                select(revisions).order_by(revisions.c.assessment_id, revisions.c.number)
            )
            for row in result:
                if row.assessment_id != current:
                    if current is not None:
                        problems += _check(current, heads, batch)
                    current, batch = row.assessment_id, []
                    seen.add(current)
                batch.append(_stored(row))
            if current is not None:
                problems += _check(current, heads, batch)
        for missing in sorted(set(heads) - seen):
            head, status = heads[missing]
            problems += check_assessment(missing, head, status, [])
        return problems

    def stats(self) -> dict[str, int]:
        """How many agencies, cases, assessments, revisions and audit events the store holds."""
        with self._read() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (
                    ("agencies", agencies),
                    ("cases", cases),
                    ("assessments", assessments),
                    ("revisions", revisions),
                    ("audit_events", audit),
                )
            }

    # ------------------------------------------------------------------ delivery updates on a final assessment

    def append_status_update(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        """Append a final revision to a final assessment: where the delivery of a plan step stands.

        One transaction, guarded like a save (`head = :base`). The service checks
        that nothing else changed (`spj.assessment.final_changes`).
        """
        text = canonical_json(content)
        now = utc_now()
        number = base + 1
        try:
            with self._write() as conn:
                if self._assessment_row(conn, agency_id, assessment_id).status != "final":
                    raise not_final(assessment_id)
                moved = conn.execute(
                    update(assessments)
                    .where(
                        assessments.c.id == assessment_id, assessments.c.head == base, assessments.c.status == "final"
                    )
                    .values(head=number, updated_at=now)
                ).rowcount
                if moved != 1:
                    raise ConflictError(assessment_id, base, self._assessment_row(conn, agency_id, assessment_id).head)
                previous = conn.execute(
                    select(revisions.c.chain_sha256).where(
                        revisions.c.assessment_id == assessment_id, revisions.c.number == base
                    )
                ).scalar_one()
                revision = _insert_revision(conn, assessment_id, number, actor, now, "final", text, previous)
                self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="update-status",
                    assessment_id=assessment_id,
                    revision=number,
                    detail="",
                    at=now,
                )
        except IntegrityError as exc:
            raise ConflictError(assessment_id, base, self.get_assessment(agency_id, assessment_id).head) from exc
        return revision


def _check(assessment_id: str, heads: dict[str, tuple[int, str]], batch: list[StoredRevision]) -> list[str]:
    if assessment_id not in heads:
        return [f"assessment {assessment_id}: revisions without an assessment"]
    head, status = heads[assessment_id]
    return check_assessment(assessment_id, head, status, batch)


def _insert_revision(
    conn: Connection,
    assessment_id: str,
    number: int,
    author: str,
    at: Any,
    status: Status,
    text: str,
    previous: str | None,
) -> Revision:
    content_hash = sha256_hex(text)
    chain = chain_sha256(
        previous=previous,
        assessment_id=assessment_id,
        number=number,
        author_id=author,
        created_at=at,
        status=status,
        content_hash=content_hash,
    )
    conn.execute(
        insert(revisions).values(
            assessment_id=assessment_id,
            number=number,
            author_id=author,
            created_at=at,
            status=status,
            content=text,
            content_sha256=content_hash,
            previous_chain_sha256=previous,
            chain_sha256=chain,
        )
    )
    return Revision(assessment_id, number, author, at, json.loads(text), content_hash, previous, chain, status)


def _user(row: Row[Any]) -> User:
    return User(row.id, row.username, row.display_name, row.role, row.agency_id, row.password_hash, row.session_epoch)


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(row.id, row.agency_id, row.name, row.token_sha256, row.created_at, row.revoked_at)


def _assessment(row: Row[Any]) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        case_id=row.case_id,
        agency_id=row.agency_id,
        instrument_id=row.instrument_id,
        instrument_version=row.instrument_version,
        status=row.status,
        head=row.head,
        previous_id=row.previous_id,
        amends_id=row.amends_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finalised_at=row.finalised_at,
        countersigned_by=row.countersigned_by,
        countersigned_at=row.countersigned_at,
    )


def _revision(row: Row[Any]) -> Revision:
    return Revision(
        assessment_id=row.assessment_id,
        number=row.number,
        author_id=row.author_id,
        created_at=row.created_at,
        content=json.loads(row.content),
        content_sha256=row.content_sha256,
        previous_chain_sha256=row.previous_chain_sha256,
        chain_sha256=row.chain_sha256,
        status=row.status,
    )


def _stored(row: Row[Any]) -> StoredRevision:
    return StoredRevision(
        assessment_id=row.assessment_id,
        number=row.number,
        author_id=row.author_id,
        created_at=row.created_at,
        status=row.status,
        content_json=row.content,
        content_sha256=row.content_sha256,
        previous_chain_sha256=row.previous_chain_sha256,
        chain_sha256=row.chain_sha256,
    )
