"""Blind double rating of real cases (issue 10, point 4): the second rating, the blind, the consensus, agreement.

Driven through the workspace over each store (memory, SQLite, PostgreSQL when configured). Synthetic data only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import FAST_HASHER, INSTRUMENT_ID, PASSWORD, VERSION, People, completed
from databases import STORE_KINDS, database_url

from spj.errors import SpjError
from spj.service import ForbiddenError, InstrumentRegistry, StateError, Workspace
from spj.service.double_rating import DoubleRatingError, PairView
from spj.service.errors import BlindedError
from spj.store import MemoryStore, SqlStore, User
from spj.store.double_ratings import CONSENSUS_ACTION, REQUEST_ACTION
from spj.store.interface import NotFoundError

CASE = "CASE-DR-1"


@pytest.fixture(params=STORE_KINDS)
def workspace(request: pytest.FixtureRequest, registry: InstrumentRegistry) -> Iterator[Workspace]:
    store = MemoryStore() if request.param == "memory" else SqlStore(database_url(request.param, request))
    try:
        yield Workspace(store, registry, hasher=FAST_HASHER)
    finally:
        if isinstance(store, SqlStore):
            store.close()


@pytest.fixture
def bert(workspace: Workspace, people: People) -> User:
    """A second assessor of agency A: the second rater."""
    return workspace.create_user(username="bert", password=PASSWORD, role="assessor", agency_id="agency-a")


def _first(workspace: Workspace, people: People, example: dict[str, Any], *, final: bool = True) -> str:
    view = workspace.create(people.alice, CASE, INSTRUMENT_ID, VERSION)
    if final:
        workspace.finalise(people.alice, view.id, view.head, completed(view, example))
    return view.id


def _rated_differently(content: dict[str, Any]) -> dict[str, Any]:
    """The second rater's view: EN1 presence one level up (P -> Y), EN2 two levels down (Y -> N), the rest alike."""
    content = copy.deepcopy(content)
    content["ratings"]["EN1"]["presence"] = "Y"
    content["ratings"]["EN2"]["presence"] = "N"
    return content


def _submit_second(workspace: Workspace, rater: User, pair: PairView, example: dict[str, Any]) -> None:
    view = workspace.get(rater, pair.second.id)
    workspace.finalise(rater, view.id, view.head, _rated_differently(completed(view, example)))


def _reads(workspace: Workspace, who: User, assessment_id: str) -> dict[str, Callable[[], object]]:
    """Every workspace call that shows (or writes) something of an assessment."""
    return {
        "get": lambda: workspace.get(who, assessment_id),
        "read": lambda: workspace.read(who, assessment_id),
        "evaluate": lambda: workspace.evaluate(who, assessment_id),
        "report": lambda: workspace.report(who, assessment_id, "md"),
        "history": lambda: workspace.history(who, assessment_id),
        "revisions": lambda: workspace.revisions(who, assessment_id, 1),
        "returns": lambda: workspace.returns(who, assessment_id),
        "earlier": lambda: workspace.earlier(who, assessment_id),
        "changes": lambda: workspace.changes(who, assessment_id),
        "preview": lambda: workspace.preview(who, assessment_id, {}),
        "save": lambda: workspace.save(who, assessment_id, 1, {}),
        "finalise": lambda: workspace.finalise(who, assessment_id, 1, {}),
        "amend": lambda: workspace.amend(who, assessment_id),
        "reassess": lambda: workspace.reassess(who, assessment_id),
        "countersign": lambda: workspace.countersign(who, assessment_id),
        "return": lambda: workspace.return_to_assessor(who, assessment_id, "Synthetic comment."),
        "status": lambda: workspace.update_delivery(who, assessment_id, 1, {}),
        "autosave": lambda: workspace.autosave.keep(who, assessment_id, 1, {}),
        "autosaved": lambda: workspace.autosave.kept(who, assessment_id),
        "double-rating": lambda: workspace.double_ratings.of(who, assessment_id),
    }


