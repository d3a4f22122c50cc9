"""Blind double rating of a real case (issue 10): a second rater rates the same case blind, then a consensus.

::

    first rating (draft or final) ──request──▶ second rating: a blank draft of the same case and instrument
          │                                     version, made by the second rater (its own assessment)
          └── both finalised ("submitted") ──▶ comparison per item (agree / adjacent / differ)
                                               ──consensus──▶ an amendment of the first rating carrying the
                                                              value agreed per differing item, with a note;
                                                              the assessor finalises it as usual

While the double rating is open (either rating not yet final), it is blind:

* the second rater sees no other assessment of the case: not the first rating,
  nor anything that could carry it (an amendment, an earlier assessment);
* the second rating is seen by its rater only: not by the first rater, nor by
  anyone else of the agency.

`blinding` says whether a user may see a record; `Workspace` asks it for every
assessment it reads, lists or writes, so every route (JSON API, pages, FHIR)
refuses the same way (`BlindedError`, 403 `blinded`). Another agency's records
are not found, as everywhere. Both original ratings stay as they were
(finals never change); the consensus is kept once (`spj.store.double_ratings`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from spj.assessment import Assessment
from spj.errors import Code, Location, Problem, SpjError
from spj.instrument import Instrument
from spj.service.auth import require_role
from spj.service.errors import BlindedError, ForbiddenError, InvalidRequestError, StateError
from spj.store.double_ratings import Consensus, ConsensusItem, DoubleRating
from spj.store.hashing import utc_now
from spj.store.interface import AssessmentRecord, NotFoundError, Role, Store, User

if TYPE_CHECKING:
    from spj.service.views import AssessmentView
    from spj.service.workspace import Workspace

COORDINATORS: tuple[Role, ...] = ("reviewer", "administrator")  # who may ask for a second rating of anyone's assessment
RATERS: tuple[Role, ...] = ("assessor", "reviewer", "administrator")
MAX_NOTE = 2000  # characters
Verdict = Literal["agree", "adjacent", "differ"]


class DoubleRatingError(InvalidRequestError):
    """A second rating or a consensus that cannot be made as asked (`double-rating`, 422), each problem at its field."""

    def __init__(self, message: str | list[Problem], *path: str | int) -> None:
        problems = (
            [Problem(Code.DOUBLE_RATING, message, Location(path=tuple(path)))] if isinstance(message, str) else message
        )
        SpjError.__init__(self, problems)


# ---- the blind rule ----------------------------------------------------------------------------------------


def is_open(store: Store, rating: DoubleRating) -> bool:
    """Whether the double rating is still blind: either rating is not final yet."""
    for assessment_id in (rating.first_id, rating.second_id):
        try:
            if store.get_assessment(rating.agency_id, assessment_id).status != "final":
                return True
        except NotFoundError:
            return True  # a rating that cannot be found is not submitted: stay blind
    return False


def hides(rating: DoubleRating, user: User, record: AssessmentRecord) -> bool:
    """Whether an *open* double rating hides `record` from `user` (the rule above)."""
    if record.case_id != rating.case_id or record.agency_id != rating.agency_id:
        return False
    if user.id == rating.second_rater:
        return record.id != rating.second_id
    return record.id == rating.second_id


def blinding(store: Store, user: User, record: AssessmentRecord) -> DoubleRating | None:
    """The open double rating that hides `record` from `user`, if any."""
    for rating in store.double_ratings.of_case(record.agency_id, record.case_id):
        if hides(rating, user, record) and is_open(store, rating):
            return rating
    return None


def require_unblinded(store: Store, user: User, record: AssessmentRecord) -> None:
    """`BlindedError` when an open double rating hides `record` from `user`."""
    if blinding(store, user, record) is not None:
        raise BlindedError(record.id)


def visible(store: Store, user: User, records: Iterable[AssessmentRecord]) -> list[AssessmentRecord]:
    """The records `user` may see: those no open double rating hides (a list says nothing of the others)."""
    kept = list(records)
    agencies = {r.agency_id for r in kept}
    ratings = [r for agency in agencies for r in store.double_ratings.of_agency(agency)]
    relevant = [r for r in ratings if user.id == r.second_rater or any(k.id == r.second_id for k in kept)]
    open_ratings = [r for r in relevant if is_open(store, r)]
    if not open_ratings:
        return kept
    return [k for k in kept if not any(hides(r, user, k) for r in open_ratings)]


def second_rating_ids(store: Store, agency_id: str) -> frozenset[str]:
    """The agency's second ratings: assessments of a double rating that count as no case assessment of their own
    (no referral, no programme figure, no earlier assessment in a report)."""
    return frozenset(r.second_id for r in store.double_ratings.of_agency(agency_id))


# ---- comparison --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemComparison:
    """One item rated in both ratings: an indicator's scale (`<indicator>.<scale>`) or a judgement."""

    item: str
    kind: Literal["indicator", "judgement"]
    target: str  # the indicator or judgement id
    scale: str | None
    levels: tuple[str, ...]  # in ordinal order, lowest first
    first: str | None  # None: omitted, not rated or left open
    second: str | None
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "kind": self.kind,
            "target": self.target,
            "scale": self.scale,
            "levels": list(self.levels),
            "first": self.first,
            "second": self.second,
            "verdict": self.verdict,
        }


