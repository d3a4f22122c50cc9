"""The workspace: every action of the JSON API and the web pages, once, over a `Store`.

Each method takes the acting `User` and is scoped to `user.agency_id`: a case
or an assessment of another agency is `NotFoundError`, exactly as a missing
one. Content is validated with the engine (`spj.assessment`) before it is
stored; the store appends revisions and writes the audit rows.

>>> workspace = Workspace(MemoryStore(), InstrumentRegistry.from_folders())  # doctest: +SKIP
>>> view = workspace.create(user, "CASE-0001", "disengagement-trajectory", "1.0.0")  # doctest: +SKIP
>>> view = workspace.save(user, view.id, view.head, {**view.content, "formulation": "..."})  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from spj.assessment import Assessment
from spj.assessment.final_changes import DELIVERY_KEYS, changes_after_final, with_step_delivery
from spj.authoring.certification import default_register_path
from spj.disclosure import Deployment
from spj.disclosure.consultation import Consultation
from spj.errors import AssessmentError, Code, Location, Problem, did_you_mean
from spj.evaluation.caseload_model import CaseloadFigures
from spj.evaluation.comparison_model import Comparison
from spj.evaluation.evaluate import evaluate
from spj.evaluation.results import Evaluation
from spj.instrument import Instrument
from spj.report import SignOff, render_report
from spj.report.partners import partner_names
from spj.service import agreement, capacity, case_list, double_rating, lifecycle, programme, provenance, signoff
from spj.service import content as contents
from spj.service.auth import Auth, require_role
from spj.service.autosave import Autosave
from spj.service.cache import LruCache
from spj.service.consultations import ConsultationDesk
from spj.service.errors import (
    FinalChangedError,
    FinaliseRefusedError,
    InvalidContentError,
    InvalidRequestError,
    SaveConflictError,
    StateError,
)
from spj.service.instruments import InstrumentRegistry
from spj.service.limiter import PdfPool
from spj.service.progress import FormProgress, form_progress
from spj.service.referrals import ReferralDesk, referred_partners
from spj.service.telemetry import NoTelemetry, Telemetry
from spj.service.tokens import TokenGrant, TokenListing
from spj.service.views import AssessmentView
from spj.store.hashing import content_sha256
from spj.store.interface import (
    ApiToken,
    AssessmentFilter,
    AssessmentRecord,
    Case,
    ConflictError,
    NotFoundError,
    Revision,
    Role,
    Store,
    User,
)

STAFF: tuple[Role, ...] = ("assessor", "reviewer", "administrator")  # the assessing agency's own people
REPORT_FORMATS = ("html", "md", "pdf")


class Workspace:
    """The service layer of `spj serve`: accounts, cases, assessments, evaluations, reports.

    `deployment` (DESIGN 4.7), when given, is the register of partner agencies:
    a plan's partners must be listed there, and partners see their referrals
    (`referrals`, `spj.service.referrals`); `consultations` are the case
    consultations (art. 458ter Sw.) each agency may see (`spj.service.consultations`).
    Partner accounts see nothing else: every case or assessment is "not found" to them, listing or creating one
    is forbidden.
    """

    def __init__(
        self,
        store: Store,
        instruments: InstrumentRegistry,
        *,
        hasher: PasswordHasher | None = None,
        deployment: Deployment | None = None,
        consultations: Iterable[Consultation] = (),
        certification_register: Path | None = None,
    ) -> None:
        self.store = store
        self.instruments = instruments
        self.deployment = deployment
        self.certification_register = certification_register  # None: the user's state folder (`spj certify`)
        self.auth = Auth(store, hasher=hasher)
        # SQLite has one writer at a time and its busy handler sleeps with back-off: queueing writers on a lock
        # here instead keeps their order and the latency tail short. Other databases take writes in parallel.
        engine = getattr(store, "engine", None)
        self._serial_writes = engine is not None and getattr(engine.dialect, "name", "") == "sqlite"
        self._write_lock = threading.Lock()
        self._validated: LruCache[tuple[Assessment | None, list[Problem]]] = LruCache(512)
        self._evaluations: LruCache[Evaluation] = LruCache(512)
        self._progress: LruCache[FormProgress] = LruCache(1024)
        self.referrals = ReferralDesk(self)
        self.pdf = PdfPool.from_environment()  # PDFs: a few at a time, each within a time budget
        self.consultations = ConsultationDesk(self, consultations)
        self.autosave = Autosave(store)  # unsaved forms, kept apart from the revisions
        self.telemetry: Telemetry = NoTelemetry()  # the server's metrics put a counting one (spj.api.metrics)
        self.double_ratings = double_rating.DoubleRatingDesk(self)  # blind second ratings and their consensus

    # ---- accounts ---------------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, client: str | None = None) -> User | None:
        """The user with this username and password, or None (same cost for an unknown user).

        `TooManyAttemptsError` after repeated failures for the username or from `client` (an address).
        """
        return self.auth.authenticate(username, password, client=client)

    def end_sessions(self, user: User) -> int:
        """Sign `user` out of every session (sign-out, new password); the new session epoch."""
        return self.auth.end_sessions(user)

    def revoke_token(self, token_id: str) -> bool:
        """Revoke an API token by its id; False when there is no such token."""
        return self.auth.revoke_token(token_id)

    def user_from_token(self, token: str) -> User | None:
        """The account an API token acts for, or None."""
        return self.auth.user_from_token(token)

    def token_grant(self, token: str) -> TokenGrant | None:
        """The account an API token acts for and its record (scope, expiry), or None."""
        return self.auth.token_grant(token)

    def list_tokens(self, by: User) -> list[TokenListing]:
        """The API tokens of an administrator's agency (never the tokens themselves)."""
        return self.auth.list_tokens(by)

    def revoke_agency_token(self, by: User, token_id: str) -> TokenListing:
        """Revoke a token of an administrator's agency; another agency's is `NotFoundError`."""
        return self.auth.revoke_agency_token(by, token_id)

    def create_user(
        self,
        *,
        username: str,
        password: str,
        role: Role,
        agency_id: str,
        display_name: str | None = None,
        by: User | None = None,
    ) -> User:
        """A new account (argon2-hashed password); `by`, when given, must administer the same agency."""
        return self.auth.create_user(
            username=username, password=password, role=role, agency_id=agency_id, display_name=display_name, by=by
        )

    def create_token(
        self,
        user: User,
        *,
        label: str = "api",
        by: User | None = None,
        scope: str = "write",
        expires_in: dt.timedelta | None = None,
    ) -> tuple[ApiToken, str]:
        """A new API token acting for `user`: (record, token); the token is shown once.

        `scope` `read` allows GET only; `expires_in` is its lifetime (None: until revoked).
        """
        return self.auth.create_token(user, label=label, by=by, scope=scope, expires_in=expires_in)

    # ---- instruments ------------------------------------------------------------------------------------

    def list_instruments(self) -> list[Instrument]:
        """The instruments assessments can be made with."""
        return self.instruments.list()

    def get_instrument(self, instrument_id: str, version: str) -> Instrument:
        """One instrument; `NotFoundError` when there is none."""
        return self.instruments.get(instrument_id, version)

    # ---- cases and assessments --------------------------------------------------------------------------

    def list_cases(self, user: User) -> list[Case]:
        """The cases of the user's agency."""
        require_role(user, *STAFF)
        return self.store.list_cases(user.agency_id)

    def search_cases(self, user: User, query: case_list.CaseQuery) -> list[tuple[Case, list[AssessmentRecord]]]:
        """The agency's cases matching `query`, each with its matching assessments, most recent first."""
        require_role(user, *STAFF)
        cases = self.store.list_cases(user.agency_id)
        records = double_rating.visible(self.store, user, self.store.list_assessments(user.agency_id))
        return case_list.matching_cases(cases, records, query, user.id)

    def draft_progress(self, user: User, records: Iterable[AssessmentRecord]) -> dict[str, FormProgress]:
        """How far each draft among `records` is, by the form's rule (an indicator done when all it rates is filled).

        Only drafts of the user's agency; a count, not content, so the read is not audited. A draft whose
        instrument is no longer registered has no progress.
        """
        require_role(user, *STAFF)
        found: dict[str, FormProgress] = {}
        for record in records:
            if record.status != "draft" or record.agency_id != user.agency_id:
                continue
            try:
                instrument = self.instruments.get(record.instrument_id, record.instrument_version)
            except NotFoundError:
                continue
            revision = self.store.get_revision(user.agency_id, record.id)
            key = (instrument.sha256, revision.content_sha256)
            found[record.id] = self._progress.get_or_make(
                key, functools.partial(form_progress, instrument, revision.content)
            )
        return found

    def open_drafts_of_case(self, user: User, case_id: str) -> list[AssessmentRecord]:
        """The open drafts of a case of the user's agency, found whatever the case or spacing of `case_id`."""
        require_role(user, *STAFF)
        canonical = case_list.canonical_case_id(case_id, self.store.list_cases(user.agency_id))
        records = self.store.list_assessments(user.agency_id, case_id=canonical)
        return case_list.open_drafts(double_rating.visible(self.store, user, records))

    def get_case(self, user: User, case_id: str) -> Case:
        """One case of the user's agency."""
        return self.store.get_case(self._agency(user, f"case {case_id}"), case_id)

    def list_assessments(
        self, user: User, case_id: str | None = None, *, where: AssessmentFilter | None = None, after: str | None = None
    ) -> list[AssessmentRecord]:
        """The assessments of the user's agency (of one case, when given), filtered by `where`.

        `after` is the id of the last assessment of the previous page: the list goes on from there. An id that
        names no assessment of the agency is an `InvalidRequestError` at `query.cursor`.
        """
        if case_id is not None:
            self.store.get_case(self._agency(user, f"case {case_id}"), case_id)
        require_role(user, *STAFF)
        agency_id = user.agency_id
        where = where or AssessmentFilter()
        if after is not None:
            try:
                last = self.store.get_assessment(agency_id, after)
            except NotFoundError as exc:
                raise InvalidRequestError("unknown cursor: start again without one", "query", "cursor") from exc
            where = dataclasses.replace(where, after=(last.created_at, last.id))
        return self._visible_page(user, case_id, where)

    def _visible_page(self, user: User, case_id: str | None, where: AssessmentFilter) -> list[AssessmentRecord]:
        """The records the user may see (`double_rating.visible`), `where.limit` of them when there are as many:
        a page is filled past the records an open double rating hides, so that a page is never cut short."""
        found: list[AssessmentRecord] = []
        batch_where = where
        while True:
            batch = self.store.list_assessments(user.agency_id, case_id=case_id, where=batch_where)
            found.extend(double_rating.visible(self.store, user, batch))
            if where.limit is None or len(batch) < where.limit or len(found) >= where.limit:
                return found if where.limit is None else found[: where.limit]
            last = batch[-1]
            batch_where = dataclasses.replace(batch_where, after=(last.created_at, last.id))

    def create(
        self,
        user: User,
        case_id: str,
        instrument_id: str,
        version: str,
    ) -> AssessmentView:
        """Start a blank draft for a case (created in the user's agency when new); its id is generated."""
        require_role(user, *STAFF)
        instrument = self.instruments.get(instrument_id, version)
        # "JA-ANTW-1 " and "ja-antw-1" are one case: the id the agency first used is kept.
        case_id = case_list.canonical_case_id(case_id, self.store.list_cases(user.agency_id))
        contents.check_identifier(case_id, "case_id")
        assessment_id = self._new_id()
        self._ensure_case(user, case_id)
        content = contents.blank_content(instrument, assessment_id=assessment_id, case_id=case_id, user=user)
        return self._create(user, instrument, content, case_id=case_id)

    def start_second_rating(self, rater: User, first: AssessmentView) -> AssessmentView:
        """A blank draft of the first rating's case and instrument version, made by (and for) the second rater
        (`spj.service.double_rating`, which decided that they may)."""
        content = contents.blank_content(
            first.instrument, assessment_id=self._new_id(), case_id=first.record.case_id, user=rater
        )
        return self._create(rater, first.instrument, content, case_id=first.record.case_id)

    def reassess(self, user: User, previous_id: str) -> AssessmentView:
        """A new draft for the same case, from a final assessment: ratings and evidence carried over for review."""
        previous = self.get(user, previous_id)
        lifecycle.require_reassessable(previous.record)
        content = contents.carried_over(
            previous.content,
            previous.instrument,
            assessment_id=self._new_id(),
            user=user,
            previous_id=previous.id,
        )
        return self._create(
            user, previous.instrument, content, case_id=previous.record.case_id, previous_id=previous.id
        )

    def amend(self, user: User, final_id: str) -> AssessmentView:
        """A new draft that corrects a final assessment (which stays locked): everything carried over."""
        final = self.get(user, final_id)
        lifecycle.require_amendable(final.record)
        content = contents.carried_over(
            final.content,
            final.instrument,
            assessment_id=self._new_id(),
            user=user,
            previous_id=final.record.previous_id,
            amends_id=final.id,
            keep_judgements=True,
        )
        return self._create(
            user,
            final.instrument,
            content,
            case_id=final.record.case_id,
            previous_id=final.record.previous_id,
            amends_id=final.id,
        )

    def get(self, user: User, assessment_id: str) -> AssessmentView:
        """The assessment at its head revision, validated."""
        record = self.record(user, assessment_id)
        revision = self.store.get_revision(record.agency_id, assessment_id)
        return self._view(record, revision)

    def record(self, user: User, assessment_id: str) -> AssessmentRecord:
        """The record of an assessment the user may see: of their agency (else `NotFoundError`), and not sealed
        by an open blind double rating (else `BlindedError`, `spj.service.double_rating`). Every read and write
        of an assessment goes through here."""
        record = self.store.get_assessment(self._agency(user, f"assessment {assessment_id}"), assessment_id)
        double_rating.require_unblinded(self.store, user, record)
        return record

    def head_of(self, record: AssessmentRecord) -> AssessmentView:
        """The head revision of `record`, validated: for the service's own use (referrals), not scoped to a user."""
        return self._view(record, self.store.get_revision(record.agency_id, record.id))

    def evaluation_of(self, view: AssessmentView) -> Evaluation:
        """The evaluation of a valid view (cached by content); `AssessmentError` for an invalid one."""
        return self._evaluation(view)

    def read(self, user: User, assessment_id: str, *, what: str = "") -> AssessmentView:
        """The assessment at its head revision for the user to see: like `get`, and the read is audited.

        The audit row's action is `read`, or `read-<what>` for another view of
        it (`evaluation`, `history`, `changes`, `preview`, `report-page`, ...).
        """
        view = self.get(user, assessment_id)
        self.audit_read(user, view, what=what)
        return view

    def audit_read(self, user: User, view: AssessmentView, *, what: str = "") -> None:
        """Record that `user` was shown content of the assessment of `view` (see `read`); no content is logged."""
        self.store.record(
            user.agency_id,
            actor=user.id,
            action=f"read-{what}" if what else "read",
            assessment_id=view.id,
            revision=view.head,
            detail="",
        )

    def save(self, user: User, assessment_id: str, base_revision: int, content: Any) -> AssessmentView:
        """Save a draft as a new revision on top of `base_revision`.

        Refused with `InvalidContentError` (each problem at its field) when the
        content is not a valid draft, `SaveConflictError` (carrying the content
        and the current head) when someone saved in between, `LockedError` when
        the assessment is final.
        """
        record, instrument, data = self._prepare(user, assessment_id, content, status="draft")
        _, problems = self._check(data, instrument)
        if problems:
            raise InvalidContentError(problems, data)
        try:
            with self._writing():
                revision = self.store.save_revision(
                    user.agency_id, assessment_id, base=base_revision, content=data, actor=user.id
                )
        except ConflictError as exc:
            raise self._conflict(user, assessment_id, base_revision, data) from exc
        self.telemetry.saved("draft")
        return self._view(dataclasses.replace(record, head=revision.number, updated_at=revision.created_at), revision)

    def finalise(self, user: User, assessment_id: str, base_revision: int, content: Any) -> AssessmentView:
        """Save `content` as the final revision and lock the assessment.

        Refused with `FinaliseRefusedError` listing every reason while the
        assessment is incomplete (an indicator neither rated nor omitted, a
        judgement or rationale missing, a proposed step of the plan not
        decided, no review date, ...).
        """
        _, instrument, data = self._prepare(user, assessment_id, content, status="final")
        assessment, problems = self._check(data, instrument)
        if problems or assessment is None:
            raise FinaliseRefusedError(problems, data)
        partners = sorted(set(referred_partners(assessment)))
        self.store.referrals.index(user.agency_id, assessment_id, partners)
        try:
            with self._writing():
                revision = self.store.finalise(
                    user.agency_id, assessment_id, base=base_revision, content=data, actor=user.id, referred_to=partners
                )
        except ConflictError as exc:
            raise self._conflict(user, assessment_id, base_revision, data) from exc
        self.telemetry.saved("final")
        return self._view(self.store.get_assessment(user.agency_id, assessment_id), revision)

    def update_status(
        self, user: User, assessment_id: str, base_revision: int, step_id: str, delivery: dict[str, Any]
    ) -> AssessmentView:
        """On a final assessment: where the delivery of one step of its agreed plan stands, as a new revision.

        `delivery` holds the fields to change (`status`, `status_reason`,
        `started_on`, `ended_on`; None removes one). Refused with `StateError`
        (`not-final`) on a draft, `AssessmentError` (`unknown-intervention`) for
        a step that is not agreed in the plan, `InvalidContentError` when the
        result is not valid (a step stopped without a reason), and as
        `update_delivery` otherwise.
        """
        unknown = sorted(set(delivery) - set(DELIVERY_KEYS))
        if unknown:
            raise InvalidRequestError(f"{unknown[0]!r} is not a delivery field; use {', '.join(DELIVERY_KEYS)}")
        view = self._final_of(user, assessment_id)
        agreed = self._evaluation(view).agreed_plan
        agreed_ids = [s.id for s in agreed.steps] if agreed is not None else []
        content = with_step_delivery(view.content, step_id, **delivery) if step_id in agreed_ids else None
        if content is None:
            declined = agreed is not None and step_id in {d.id for d in agreed.declined}
            raise AssessmentError(
                Problem(
                    Code.UNKNOWN_INTERVENTION,
                    f"{step_id!r} is declined in the agreed plan; only agreed steps are delivered"
                    if declined
                    else f"no step {step_id!r} in the agreed plan" + did_you_mean(step_id, agreed_ids),
                    Location(path=("step",)),
                )
            )
        return self._append_update(user, view, base_revision, content)

    def update_delivery(self, user: User, assessment_id: str, base_revision: int, content: Any) -> AssessmentView:
        """Append `content` to a final assessment as a status update, on top of `base_revision`.

        The rule of a final assessment: nothing but the delivery of its plan's
        steps may change (`spj.assessment.final_changes`); anything else is
        `FinalChangedError` (423, one `locked` problem per path). The result is
        validated like a final; `SaveConflictError` when someone saved in between.
        """
        return self._append_update(user, self._final_of(user, assessment_id), base_revision, content)

    def _final_of(self, user: User, assessment_id: str) -> AssessmentView:
        """The final assessment a status update is for: of the user's agency, by its staff; else refused."""
        view = self.get(user, assessment_id)
        require_role(user, *STAFF)
        if not view.final:
            raise StateError(
                f"assessment {assessment_id} is a draft: update its plan on the plan page (or by saving it)",
                code=Code.NOT_FINAL,
            )
        return view

    def _append_update(self, user: User, view: AssessmentView, base_revision: int, content: Any) -> AssessmentView:
        data = contents.as_json_data(content)
        changed = changes_after_final(view.content, data)
        if changed:
            raise FinalChangedError(view.id, changed)
        assessment, problems = self._check(data, view.instrument)
        if problems or assessment is None:
            raise InvalidContentError(problems, data)
        self.store.referrals.index(user.agency_id, view.id, referred_partners(assessment))
        try:
            with self._writing():
                revision = self.store.append_status_update(
                    user.agency_id, view.id, base=base_revision, content=data, actor=user.id
                )
        except ConflictError as exc:
            # The assessment is final already: a stale base here is someone else's update, not a lock.
            head = self.store.get_revision(user.agency_id, view.id)
            raise SaveConflictError(view.id, base_revision, head, data) from exc
        record = dataclasses.replace(view.record, head=revision.number, updated_at=revision.created_at)
        return self._view(record, revision)

    def preview(self, user: User, assessment_id: str, content: Any) -> tuple[Evaluation | None, list[Problem]]:
        """Evaluate unsaved content (the live panel of the form): (evaluation, []) or (None, problems)."""
        _, instrument, data = self._prepare(user, assessment_id, content, status="draft")
        assessment, problems = self._validate(data, instrument)
        if assessment is None:
            return None, problems
        return self._evaluate(instrument, assessment), []

    def evaluate(self, user: User, assessment_id: str) -> Evaluation:
        """The evaluation of the head revision (DESIGN 4.3 via `Evaluation.to_dict()`)."""
        view = self.get(user, assessment_id)
        return self._evaluation(view)

    def report(self, user: User, assessment_id: str, format: str = "html", lang: str | None = None) -> str | bytes:
        """The narrative report of the head revision (PDF as bytes); the read is audited."""
        return self.report_with_revision(user, assessment_id, format, lang)[0]

    def report_with_revision(
        self, user: User, assessment_id: str, format: str = "html", lang: str | None = None
    ) -> tuple[str | bytes, int]:
        """The report of the head revision (as `report`) and the number of the revision it was rendered from."""
        if format not in REPORT_FORMATS:
            raise AssessmentError(
                Problem(
                    Code.INVALID_REQUEST,
                    f"unknown report format {format!r}; use html, md or pdf",
                    Location(path=("format",)),
                )
            )
        view = self.get(user, assessment_id)
        evaluation = self._evaluation(view)
        assert view.assessment is not None  # _evaluation refuses an invalid one
        rendered = render_report(
            view.instrument,
            view.assessment,
            evaluation,
            format="html" if format == "pdf" else format,
            lang=lang,
            history=self.earlier(user, assessment_id),
            signoff=self.sign_off(user, view),
            partners=partner_names(self.deployment, lang or view.instrument.default_language),
        )
        if format == "pdf":  # made by a worker, bounded in number and time (BusyError: 503 with Retry-After)
            assert isinstance(rendered, str)
            rendered = self.pdf.render(rendered)
        self.store.record(
            user.agency_id,
            actor=user.id,
            action="read-report",
            assessment_id=assessment_id,
            revision=view.head,
            detail=f"format={format} lang={lang or view.instrument.default_language}",
        )
        return rendered, view.head

    def earlier(self, user: User, assessment_id: str) -> list[tuple[Assessment, Evaluation]]:
        """The final assessments of the same case made before this one (same instrument), oldest first.

        What the report and the workspace compare against: changes since the
        last assessment, a chart per life area across all of them.
        """
        record = self.record(user, assessment_id)
        out = []
        seconds = double_rating.second_rating_ids(self.store, user.agency_id)  # no case assessment of their own
        others = double_rating.visible(
            self.store, user, self.store.list_assessments(user.agency_id, case_id=record.case_id)
        )
        for other in sorted(others, key=lambda r: r.created_at):
            if (
                other.id == record.id
                or other.id in seconds
                or other.status != "final"
                or other.created_at >= record.created_at
                or (other.instrument_id, other.instrument_version) != (record.instrument_id, record.instrument_version)
            ):
                continue
            view = self._view(other, self.store.get_revision(user.agency_id, other.id))
            if view.assessment is not None:
                out.append((view.assessment, self._evaluation(view)))
        return out

    def changes(self, user: User, assessment_id: str, *, lang: str | None = None) -> Comparison | None:
        """What changed since the assessment this one reassesses (None when it reassesses none).

        Raises `AssessmentError` when either assessment is not valid as it stands.
        """
        from spj.evaluation.compare import compare

        current = self.get(user, assessment_id)
        previous_id = current.record.previous_id
        if previous_id is None:
            return None
        previous = self.read(user, previous_id, what="changes")  # the earlier assessment is shown too
        if previous.assessment is None or current.assessment is None:
            raise AssessmentError(previous.problems + current.problems)
        return compare(
            current.instrument,
            (previous.assessment, self._evaluation(previous)),
            (current.assessment, self._evaluation(current)),
            lang=lang,
        )

    def signed_in(self, user_id: str, session_epoch: object = None) -> User | None:
        """The account a signed session names; None if it no longer exists or the session is over.

        A session is over when it was signed at another epoch than the account's
        current one (the account signed out, or its password changed, since).
        """
        user = self.store.get_user(user_id)
        if user is None or type(session_epoch) is not int or session_epoch != user.session_epoch:
            return None
        return user

    def person(self, viewer: User, user_id: str) -> User | None:
        """Another account of the viewer's agency (an author, a countersigner), or None."""
        other = self.store.get_user(user_id)
        return other if other is not None and other.agency_id == viewer.agency_id else None

    def history(self, user: User, assessment_id: str) -> list[Revision]:
        """Every revision of the assessment, oldest first."""
        return self.store.list_revisions(self.record(user, assessment_id).agency_id, assessment_id)

    def revisions(self, user: User, assessment_id: str, *numbers: int) -> list[Revision]:
        """Chosen revisions of the assessment, with their content, for the user to read (each read audited)."""
        found = {r.number: r for r in self.history(user, assessment_id)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise NotFoundError(f"revision {missing[0]} of assessment {assessment_id}")
        for number in dict.fromkeys(numbers):
            self.store.record(
                user.agency_id,
                actor=user.id,
                action="read-revision",
                assessment_id=assessment_id,
                revision=number,
                detail="",
            )
        return [found[n] for n in numbers]

    def countersign(self, user: User, assessment_id: str, comment: str | None = None) -> AssessmentRecord:
        """A reviewer's (or administrator's) countersignature on a final assessment made by someone else.

        `comment`: optional, at most `signoff.MAX_COMMENT` characters; sealed with the countersignature.
        """
        record = self.record(user, assessment_id)
        lifecycle.require_countersignable(user, record, self.authors(record))
        kept = signoff.clean_comment(comment)
        with self._writing():
            return self.store.countersign(user.agency_id, assessment_id, actor=user.id, comment=kept)

    def return_to_assessor(self, user: User, assessment_id: str, comment: str) -> signoff.Return:
        """Instead of countersigning, a reviewer returns a final assessment with comments (an audited event).

        Whoever may countersign it may return it. The final stays as it is: the assessor amends it.
        """
        # First whether the user may see it at all: another agency's assessment is not found, whatever was posted.
        record = self.record(user, assessment_id)
        lifecycle.require_countersignable(user, record, self.authors(record))
        kept = signoff.clean_comment(comment, required=True) or ""
        self.store.record(
            user.agency_id,
            actor=user.id,
            action=signoff.RETURN_ACTION,
            assessment_id=assessment_id,
            revision=record.head,
            detail=kept,
        )
        return signoff.returns(self.store.audit_events(user.agency_id, assessment_id=assessment_id))[-1]

    def returns(self, user: User, assessment_id: str) -> list[signoff.Return]:
        """The returns to the assessor of an assessment, oldest first."""
        agency = self.record(user, assessment_id).agency_id
        return signoff.returns(self.store.audit_events(agency, assessment_id=assessment_id))

    def sign_off(self, user: User, view: AssessmentView) -> SignOff:
        """Who assessed (the author who finalised it) and countersigned the assessment, by display name."""
        record = view.record
        finaliser = next((r.author_id for r in self.history(user, record.id) if r.status == "final"), None)
        return SignOff(
            assessor=self._display_name(user, finaliser or record.created_by),
            finalised_at=record.finalised_at,
            countersigner=self._display_name(user, record.countersigned_by) if record.countersigned_by else None,
            countersigned_at=record.countersigned_at,
            comment=record.countersign_comment,
        )

    def _display_name(self, viewer: User, user_id: str) -> str:
        other = self.person(viewer, user_id)
        return other.display_name if other is not None and other.display_name else user_id

    def may_countersign(self, user: User, view: AssessmentView) -> bool:
        """Whether `user` may countersign the assessment of `view` now (what a page offers)."""
        return lifecycle.countersign_refusal(user, view.record, self.authors(view.record)) is None

    def authors(self, record: AssessmentRecord) -> frozenset[str]:
        """Every account that wrote a revision of the assessment or of an assessment it amends (the chain).

        Four eyes: none of them countersigns it (`lifecycle.countersign_refusal`).
        """
        authors: set[str] = set()
        seen: set[str] = set()
        current: AssessmentRecord | None = record
        while current is not None and current.id not in seen:
            seen.add(current.id)
            authors.add(current.created_by)
            authors.update(r.author_id for r in self.store.list_revisions(current.agency_id, current.id))
            amends = current.amends_id
            current = self.store.get_assessment(current.agency_id, amends) if amends else None
        return frozenset(authors)

    # ---- programme evaluation -------------------------------------------------------------------------

    def programme_figures(self, user: User) -> list[programme.ProgrammeSection]:
        """The figures per intervention over the final assessments of the user's agency, one section per
        instrument and version (`spj.service.programme`); small cells suppressed, no case named. Staff only."""
        require_role(user, *STAFF)
        return programme.sections_of(self, user.agency_id, viewer=user)

    def agreement_over_time(self, user: User) -> list[agreement.AgreementCell]:
        """Agreement over time of the agency's submitted double ratings, per instrument version and quarter
        (`spj.service.agreement`); small cells suppressed, no case or rater named. Staff only."""
        require_role(user, *STAFF)
        return agreement.agreement_cells(self, user.agency_id)

    def capacity_figures(self, user: User, *, as_of: dt.date | None = None) -> CaseloadFigures:
        """Caseload and capacity over the assessments of the user's agency (`spj.service.capacity`): cases per
        year, open cases per pseudonymised expert, partner demand against capacity; small cells suppressed, no
        case named. Staff only; `TooFewCasesError` (`too-few-cases`) below 5 cases."""
        require_role(user, *STAFF)
        register = self.certification_register or default_register_path()
        return capacity.capacity_of(self, user.agency_id, as_of=as_of or dt.date.today(), register=register)

    # ---- helpers ----------------------------------------------------------------------------------------

    @staticmethod
    def _agency(user: User, what: str) -> str:
        """The agency whose records the user works on; for a partner account none: `what` is not found."""
        if user.role not in STAFF:
            raise NotFoundError(what)
        return user.agency_id

    @staticmethod
    def _new_id() -> str:
        """A new assessment id: random (uuid4), so an id tells nothing and cannot be guessed or probed."""
        return f"A-{uuid.uuid4().hex}"

    def _ensure_case(self, user: User, case_id: str) -> None:
        try:
            self.store.get_case(user.agency_id, case_id)
        except NotFoundError:
            self.store.create_case(user.agency_id, case_id, actor=user.id)

    def _create(
        self,
        user: User,
        instrument: Instrument,
        content: dict[str, Any],
        *,
        case_id: str,
        previous_id: str | None = None,
        amends_id: str | None = None,
    ) -> AssessmentView:
        with self._writing():
            record, revision = self.store.create_assessment(
                user.agency_id,
                assessment_id=content["id"],
                case_id=case_id,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                content=content,
                actor=user.id,
                previous_id=previous_id,
                amends_id=amends_id,
            )
        return self._view(record, revision)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        if not self._serial_writes:
            yield
            return
        with self._write_lock:
            yield

    def _prepare(
        self, user: User, assessment_id: str, content: Any, *, status: str
    ) -> tuple[AssessmentRecord, Instrument, dict[str, Any]]:
        record = self.record(user, assessment_id)
        lifecycle.require_editable(record)
        instrument = self.instruments.get(record.instrument_id, record.instrument_version)
        data = contents.with_identity(contents.as_json_data(content), record, instrument, status)
        head = self.store.get_revision(record.agency_id, record.id).content
        origin = provenance.provenance_of(record, self.store.get_user(record.created_by), head)
        return record, instrument, provenance.with_provenance(data, origin, head)

    def _conflict(self, user: User, assessment_id: str, base: int, data: dict[str, Any]) -> SaveConflictError:
        """The conflict to report for a write refused for its stale base; `LockedError` if it became final."""
        lifecycle.require_editable(self.store.get_assessment(user.agency_id, assessment_id))
        head = self.store.get_revision(user.agency_id, assessment_id)
        # the conflict shows the head's content (someone else's work) to this user: a read
        self.store.record(
            user.agency_id,
            actor=user.id,
            action="read-conflict",
            assessment_id=assessment_id,
            revision=head.number,
            detail="",
        )
        return SaveConflictError(assessment_id, base, head, data)

    def _validate(self, data: dict[str, Any], instrument: Instrument) -> tuple[Assessment | None, list[Problem]]:
        return contents.problems_of(data, instrument)

    def _check(self, data: dict[str, Any], instrument: Instrument) -> tuple[Assessment | None, list[Problem]]:
        """The validated assessment and every reason to refuse saving `data`: the content's problems, then its
        plan's (a final only) and partners'. The referral index is written before a final revision, from this
        assessment.

        A draft's plan findings (DESIGN 4.6: an undecided or unknown step, a
        decision without its reason, ...) are warnings, not refusals: the draft
        is saved and its agreed plan carries them (`agreed_plan.findings`), for
        the plan page and the API to show; finalising refuses every one.
        """
        assessment, problems = self._validate(data, instrument)
        if assessment is None:
            return None, problems
        problems = contents.partner_problems(assessment, self.deployment)
        if assessment.status != "final":
            return assessment, problems
        key = (instrument.sha256, content_sha256(data))
        evaluation = self._evaluations.get_or_make(key, lambda: self._evaluate(instrument, assessment))
        return assessment, contents.plan_problems(evaluation.agreed_plan) + problems

    def _view(self, record: AssessmentRecord, revision: Revision) -> AssessmentView:
        instrument = self.instruments.get(record.instrument_id, record.instrument_version)
        key = (instrument.sha256, revision.content_sha256)
        assessment, problems = self._validated.get_or_make(
            key, lambda: contents.problems_of(revision.content, instrument)
        )
        if assessment is not None:
            assessment = provenance.attested(assessment, record, lambda: self.store.get_user(record.created_by))
        return AssessmentView(record, revision, instrument, assessment, list(problems))

    def _evaluation(self, view: AssessmentView) -> Evaluation:
        if view.assessment is None:
            raise AssessmentError(view.problems)
        assessment = view.assessment
        key = (view.instrument.sha256, view.revision.content_sha256)
        return self._evaluations.get_or_make(key, lambda: self._evaluate(view.instrument, assessment))

    def _evaluate(self, instrument: Instrument, assessment: Assessment) -> Evaluation:
        self.telemetry.evaluated()
        return evaluate(instrument, assessment)
