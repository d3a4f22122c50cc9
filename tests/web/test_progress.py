"""Progress in the form (issue 9, point 2): an indicator is done only when everything it rates is filled.

Synthetic data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.web.conftest import TestClient, form_fields, post_form, start_assessment

Login = Callable[[str], TestClient]


def _to_do(html: str) -> int:
    match = re.search(r"<b>(\d+)</b>to do", html)
    assert match, "the panel shows no 'to do' count"
    return int(match.group(1))


def _area_count(html: str, area: str) -> str:
    match = re.search(rf'href="#area-{area}">[^<]*</a> <span class="count">([^<]+)</span>', html)
    assert match, f"no progress shown for {area}"
    return match.group(1)


def test_presence_without_relevance_is_not_done(login: Login) -> None:
    alice = login("alice")
    assessment_id = start_assessment(alice)
    page = alice.get(f"/assessments/{assessment_id}").text
    total = _to_do(page)
    area = re.search(r'href="#area-([a-z_]+)"', page)
    assert area
    fields = form_fields(page)
    assert post_form(alice, assessment_id, fields, r__PS1__presence="Y").status_code == 303
    page = alice.get(f"/assessments/{assessment_id}").text
    assert _to_do(page) == total, "PS1 has presence but no relevance: still to do"
    assert _area_count(page, area.group(1)).startswith("0/")
    assert re.search(r'href="#f-r-PS1">Next to do: PS1 ', page), "the next indicator to do is PS1"
    fields = form_fields(page)
    assert post_form(alice, assessment_id, fields, r__PS1__relevance="high").status_code == 303
    page = alice.get(f"/assessments/{assessment_id}").text
    assert _to_do(page) == total - 1
    assert _area_count(page, area.group(1)).startswith("1/")
    # Absent needs no relevance; an omission with a reason is done too.
    fields = form_fields(page)
    fields["r.PS2.presence"] = ["N"]
    fields["r.PS3.omit"], fields["r.PS3.reason"] = ["1"], ["No information yet"]
    assert post_form(alice, assessment_id, fields).status_code == 303
    assert _to_do(alice.get(f"/assessments/{assessment_id}").text) == total - 3


def test_a_scale_not_asked_is_disabled_with_a_reason_and_not_to_do(login: Login) -> None:
    """Conditional items (issue 11, point 3): the relevance of a risk indicator rated absent is not asked."""
    alice = login("alice")
    assessment_id = start_assessment(alice)
    page = alice.get(f"/assessments/{assessment_id}").text
    total = _to_do(page)
    assert "Not asked here." not in page
    fields = form_fields(page)
    assert post_form(alice, assessment_id, fields, r__PS1__presence="N", r__PS1__relevance="high").status_code == 303
    page = alice.get(f"/assessments/{assessment_id}").text
    scale = re.search(r'<fieldset class="scale" id="f-r-PS1-relevance"[^>]*>', page)
    assert scale and scale.group(0).endswith(" disabled>"), "the relevance of an absent PS1 is disabled"
    assert re.search(r"Not asked here\. Relevance: asked only when [^<]*\(PS1\) is at least partially present\.", page)
    assert _to_do(page) == total - 1, "PS1 is done: its relevance is not asked"
    presence = re.search(r'<fieldset class="scale" id="f-r-PS1-presence"[^>]*>', page)
    assert presence and "disabled" not in presence.group(0)


def test_each_life_area_links_to_the_previous_and_the_next(app: Any, login: Callable[[str], TestClient]) -> None:
    """Issue 9, point 2: moving section by section without scrolling back to the menu."""
    client = login("alice")
    assessment_id = start_assessment(client)
    html = client.get(f"/assessments/{assessment_id}").text
    areas = re.findall(r'<section class="area" id="(area-[^"]+)"', html)
    assert len(areas) >= 2
    for n, area in enumerate(areas):
        section = html[html.index(f'id="{area}"') : html.index("</section>", html.index(f'id="{area}"'))]
        steps = section[section.index('class="area-steps"') :]
        before = "#case-sources" if n == 0 else f"#{areas[n - 1]}"
        after = "#formulation-section" if n == len(areas) - 1 else f"#{areas[n + 1]}"
        assert f'href="{before}"' in steps and f'href="{after}"' in steps and 'href="#assessment-top"' in steps
    assert 'id="assessment-top"' in html