def verdict(levels: tuple[str, ...], first: str | None, second: str | None) -> Verdict:
    """agree: the same (both unrated too); adjacent: neighbouring levels; differ: anything else.

    >>> verdict(("low", "moderate", "high"), "low", "moderate")
    'adjacent'
    >>> verdict(("low", "moderate", "high"), "low", None)
    'differ'
    """
    if first == second:
        return "agree"
    if first in levels and second in levels and abs(levels.index(first) - levels.index(second)) == 1:
        return "adjacent"
    return "differ"


def compare_ratings(instrument: Instrument, first: Assessment, second: Assessment) -> list[ItemComparison]:
    """Item by item, in instrument order: every indicator's scales, then every summary judgement."""
    out: list[ItemComparison] = []
    for indicator in instrument.indicators:
        for scale in indicator.rate:
            levels = tuple(level.code for level in sorted(instrument.scales[scale], key=lambda level: level.value))
            a, b = _code(first, indicator.id, scale), _code(second, indicator.id, scale)
            out.append(
                ItemComparison(
                    f"{indicator.id}.{scale}", "indicator", indicator.id, scale, levels, a, b, verdict(levels, a, b)
                )
            )
    for judgement in instrument.judgements:
        a, b = _level(first, judgement.id), _level(second, judgement.id)
        levels = tuple(judgement.levels)
        out.append(
            ItemComparison(
                f"judgement.{judgement.id}", "judgement", judgement.id, None, levels, a, b, verdict(levels, a, b)
            )
        )
    return out


def _code(assessment: Assessment, indicator: str, scale: str) -> str | None:
    rating = assessment.ratings.get(indicator)
    if rating is None or rating.omitted:
        return None
    code = rating.codes.get(scale)
    return code if isinstance(code, str) else None


def _level(assessment: Assessment, judgement: str) -> str | None:
    entry = assessment.judgements.get(judgement)
    return entry.level if entry is not None else None


# ---- consensus ---------------------------------------------------------------------------------------------


