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

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Row, and_, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from spj.errors import Code, Location, Problem, StoreError
from spj.store.approvals import SqlApprovals
from spj.store.disclosures import SqlDisclosures
from spj.store.double_ratings import SqlDoubleRatings
from spj.store.drafts import SqlDrafts
from spj.store.engine import WRITE_OPTION, make_engine
from spj.store.hashing import canonical_json, chain_sha256, iso_time, sha256_hex, utc_now
from spj.store.hooks import SqlHooks
from spj.store.idempotency import SqlIdempotency
from spj.store.interface import (
    Agency,
    ApiToken,
    AssessmentFilter,
    AssessmentRecord,
    AuditEvent,
    Case,
    ConflictError,
    NotFoundError,
    Revision,
    Role,
    Status,
    TokenScope,
    User,
    duplicate_external_ref,
    id_clash,
    not_final,
)
from spj.store.keys import Keyring, load_keyring
from spj.store.ledger import GENESIS, EntryFacts
from spj.store.migrate import upgrade
from spj.store.outbox import EVENT_KINDS, LEDGER_LOCK, REFERRED, NewEvent, SqlOutbox
from spj.store.outbox import append as append_event
from spj.store.referrals import SqlReferrals
from spj.store.tables import AgencyRow, ApiTokenRow, AssessmentRow, AuditRow, Base, CaseRow, RevisionRow, UserRow
from spj.store.verification import Finding, StoredEntry, StoredRevision, StoredState, state_facts, verify_history

