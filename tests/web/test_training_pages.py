"""Training in the workspace: the vignette list, the sealed reference, and no vignette counted as a case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spj.authoring.training import compare, load_vignette
from spj.authoring.training.record import append_submission
from spj.instrument.discovery import instrument_ref
from spj.service.instruments import default_folders

from .conftest import page_routes


@pytest.fixture
def record(app: Any, tmp_path: Path) -> Path:
    path = tmp_path / "training.jsonl"
    app.state.training_record = path
    return path


def _shipped_vignette(app: Any) -> Any:
    registry = app.state.workspace.instruments
    for folder in default_folders():
        for path in sorted(Path(folder).glob("disengagement-trajectory/vignettes/*.vignette.yaml")):
            ref_id, ref_version, _ = instrument_ref(path)
            instrument = registry.get(ref_id, ref_version)
            return instrument, load_vignette(path, instrument)
    raise AssertionError("no shipped vignette")


def _submit_reference_as(app: Any, record: Path, trainee: str) -> Any:
    instrument, vignette = _shipped_vignette(app)
    comparisons = compare(instrument, vignette, vignette.reference)
    append_submission(record, trainee=trainee, vignette=vignette, comparisons=comparisons)
    return vignette


def test_the_list_shows_the_shipped_vignettes(login: Any, record: Path) -> None:
    page = login("alice").get("/training")
    assert page.status_code == 200
    assert 'href="/training" aria-current="page"' in page.text  # in the staff navigation
    assert page.text.count("/training/") >= 6


def test_every_reference_route_is_sealed_before_submission(app: Any, login: Any, record: Path) -> None:
    _, vignette = _shipped_vignette(app)
    client = login("alice")
    training = sorted(p for m, p in page_routes(app) if p.startswith("/training/") and m == "GET")
    assert training, "no training route"
    for path in training:
        response = client.get(path.replace("{vignette_id}", vignette.id))
        for item, why in vignette.rationales.items():
            assert why not in response.text, (path, item)
        if path.endswith("/feedback"):
            assert response.status_code == 403
            assert "only after you have submitted" in response.text


def test_feedback_after_submission_and_scoped_per_agency_and_user(app: Any, login: Any, record: Path) -> None:
    alice = app.state.workspace.store.get_user_by_username("alice")
    vignette = _submit_reference_as(app, record, f"hoj-gent/{alice.id}")
    mine = login("alice").get(f"/training/{vignette.id}/feedback")
    assert mine.status_code == 200 and "exact" in mine.text
    assert login("rita").get(f"/training/{vignette.id}/feedback").status_code == 403
    assert login("bob").get(f"/training/{vignette.id}/feedback").status_code == 403


def test_unknown_vignette_is_404(login: Any, record: Path) -> None:
    client = login("alice")
    assert client.get("/training/no-such-vignette").status_code == 404
    assert client.get("/training/no-such-vignette/feedback").status_code == 404


def test_a_vignette_is_never_a_case(app: Any, login: Any, record: Path) -> None:
    client = login("alice")
    client.get("/training")
    _, vignette = _shipped_vignette(app)
    client.get(f"/training/{vignette.id}")
    assert vignette.reference.case.id not in client.get("/cases").text


def test_rating_in_the_browser_then_feedback_then_resubmission_not_counted(app: Any, login: Any, record: Path) -> None:
    from .conftest import csrf_of

    _, vignette = _shipped_vignette(app)
    client = login("alice")
    page = client.get(f"/training/{vignette.id}")
    assert page.status_code == 200 and 'name="r.' in page.text
    data = {"csrf_token": csrf_of(page.text)}
    for ind, rating in vignette.reference.ratings.items():
        if rating.omitted:
            data[f"o.{ind}"] = "Not known from the synthetic file."
        for scale, code in (rating.model_extra or {}).items():
            data[f"r.{ind}.{scale}"] = str(code)
    for jid, entry in vignette.reference.judgements.items():
        data[f"j.{jid}"] = str(entry.level)
        data[f"jr.{jid}"] = "My own synthetic reasoning."
    first = client.post(f"/training/{vignette.id}", data=data, follow_redirects=False)
    assert first.status_code == 303, first.text
    feedback = client.get(f"/training/{vignette.id}/feedback")
    assert feedback.status_code == 200 and "exact" in feedback.text
    assert "Agreement on this vignette" in feedback.text and "Agreement over all your vignettes" in feedback.text
    assert client.post(f"/training/{vignette.id}", data=data, follow_redirects=False).status_code == 303
    attempts = [line for line in record.read_text().splitlines() if vignette.id in line]
    assert len(attempts) == 2 and '"attempt": 2' in attempts[1]
    assert vignette.reference.case.id not in client.get("/cases").text
    # Never a case anywhere: no case, assessment or audit event in the store; no figure in the stats.
    store = app.state.workspace.store
    for agency in ("hoj-gent", "hoj-brugge"):
        assert store.list_cases(agency) == []
        assert store.list_assessments(agency) == []
        assert [e for e in store.audit_events(agency) if vignette.id in repr(e)] == []
    assert "No final assessment yet" in client.get("/stats").text


def test_an_incomplete_rating_is_refused_and_the_reference_stays_sealed(app: Any, login: Any, record: Path) -> None:
    from .conftest import csrf_of

    _, vignette = _shipped_vignette(app)
    client = login("alice")
    page = client.get(f"/training/{vignette.id}")
    response = client.post(f"/training/{vignette.id}", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 422
    assert client.get(f"/training/{vignette.id}/feedback").status_code == 403


def test_an_unreadable_training_record_is_said_plainly_not_a_server_error(app: Any, login: Any, record: Path) -> None:
    record.write_text("{not json\n", encoding="utf-8")
    client = login("alice")
    vignette = _shipped_vignette(app)[1]
    for path in ("/training", f"/training/{vignette.id}/feedback"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert "Traceback" not in response.text


def test_the_server_takes_the_record_path_from_its_settings(tmp_path: Path) -> None:
    from spj.api.asgi import ServerSettings

    env = {"SPJ_DATABASE_URL": "sqlite:///x", "SPJ_SECRET_KEY": "k" * 40, "SPJ_TRAINING_RECORD": str(tmp_path / "t")}
    settings = ServerSettings.from_environment(env)
    assert settings.app_options()["training_record"] == tmp_path / "t"
    assert settings.environment()["SPJ_TRAINING_RECORD"] == str(tmp_path / "t")