def consensus_items(
    items: list[ItemComparison], decisions: Mapping[str, tuple[str | None, str | None]]
) -> tuple[ConsensusItem, ...]:
    """The consensus per differing item from `decisions` ({item: (value, note)}); every problem raised at once.

    Each item on which the ratings differ (adjacent or differ) needs a value
    among its levels and a note; an item they agree on, or an unknown one, is refused.
    """
    problems: list[Problem] = []
    by_id = {i.item: i for i in items}
    for item_id in decisions:
        if item_id not in by_id:
            problems.append(
                Problem(
                    Code.DOUBLE_RATING, f"no item {item_id!r} in this instrument", Location(path=("decisions", item_id))
                )
            )
        elif by_id[item_id].verdict == "agree":
            problems.append(
                Problem(
                    Code.DOUBLE_RATING,
                    f"both ratings agree on {item_id}: there is nothing to decide",
                    Location(path=("decisions", item_id)),
                )
            )
    out = []
    for item in items:
        if item.verdict == "agree":
            continue
        value, note = decisions.get(item.item, (None, None))
        note = (note or "").strip().replace("\r\n", "\n")
        where = ("decisions", item.item)
        if value not in item.levels:
            problems.append(
                Problem(
                    Code.DOUBLE_RATING,
                    f"{item.item}: the ratings differ ({item.first or '—'} / {item.second or '—'}); choose the value "
                    f"agreed, one of {', '.join(item.levels)}",
                    Location(path=(*where, "value")),
                )
            )
        if not note:
            problems.append(
                Problem(
                    Code.DOUBLE_RATING,
                    f"{item.item}: say in a note how the consensus was reached",
                    Location(path=(*where, "note")),
                )
            )
        elif len(note) > MAX_NOTE:
            problems.append(
                Problem(
                    Code.DOUBLE_RATING,
                    f"{item.item}: the note has {len(note)} characters; at most {MAX_NOTE}",
                    Location(path=(*where, "note")),
                )
            )
        out.append(ConsensusItem(item.item, item.first, item.second, value, note))
    if problems:
        raise DoubleRatingError(problems)
    return tuple(out)


def with_consensus(
    content: dict[str, Any], items: Iterable[ConsensusItem], comparisons: list[ItemComparison]
) -> dict[str, Any]:
    """The first rating's content with the agreed value of each differing item (and the note on an indicator)."""
    by_id = {c.item: c for c in comparisons}
    ratings = {k: dict(v) for k, v in (content.get("ratings") or {}).items()}
    judgements = {k: dict(v) for k, v in (content.get("judgements") or {}).items()}
    for entry in items:
        item = by_id[entry.item]
        if item.kind == "indicator":
            rating = ratings.setdefault(item.target, {})
            rating.pop("omitted", None)
            rating.pop("reason", None)
            rating[item.scale or ""] = entry.value
            note = (rating.get("note") or "").strip()
            rating["note"] = f"{note}\n\n{entry.note}" if note else entry.note
        else:
            judgements.setdefault(item.target, {})["level"] = entry.value
    return {**content, "ratings": ratings, "judgements": judgements}


# ---- the desk ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairView:
    """A double rating as one user sees it: who, what state; the ratings themselves only when both are submitted."""

    rating: DoubleRating
    first: AssessmentRecord
    second: AssessmentRecord
    consensus: Consensus | None

    @property
    def submitted(self) -> bool:
        """Both ratings are final: the blind is lifted."""
        return self.first.status == "final" and self.second.status == "final"