def test_a_second_rating_is_its_own_assessment_of_the_same_case_and_version(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example)
    pair = workspace.double_ratings.request(people.alice, first, " bert ")
    second = pair.second
    assert (second.case_id, second.instrument_id, second.instrument_version) == (CASE, INSTRUMENT_ID, VERSION)
    assert second.id != first and second.created_by == bert.id and second.status == "draft"
    assert workspace.get(bert, second.id).content["ratings"] == {}  # blank: nothing of the first carried over
    assert (pair.rating.first_id, pair.rating.second_rater, pair.rating.requested_by) == (
        first,
        bert.id,
        people.alice.id,
    )
    assert not pair.submitted and pair.consensus is None
    actions = [(e.action, e.assessment_id) for e in workspace.store.audit_events("agency-a")]
    assert (REQUEST_ACTION, first) in actions


@pytest.mark.parametrize("first_final", [True, False], ids=["first-final", "first-draft"])
def test_the_second_rater_sees_nothing_of_the_case_but_their_rating_while_it_is_open(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any], first_final: bool
) -> None:
    first = _first(workspace, people, example, final=first_final)
    pair = workspace.double_ratings.request(people.rita, first, "bert")  # a coordinator asks
    for name, call in _reads(workspace, bert, first).items():
        with pytest.raises(BlindedError) as caught:
            call()
        assert caught.value.codes == ["blinded"], name
    # a later amendment of the first rating would carry it: sealed as well
    if first_final:
        amendment = workspace.amend(people.alice, first)
        with pytest.raises(BlindedError):
            workspace.get(bert, amendment.id)
    listed = {r.id for r in workspace.list_assessments(bert)}
    assert first not in listed and pair.second.id in listed
    assert {r.id for _, records in workspace.search_cases(bert, _query()) for r in records} == {pair.second.id}
    assert workspace.earlier(bert, pair.second.id) == []
    # the programme figures the second rater sees leave the blinded case out; everyone else's count it
    assert workspace.programme_figures(bert) == []
    assert len(workspace.programme_figures(people.rita)) == (1 if first_final else 0)
    workspace.get(bert, pair.second.id)  # their own rating they see


def test_no_one_else_sees_the_second_rating_while_it_is_open(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example)
    second = workspace.double_ratings.request(people.alice, first, "bert").second.id
    for who in (people.alice, people.rita, people.adam):
        for name, call in _reads(workspace, who, second).items():
            with pytest.raises(BlindedError):
                call()
            assert name
        assert second not in {r.id for r in workspace.list_assessments(who)}
        assert second not in {r.id for r in workspace.open_drafts_of_case(who, CASE)}
    workspace.get(people.alice, first)  # the first rater still sees their own


def test_another_agency_finds_neither_rating(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example)
    pair = workspace.double_ratings.request(people.alice, first, "bert")
    for assessment_id in (first, pair.second.id):
        for call in _reads(workspace, people.bob, assessment_id).values():
            with pytest.raises(NotFoundError):
                call()
    with pytest.raises(NotFoundError):
        workspace.double_ratings.get(people.bob, pair.rating.id)
    with pytest.raises(NotFoundError):
        workspace.double_ratings.comparison(people.bob, pair.rating.id)
    assert workspace.double_ratings.of_agency(people.bob) == []