_tables = Base.metadata.tables
agencies = _tables[AgencyRow.__tablename__]
users = _tables[UserRow.__tablename__]
tokens = _tables[ApiTokenRow.__tablename__]
cases = _tables[CaseRow.__tablename__]
assessments = _tables[AssessmentRow.__tablename__]
revisions = _tables[RevisionRow.__tablename__]
audit = _tables[AuditRow.__tablename__]
_LEDGER_LOCK = LEDGER_LOCK  # advisory lock id: PostgreSQL appends one audit entry at a time (SQLite: BEGIN IMMEDIATE)


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
    """The store in a SQL database; `SqlStore(url)` brings the schema up to date (alembic `upgrade head`).

    `keyring` seals the audit trail (default: `spj.store.keys.load_keyring()`, the key kept outside the database).
    """

    def __init__(self, url: str, *, migrate: bool = True, keyring: Keyring | None = None) -> None:
        self.url = url
        self.keyring = keyring or load_keyring()
        self.engine: Engine = make_engine(url)
        self.referrals = SqlReferrals(self)  # where partners' referrals may be (spj.store.referrals)
        self.disclosures = SqlDisclosures(self)  # every extract shown to another agency (spj.store.disclosures)
        self.drafts = SqlDrafts(self)  # unsaved work the workspace autosaved (spj.store.drafts)
        self.approvals = SqlApprovals(self)  # feedback notes approved in the workspace (spj.store.approvals)
        self.events = SqlOutbox(self)  # the event feed, written with each change (spj.store.outbox)
        self.idempotency = SqlIdempotency(self)  # POST requests' Idempotency-Key (spj.store.idempotency)
        self.hooks = SqlHooks(self)  # deliveries of events to web hooks (spj.store.hooks)
        self.double_ratings = SqlDoubleRatings(self)  # second ratings and their consensus (spj.store.double_ratings)
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.engine.dispose()
                raise

    def migrate(self) -> None:
        """Run the shipped migrations up to the newest schema."""
        with self._guard():
            upgrade(self.engine, self.keyring)

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
        revision_sha256: str | None = None,
        case_id: str | None = None,
    ) -> int:
        """Append a sealed entry to the audit chain, and the change's event to the outbox; the entry's global seq."""
        at = at or utc_now()
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LEDGER_LOCK})
        kind = EVENT_KINDS.get(action)
        if kind is not None:
            if case_id is None and assessment_id is not None:
                case_id = conn.execute(
                    select(assessments.c.case_id).where(assessments.c.id == assessment_id)
                ).scalar_one()
            append_event(conn, NewEvent(agency_id, kind, case_id, assessment_id, revision), at)
        last = conn.execute(
            select(audit.c.seq, audit.c.mac).where(audit.c.seq.is_not(None)).order_by(audit.c.seq.desc()).limit(1)
        ).first()
        assessment_seq = None
        if assessment_id is not None:
            count = conn.execute(
                select(func.max(audit.c.assessment_seq)).where(
                    audit.c.agency_id == agency_id, audit.c.assessment_id == assessment_id
                )
            ).scalar()
            assessment_seq = (count or 0) + 1
        facts = EntryFacts(
            seq=last.seq + 1 if last else 1,
            assessment_seq=assessment_seq,
            at=iso_time(at),
            actor_id=actor,
            agency_id=agency_id,
            action=action,
            assessment_id=assessment_id,
            revision=revision,
            detail=detail,
            revision_sha256=revision_sha256,
            prev_mac=last.mac if last else GENESIS,
        )
        key_id, mac = self.keyring.sign(facts.canonical())
        conn.execute(
            insert(audit).values(
                at=at,
                actor_id=actor,
                agency_id=agency_id,
                action=action,
                assessment_id=assessment_id,
                revision=revision,
                detail=detail,
                seq=facts.seq,
                assessment_seq=assessment_seq,
                revision_sha256=revision_sha256,
                key_id=key_id,
                prev_mac=facts.prev_mac,
                mac=mac,
            )
        )
        return facts.seq

    def _seal(self, conn: Connection, assessment_id: str, seq: int, now: tuple[StoredState, str] | None = None) -> None:
        """Seal the assessment's state as it now stands, after the audit entry `seq` that changed it.

        `now`: the state and its head revision's chain hash when the caller knows them (one write, fewer reads).
        """
        if now is None:
            row = conn.execute(select(assessments).where(assessments.c.id == assessment_id)).one()
            head_sha256 = conn.execute(
                select(revisions.c.chain_sha256).where(
                    revisions.c.assessment_id == assessment_id, revisions.c.number == row.head
                )
            ).scalar_one()
            now = _state(row), head_sha256
        key_id, mac = self.keyring.sign(state_facts(now[0], now[1], seq).canonical())
        conn.execute(
            update(assessments)
            .where(assessments.c.id == assessment_id)
            .values(state_seq=seq, state_key_id=key_id, state_mac=mac)
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

    def count_users(self, *, role: Role | None = None) -> int:
        query = select(func.count()).select_from(users)
        if role is not None:
            query = query.where(users.c.role == role)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def create_token(
        self,
        *,
        agency_id: str,
        name: str,
        token_sha256: str,
        scope: TokenScope = "write",
        expires_at: dt.datetime | None = None,
    ) -> ApiToken:
        token = ApiToken(uuid.uuid4().hex, agency_id, name, token_sha256, utc_now(), scope=scope, expires_at=expires_at)
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
                        scope=scope,
                        expires_at=expires_at,
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

    def list_tokens(self, agency_id: str | None = None) -> list[ApiToken]:
        query = select(tokens).order_by(tokens.c.created_at, tokens.c.id)
        if agency_id is not None:
            query = query.where(tokens.c.agency_id == agency_id)
        with self._read() as conn:
            return [_token(row) for row in conn.execute(query)]

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

    def create_case(
        self,
        agency_id: str,
        case_id: str,
        *,
        actor: str,
        external_ref: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Case:
        case = Case(case_id, agency_id, utc_now(), actor, external_ref, json.loads(json.dumps(metadata or {})))
        try:
            with self._write() as conn:
                self._require_agency(conn, agency_id)
                _require_free_ref(conn, agency_id, case_id, external_ref)
                conn.execute(
                    insert(cases).values(
                        agency_id=agency_id,
                        id=case_id,
                        created_at=case.created_at,
                        created_by=actor,
                        external_ref=external_ref,
                        metadata_json=_metadata_json(case.metadata),
                    )
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
                    case_id=case_id,
                )
        except IntegrityError as exc:
            raise _duplicate(f"case {case_id}") from exc
        return case

    def get_case(self, agency_id: str, case_id: str) -> Case:
        with self._read() as conn:
            row = conn.execute(select(cases).where(cases.c.agency_id == agency_id, cases.c.id == case_id)).first()
        if row is None:
            raise NotFoundError(f"case {case_id}")
        return _case(row)

    def list_cases(self, agency_id: str, *, external_ref: str | None = None) -> list[Case]:
        query = select(cases).where(cases.c.agency_id == agency_id)
        if external_ref is not None:
            query = query.where(cases.c.external_ref == external_ref)
        with self._read() as conn:
            rows = conn.execute(query.order_by(cases.c.created_at, cases.c.id)).all()
        return [_case(r) for r in rows]

    def update_case(
        self, agency_id: str, case_id: str, *, actor: str, external_ref: str | None, metadata: dict[str, Any]
    ) -> Case:
        try:
            with self._write() as conn:
                _require_free_ref(conn, agency_id, case_id, external_ref)
                moved = conn.execute(
                    update(cases)
                    .where(cases.c.agency_id == agency_id, cases.c.id == case_id)
                    .values(external_ref=external_ref, metadata_json=_metadata_json(metadata))
                ).rowcount
                if moved != 1:
                    raise NotFoundError(f"case {case_id}")
                self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="update-case",
                    assessment_id=None,
                    revision=None,
                    detail=f"case {case_id}",
                    case_id=case_id,
                )
                row = conn.execute(select(cases).where(cases.c.agency_id == agency_id, cases.c.id == case_id)).one()
        except IntegrityError as exc:  # the same reference given to two cases at the same moment
            raise duplicate_external_ref(external_ref or "") from exc
        return _case(row)

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
                seq = self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="create",
                    assessment_id=assessment_id,
                    revision=1,
                    detail=f"{instrument_id} {instrument_version}",
                    at=now,
                    revision_sha256=revision.chain_sha256,
                )
                self._seal(conn, assessment_id, seq)
                record = _assessment(self._assessment_row(conn, agency_id, assessment_id))
        except IntegrityError as exc:
            raise id_clash() from exc
        return record, revision

    def get_assessment(self, agency_id: str, assessment_id: str) -> AssessmentRecord:
        with self._read() as conn:
            return _assessment(self._assessment_row(conn, agency_id, assessment_id))

    def list_assessments(
        self, agency_id: str, *, case_id: str | None = None, where: AssessmentFilter | None = None
    ) -> list[AssessmentRecord]:
        where = where or AssessmentFilter()
        query = select(assessments).where(assessments.c.agency_id == agency_id)
        if case_id is not None:
            query = query.where(assessments.c.case_id == case_id)
        if where.status is not None:
            query = query.where(assessments.c.status == where.status)
        if where.updated_since is not None:
            query = query.where(assessments.c.updated_at >= where.updated_since)
        if where.after is not None:
            created, last_id = where.after
            query = query.where(
                or_(
                    assessments.c.created_at > created,
                    and_(assessments.c.created_at == created, assessments.c.id > last_id),
                )
            )
        query = query.order_by(assessments.c.created_at, assessments.c.id).limit(where.limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [_assessment(r) for r in rows]

    def save_revision(
        self, agency_id: str, assessment_id: str, *, base: int, content: dict[str, Any], actor: str
    ) -> Revision:
        return self._append(agency_id, assessment_id, base=base, content=content, actor=actor, status="draft")

    def finalise(
        self,
        agency_id: str,
        assessment_id: str,
        *,
        base: int,
        content: dict[str, Any],
        actor: str,
        referred_to: Sequence[str] = (),
    ) -> Revision:
        return self._append(
            agency_id, assessment_id, base=base, content=content, actor=actor, status="final", referred_to=referred_to
        )

    def _append(
        self,
        agency_id: str,
        assessment_id: str,
        *,
        base: int,
        content: dict[str, Any],
        actor: str,
        status: Status,
        referred_to: Sequence[str] = (),
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
                    .returning(*assessments.c)  # the state as it now stands, under the row lock: what is sealed
                ).first()
                if moved is None:
                    current = self._assessment_row(conn, agency_id, assessment_id)
                    raise ConflictError(assessment_id, base, current.head)
                previous = conn.execute(
                    select(revisions.c.chain_sha256).where(
                        revisions.c.assessment_id == assessment_id, revisions.c.number == base
                    )
                ).scalar_one()
                revision = _insert_revision(conn, assessment_id, number, actor, now, status, text, previous)
                seq = self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="finalise" if status == "final" else "save",
                    assessment_id=assessment_id,
                    revision=number,
                    detail="",
                    at=now,
                    revision_sha256=revision.chain_sha256,
                    case_id=moved.case_id,
                )
                if referred_to:
                    referred = NewEvent(
                        agency_id, REFERRED, moved.case_id, assessment_id, number, partners=tuple(sorted(referred_to))
                    )
                    append_event(conn, referred, now)
                self._seal(conn, assessment_id, seq, (_state(moved), revision.chain_sha256))
        except IntegrityError as exc:
            # the second guard: (assessment_id, number) is unique
            current_head = self.get_assessment(agency_id, assessment_id).head
            raise ConflictError(assessment_id, base, current_head) from exc
        return revision

    def countersign(
        self, agency_id: str, assessment_id: str, *, actor: str, comment: str | None = None
    ) -> AssessmentRecord:
        now = utc_now()
        with self._write() as conn:
            row = self._assessment_row(conn, agency_id, assessment_id)
            # recorded once: a second signature never replaces the first
            signed = conn.execute(
                update(assessments)
                .where(assessments.c.id == assessment_id, assessments.c.countersigned_by.is_(None))
                .values(countersigned_by=actor, countersigned_at=now, countersign_comment=comment)
            ).rowcount
            if signed != 1:
                raise StoreError(
                    Problem(Code.CONFLICT, f"assessment {assessment_id} is already countersigned", Location())
                )
            seq = self._audit(
                conn,
                agency_id=agency_id,
                actor=actor,
                action="countersign",
                assessment_id=assessment_id,
                revision=row.head,
                detail=comment or "",
                at=now,
            )
            self._seal(conn, assessment_id, seq)
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
        return [_event(r) for r in rows]

    # ------------------------------------------------------------------ integrity

    def verify(self, *, against: tuple[int, str] | None = None) -> list[Finding]:
        """Every inconsistency in the history: the sealed audit chain, each revision chain, each sealed state.

        `against`: the (seq, seal) of a checkpoint (`spj.store.checkpoint`): that entry must be there, unchanged.
        """
        with self._read() as conn:
            states = {r.id: _state(r) for r in conn.execute(select(assessments))}
            entries = conn.execution_options(yield_per=1000).execute(
                select(audit).order_by(audit.c.seq.is_(None), audit.c.seq, audit.c.id)
            )
            # verify_history reads the audit chain to its end before the revisions: one cursor at a time
            return verify_history(
                self.keyring,
                entries=(_entry(r) for r in entries),
                states=states,
                revisions=_revision_groups(conn),
                against=against,
            )

    def audit_head(self) -> tuple[int, str]:
        """The (seq, seal) of the newest audit entry: what a checkpoint keeps; (0, GENESIS) when there is none."""
        with self._read() as conn:
            last = conn.execute(
                select(audit.c.seq, audit.c.mac).where(audit.c.seq.is_not(None)).order_by(audit.c.seq.desc()).limit(1)
            ).first()
        return (last.seq, last.mac) if last else (0, GENESIS)

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
                    .returning(*assessments.c)  # the state as it now stands, under the row lock: what is sealed
                ).first()
                if moved is None:
                    raise ConflictError(assessment_id, base, self._assessment_row(conn, agency_id, assessment_id).head)
                previous = conn.execute(
                    select(revisions.c.chain_sha256).where(
                        revisions.c.assessment_id == assessment_id, revisions.c.number == base
                    )
                ).scalar_one()
                revision = _insert_revision(conn, assessment_id, number, actor, now, "final", text, previous)
                seq = self._audit(
                    conn,
                    agency_id=agency_id,
                    actor=actor,
                    action="update-status",
                    assessment_id=assessment_id,
                    revision=number,
                    detail="",
                    at=now,
                    revision_sha256=revision.chain_sha256,
                )
                self._seal(conn, assessment_id, seq, (_state(moved), revision.chain_sha256))
        except IntegrityError as exc:
            raise ConflictError(assessment_id, base, self.get_assessment(agency_id, assessment_id).head) from exc
        return revision