class DoubleRatingDesk:
    """The double-rating actions of the workspace (`workspace.double_ratings`)."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace

    @property
    def _store(self) -> Store:
        return self._workspace.store

    def request(self, user: User, first_id: str, second_rater: str) -> PairView:
        """Ask `second_rater` (a username of the same agency) to rate the case of `first_id` blind.

        The assessor of the first rating or a coordinator (reviewer, administrator) asks. The second rater
        is staff of the same agency who wrote no revision of the first rating and never read it.
        """
        first = self._workspace.get(user, first_id)
        record = first.record
        authors = self._workspace.authors(record)
        if user.role not in COORDINATORS and user.id not in authors:
            raise ForbiddenError("a second rating is asked for by the assessor of the first rating or a coordinator")
        if self._store.double_ratings.of_assessment(record.agency_id, record.id) is not None:
            raise StateError(f"assessment {record.id} is part of a double rating already", code=Code.DOUBLE_RATING)
        rater = self._store.get_user_by_username(second_rater.strip())
        if rater is None or rater.agency_id != user.agency_id or rater.role not in RATERS:
            raise DoubleRatingError(f"no assessor {second_rater.strip()!r} in your agency", "second_rater")
        if rater.id in authors:
            raise DoubleRatingError(
                f"{rater.username} wrote the first rating: the second rater must be someone else", "second_rater"
            )
        if any(e.actor_id == rater.id for e in self._store.audit_events(record.agency_id, assessment_id=record.id)):
            raise DoubleRatingError(
                f"{rater.username} has seen the first rating: a blind second rating needs someone who has not",
                "second_rater",
            )
        second = self._workspace.start_second_rating(rater, first)
        rating = DoubleRating(
            id=f"DR-{uuid.uuid4().hex}",
            agency_id=record.agency_id,
            case_id=record.case_id,
            first_id=record.id,
            second_id=second.id,
            second_rater=rater.id,
            requested_by=user.id,
            requested_at=utc_now(),
        )
        self._store.double_ratings.add(rating)
        return self._pair(rating)

    def of(self, user: User, assessment_id: str) -> PairView | None:
        """The double rating an assessment the user may see belongs to (None: it belongs to none)."""
        record = self._workspace.record(user, assessment_id)
        rating = self._store.double_ratings.of_assessment(record.agency_id, record.id)
        return self._pair(rating) if rating is not None else None

    def get(self, user: User, rating_id: str) -> PairView:
        """One double rating of the user's agency (its state, not its ratings); to anyone else not found."""
        if user.role not in RATERS:  # a partner: as if it did not exist
            raise NotFoundError(f"double rating {rating_id}")
        return self._pair(self._store.double_ratings.get(user.agency_id, rating_id))

    def of_agency(self, user: User) -> list[PairView]:
        """The double ratings of the user's agency, oldest first; staff only."""
        require_role(user, *RATERS)
        return [self._pair(r) for r in self._store.double_ratings.of_agency(user.agency_id)]

    def comparison(self, user: User, rating_id: str) -> tuple[PairView, list[ItemComparison]]:
        """Both ratings side by side, item by item; only once both are submitted (the reads are audited)."""
        pair = self.get(user, rating_id)
        if not pair.submitted:
            raise StateError(
                f"double rating {rating_id} is still blind: both ratings must be final before they are compared",
                code=Code.BLINDED,
            )
        first = self._workspace.read(user, pair.first.id, what="comparison")
        second = self._workspace.read(user, pair.second.id, what="comparison")
        return pair, compare_ratings(first.instrument, _valid(first), _valid(second))

    def record_consensus(
        self, user: User, rating_id: str, decisions: Mapping[str, tuple[str | None, str | None]]
    ) -> tuple[PairView, AssessmentView]:
        """The assessor's consensus per differing item: an amendment of the first rating carrying it (a draft
        to finalise as usual), and the consensus kept beside both original ratings."""
        pair, items = self.comparison(user, rating_id)
        if user.role not in COORDINATORS and user.id not in self._workspace.authors(pair.first):
            raise ForbiddenError("the consensus is recorded by the assessor of the first rating or a coordinator")
        if pair.consensus is not None:
            raise StateError(f"the consensus of double rating {rating_id} is recorded already", code=Code.DOUBLE_RATING)
        kept = consensus_items(items, decisions)
        draft = self._workspace.amend(user, pair.first.id)
        content = with_consensus(draft.content, kept, items)
        saved = self._workspace.save(user, draft.id, draft.head, content)
        consensus = Consensus(rating_id, user.agency_id, saved.id, user.id, utc_now(), kept)
        self._store.double_ratings.add_consensus(consensus)
        return self._pair(pair.rating), saved

    def _pair(self, rating: DoubleRating) -> PairView:
        return PairView(
            rating,
            self._store.get_assessment(rating.agency_id, rating.first_id),
            self._store.get_assessment(rating.agency_id, rating.second_id),
            self._store.double_ratings.consensus_of(rating.agency_id, rating.id),
        )


def _valid(view: AssessmentView) -> Assessment:
    if view.assessment is None:
        raise StateError(f"assessment {view.id} is not valid for its instrument as it stands; it cannot be compared")
    return view.assessment


def quarter_of(moment: dt.datetime) -> str:
    """The calendar quarter of a moment: `2026-Q1`.

    >>> quarter_of(dt.datetime(2026, 5, 2))
    '2026-Q2'
    """
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