def test_the_blind_is_lifted_once_both_are_submitted_then_the_assessor_records_the_consensus(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example)
    pair = workspace.double_ratings.request(people.alice, first, "bert")
    with pytest.raises(StateError) as blind:
        workspace.double_ratings.comparison(people.alice, pair.rating.id)
    assert blind.value.codes == ["blinded"]
    _submit_second(workspace, bert, pair, example)
    workspace.get(bert, first)
    workspace.get(people.alice, pair.second.id)
    pair, items = workspace.double_ratings.comparison(people.alice, pair.rating.id)
    assert pair.submitted
    verdicts = {i.item: (i.first, i.second, i.verdict) for i in items}
    assert verdicts["EN1.presence"] == ("P", "Y", "adjacent")
    assert verdicts["EN2.presence"] == ("Y", "N", "differ")
    assert verdicts["EN3.presence"] == ("Y", "Y", "agree")
    assert {i.verdict for i in items if i.item not in ("EN1.presence", "EN2.presence")} == {"agree"}
    # every differing item needs a value and a note; an agreed or unknown item is refused: all said at once
    with pytest.raises(DoubleRatingError) as refused:
        workspace.double_ratings.record_consensus(
            people.alice,
            pair.rating.id,
            {"EN1.presence": ("Y", ""), "EN3.presence": ("Y", "x"), "XX.presence": ("Y", "x")},
        )
    paths = sorted(p.location.dotted_path for p in refused.value.problems)
    assert paths == sorted(
        [
            "decisions.EN1.presence.note",
            "decisions.EN2.presence.value",
            "decisions.EN2.presence.note",
            "decisions.EN3.presence",
            "decisions.XX.presence",
        ]
    )
    with pytest.raises(ForbiddenError):  # the second rater does not record the consensus
        workspace.double_ratings.record_consensus(bert, pair.rating.id, {})
    decisions = {
        "EN1.presence": ("Y", "Synthetic note: the file shows a recent contact."),
        "EN2.presence": ("P", "Synthetic note: belonging is partly met elsewhere now."),
    }
    pair, draft = workspace.double_ratings.record_consensus(people.alice, pair.rating.id, decisions)
    assert draft.record.amends_id == first and draft.record.status == "draft"
    assert draft.content["ratings"]["EN1"]["presence"] == "Y" and draft.content["ratings"]["EN2"]["presence"] == "P"
    assert "recent contact" in draft.content["ratings"]["EN1"]["note"]
    assert pair.consensus is not None and pair.consensus.assessment_id == draft.id
    assert [(c.item, c.first, c.second, c.value) for c in pair.consensus.items] == [
        ("EN1.presence", "P", "Y", "Y"),
        ("EN2.presence", "Y", "N", "P"),
    ]
    final = workspace.finalise(people.alice, draft.id, draft.head, draft.content)  # the final assessment
    assert final.final
    # both original ratings are kept as they were
    assert workspace.get(people.alice, first).content["ratings"]["EN1"]["presence"] == "P"
    assert workspace.get(people.alice, pair.second.id).content["ratings"]["EN1"]["presence"] == "Y"
    with pytest.raises(StateError):
        workspace.double_ratings.record_consensus(people.alice, pair.rating.id, decisions)
    assert CONSENSUS_ACTION in [e.action for e in workspace.store.audit_events("agency-a")]
    assert workspace.store.verify() == []


def test_who_may_ask_and_who_may_rate(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example)
    cases: list[tuple[User, str, type[SpjError]]] = [
        (bert, "rita", ForbiddenError),  # an assessor asks only for their own assessment
        (people.alice, "alice", DoubleRatingError),  # not the first rater
        (people.alice, "bob", DoubleRatingError),  # not another agency's
        (people.alice, "nobody", DoubleRatingError),
    ]
    for asker, rater, error in cases:
        with pytest.raises(error):
            workspace.double_ratings.request(asker, first, rater)
    workspace.read(people.rita, first)  # rita has seen the first rating: she cannot rate it blind
    with pytest.raises(DoubleRatingError) as seen:
        workspace.double_ratings.request(people.alice, first, "rita")
    assert seen.value.problems[0].location.path == ("second_rater",)
    pair = workspace.double_ratings.request(people.alice, first, "bert")
    with pytest.raises(StateError):  # one second rating per first
        workspace.double_ratings.request(people.alice, first, "adam")
    with pytest.raises(BlindedError):  # bert cannot ask for a rating of what he may not see
        workspace.double_ratings.request(bert, first, "adam")
    assert workspace.double_ratings.of_agency(people.alice)[0].rating.id == pair.rating.id