def _revision_groups(conn: Connection) -> Iterator[tuple[str, list[StoredRevision]]]:
    """Every revision, grouped by assessment, in number order (the query runs when first iterated)."""
    rows = conn.execution_options(yield_per=500).execute(
        select(revisions).order_by(revisions.c.assessment_id, revisions.c.number)
    )
    current: str | None = None
    batch: list[StoredRevision] = []
    for row in rows:
        if row.assessment_id != current:
            if current is not None:
                yield current, batch
            current, batch = row.assessment_id, []
        batch.append(_stored(row))
    if current is not None:
        yield current, batch


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


def _require_free_ref(conn: Connection, agency_id: str, case_id: str, external_ref: str | None) -> None:
    """Refuse an external reference that names another case of the agency (the unique index is the last guard)."""
    if external_ref is None:
        return
    taken = conn.execute(
        select(cases.c.id).where(
            cases.c.agency_id == agency_id, cases.c.external_ref == external_ref, cases.c.id != case_id
        )
    ).first()
    if taken is not None:
        raise duplicate_external_ref(external_ref)


def _metadata_json(metadata: dict[str, Any]) -> str | None:
    return json.dumps(metadata, ensure_ascii=False, sort_keys=True) if metadata else None


def _case(row: Row[Any]) -> Case:
    metadata = json.loads(row.metadata_json) if row.metadata_json else {}
    return Case(row.id, row.agency_id, row.created_at, row.created_by, row.external_ref, metadata)


def _user(row: Row[Any]) -> User:
    return User(row.id, row.username, row.display_name, row.role, row.agency_id, row.password_hash, row.session_epoch)


def _token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        row.id,
        row.agency_id,
        row.name,
        row.token_sha256,
        row.created_at,
        row.revoked_at,
        scope="read" if row.scope == "read" else "write",
        expires_at=row.expires_at,
    )


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
        countersign_comment=row.countersign_comment,
        state_seq=row.state_seq,
        state_key_id=row.state_key_id,
        state_mac=row.state_mac,
    )


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        row.id,
        row.at,
        row.actor_id,
        row.agency_id,
        row.action,
        row.assessment_id,
        row.revision,
        row.detail,
        seq=row.seq,
        assessment_seq=row.assessment_seq,
        revision_sha256=row.revision_sha256,
        key_id=row.key_id,
        prev_mac=row.prev_mac,
        mac=row.mac,
    )


def _entry(row: Row[Any]) -> StoredEntry:
    return StoredEntry(**_columns(row, StoredEntry))


def _state(row: Row[Any]) -> StoredState:
    return StoredState(**_columns(row, StoredState))


def _columns(row: Row[Any], record: Any) -> dict[str, Any]:
    """The row's columns named like the dataclass `record`'s fields (the seal's records mirror their tables)."""
    return {name: getattr(row, name) for name in record.__dataclass_fields__}


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