def test_a_second_rating_counts_as_no_case_assessment(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    first = _first(workspace, people, example, final=False)
    pair = workspace.double_ratings.request(people.alice, first, "bert")
    _submit_second(workspace, bert, pair, example)
    # the only final of the case is a second rating: no programme figure, no earlier assessment, no referral
    assert workspace.programme_figures(people.alice) == []
    view = workspace.get(people.alice, first)
    workspace.finalise(people.alice, first, view.head, completed(view, example))
    assert len(workspace.programme_figures(people.alice)) == 1
    reassessment = workspace.reassess(people.alice, first)
    assert [a.id for a, _ in workspace.earlier(people.alice, reassessment.id)] == [first]


def test_agreement_over_time_suppresses_small_cells_and_names_no_case(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    for n in range(5):
        view = workspace.create(people.alice, f"CASE-AG-{n}", INSTRUMENT_ID, VERSION)
        workspace.finalise(people.alice, view.id, view.head, completed(view, example))
        pair = workspace.double_ratings.request(people.alice, view.id, "bert")
        _submit_second(workspace, bert, pair, example)
        cells = workspace.agreement_over_time(people.rita)
        if n < 4:
            assert [c.pairs for c in cells] == [None, None] and all(c.to_dict()["suppressed"] for c in cells)
    assert [(c.quarter == "all", c.pairs) for c in cells] == [(False, 5), (True, 5)]
    cell = cells[-1].to_dict()
    assert not cell["suppressed"] and cell["instrument"] == {"id": INSTRUMENT_ID, "version": VERSION}
    en1 = next(i for i in cell["indicators"] if i["id"] == "EN1.presence")
    assert en1["percent_agreement"] == 0.0 and en1["cases"] == 5
    en3 = next(i for i in cell["indicators"] if i["id"] == "EN3.presence")
    assert en3["percent_agreement"] == 100.0
    indicator_items = sum(i["cases"] for i in cell["indicators"]) / 5  # items both raters rated in every pair
    assert cell["percent_exact"] == pytest.approx(100 * (indicator_items - 2) / indicator_items, abs=0.1)
    assert cell["percent_within_one"] == pytest.approx(100 * (indicator_items - 1) / indicator_items, abs=0.1)
    text = repr(cell)
    assert "CASE-AG" not in text and "A-" not in text and bert.id not in text
    with pytest.raises(NotFoundError):
        workspace.double_ratings.get(people.bob, "DR-unknown")
    assert workspace.agreement_over_time(people.bob) == []


def _query() -> Any:
    from spj.service.case_list import CaseQuery

    return CaseQuery()


def test_spj_stats_agreement_reads_the_store(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any]
) -> None:
    import json

    from typer.testing import CliRunner

    from spj.cli.app import app

    if not isinstance(workspace.store, SqlStore):
        pytest.skip("the command opens a database by its URL")
    for n in range(5):
        view = workspace.create(people.alice, f"CASE-CLI-{n}", INSTRUMENT_ID, VERSION)
        workspace.finalise(people.alice, view.id, view.head, completed(view, example))
        _submit_second(workspace, bert, workspace.double_ratings.request(people.alice, view.id, "bert"), example)
    url = workspace.store.url
    runner = CliRunner()
    as_json = runner.invoke(app, ["stats", "agreement", "--agency", "agency-a", "--db", url, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    cells = json.loads(as_json.stdout)
    assert [(c["quarter"] == "all", c["pairs"]) for c in cells] == [(False, 5), (True, 5)]
    as_csv = runner.invoke(app, ["stats", "agreement", "--agency", "agency-a", "--db", url])
    assert as_csv.exit_code == 0 and as_csv.stdout.splitlines()[0] == (
        "instrument,version,quarter,pairs,percent_exact,percent_within_one"
    )
    assert "CASE-CLI" not in as_csv.stdout + as_json.stdout
    other = runner.invoke(app, ["stats", "agreement", "--agency", "agency-b", "--db", url, "--format", "json"])
    assert json.loads(other.stdout) == []


def test_a_second_rating_counts_in_no_caseload(
    workspace: Workspace, people: People, bert: User, example: dict[str, Any], tmp_path: Any
) -> None:
    import datetime as dt

    register = tmp_path / "certifications.jsonl"
    register.write_text("", encoding="utf-8")
    workspace.certification_register = register
    firsts = []
    for n in range(5):
        view = workspace.create(people.alice, f"CASE-LOAD-{n}", INSTRUMENT_ID, VERSION)
        workspace.finalise(people.alice, view.id, view.head, completed(view, example))
        firsts.append(view.id)
    today = dt.date.today()
    before = workspace.capacity_figures(people.rita, as_of=today)
    workspace.double_ratings.request(people.alice, firsts[0], "bert")  # bert's blank draft of CASE-LOAD-0
    after = workspace.capacity_figures(people.rita, as_of=today)
    assert (after.cases, after.open_cases, len(after.experts)) == (before.cases, before.open_cases, len(before.experts))
