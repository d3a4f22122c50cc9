"""Inter-rater reliability (`spj.irr`, `spj irr`): published examples, hand-computed agreement, edge cases."""

from __future__ import annotations

import json
import math
import sys
import textwrap
from pathlib import Path
from typing import Literal

import pytest
from helpers import assert_spj_error
from typer.testing import CliRunner

import spj
from spj.authoring.irr import (
    IrrError,
    collect_study,
    compute_irr,
    krippendorff_alpha,
    load_study_assessments,
    percent_agreement,
    render_irr_html,
    render_irr_json,
    weighted_kappa,
)
from spj.cli.app import app

pytest.importorskip("krippendorff")
pytest.importorskip("statsmodels")

RUNNER = CliRunner()

INSTRUMENT = """\
format: spj/1
id: irr-test
version: 1.0.0
title: {en: IRR test}
license: CC0-1.0
scales:
  presence:
    - {code: "N", value: 0, label: {en: Absent}}
    - {code: "P", value: 1, label: {en: Partly}}
    - {code: "Y", value: 2, label: {en: Present}}
  relevance:
    - {code: low, value: 0, label: {en: Low}}
    - {code: moderate, value: 1, label: {en: Moderate}}
    - {code: high, value: 2, label: {en: High}}
domains:
  - {id: social, title: {en: Social}}
indicators:
  - {id: A1, domain: social, kind: risk, title: {en: Peers}}
  - {id: A2, domain: social, kind: protective, title: {en: Family}, rate: [presence]}
judgements:
  - {id: priority, title: {en: Priority}, levels: [low, moderate, high]}
"""


def ratings_of(*rows: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Rows of ranks, one per rater (r0, r1, ...), as case -> rater -> rank; '' is missing."""
    out: dict[str, dict[str, int]] = {}
    for n, row in enumerate(rows):
        out[f"C{n}"] = {f"r{k}": int(v) for k, v in enumerate(row) if v != ""}
    return out


def table_ratings(table: list[list[int]]) -> dict[str, dict[str, int]]:
    """Expand a contingency table (rows rater a, columns rater b) into one case per count."""
    out: dict[str, dict[str, int]] = {}
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            for _ in range(count):
                out[f"C{len(out)}"] = {"a": i, "b": j}
    return out


def assessment(case: str, rater: str, ratings: str, *, priority: str | None = None, version: str = "1.0.0") -> str:
    judgement = f"judgements: {{priority: {{level: {priority}}}}}\n" if priority else ""
    return (
        "format: spj-assessment/1\n"
        f"instrument: {{id: irr-test, version: {version}}}\n"
        f"id: A-{case}-{rater}\n"
        f"case: {{id: {case}}}\n"
        f"assessor: {{id: {json.dumps(rater)}}}\n"
        "date: 2026-01-01\n"
        "ratings:\n" + textwrap.indent(textwrap.dedent(ratings), "  ") + "\n" + judgement
    )


@pytest.fixture
def instrument() -> spj.Instrument:
    return spj.parse_instrument(INSTRUMENT, file="irr-test.yaml")


# Case C1 by three raters, C2 by two. r2 omits A2 in C1; r3 rates no relevance for A1 (absent).
HAND_SET = [
    ("C1", "r1", 'A1: {presence: "P", relevance: moderate}\nA2: {presence: "Y"}', "moderate"),
    ("C1", "r2", 'A1: {presence: "P", relevance: high}\nA2: {omitted: true, reason: no information}', "moderate"),
    ("C1", "r3", 'A1: {presence: "N"}\nA2: {presence: "Y"}', "high"),
    ("C2", "r1", 'A1: {presence: "Y", relevance: high}\nA2: {presence: "N"}', "high"),
    ("C2", "r2", 'A1: {presence: "Y", relevance: high}\nA2: {presence: "N"}', "high"),
]


def hand_study(instrument: spj.Instrument, rows: list[tuple[str, str, str, str]] = HAND_SET) -> spj.irr.Study:
    assessments = [
        spj.parse_assessment(assessment(c, r, text, priority=p), instrument, file=f"{c}-{r}.yaml")
        for c, r, text, p in rows
    ]
    return collect_study(instrument, assessments)


def write_files(folder: Path, rows: list[tuple[str, str, str, str]], *, version: str = "1.0.0") -> list[str]:
    paths = []
    for c, r, text, p in rows:
        path = folder / f"{c}-{r}.yaml"
        path.write_text(assessment(c, r, text, priority=p, version=version), encoding="utf-8")
        paths.append(str(path))
    return paths


# --- published worked examples -------------------------------------------------------------------------------


KRIPPENDORFF_2011 = [  # 4 observers x 12 units, values 1..5, None = missing
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorff_alpha_reproduces_krippendorffs_own_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units,
    missing values: ordinal alpha = 0.815 (nominal 0.743, interval 0.849). The `krippendorff` package's
    docstring checks the same data (ordinal 0.815, nominal 0.743)."""
    units = {
        f"u{u}": {f"o{o}": value - 1 for o, row in enumerate(KRIPPENDORFF_2011) if (value := row[u]) is not None}
        for u in range(12)
    }
    estimate = krippendorff_alpha(units, 5, resamples=200)
    assert estimate.value == pytest.approx(0.815, abs=5e-4)
    assert estimate.value is not None and estimate.ci is not None and estimate.ci[0] <= estimate.value <= estimate.ci[1]
    assert estimate.detail is not None and estimate.detail["cases"] == 11  # unit 12 has one value: not pairable

    import krippendorff
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011], dtype=float)
    published_values: list[tuple[Literal["nominal", "interval", "ordinal"], float]] = [
        ("nominal", 0.743),
        ("interval", 0.849),
        ("ordinal", 0.815),
    ]
    for level, published in published_values:
        assert krippendorff.alpha(data, level_of_measurement=level) == pytest.approx(published, abs=5e-4)


def test_weighted_kappa_reproduces_sas_printout() -> None:
    """SAS PROC FREQ (AGREE) weighted kappa with Cicchetti-Allison (= linear) weights for the 3x3 table
    [[0, 4, 1], [0, 8, 0], [0, 1, 5]]: kappa 0.4701, ASE 0.1457, 95% CI 0.1845 to 0.7558 (SAS printout
    reproduced in statsmodels' test suite, statsmodels/stats/tests/test_inter_rater.py, TestWeightedCohens)."""
    estimate = weighted_kappa(table_ratings([[0, 4, 1], [0, 8, 0], [0, 1, 5]]), ("a", "b"), 3, weighting="linear")
    assert estimate.value == pytest.approx(0.4701, abs=5e-5)
    assert estimate.detail is not None and estimate.detail["ase"] == pytest.approx(0.1457, abs=5e-5)
    # SAS's interval is the asymptotic (Wald) one, kappa +- 1.96 ASE: reproduced from the ASE spj reports.
    # spj's own interval is a bootstrap percentile interval, which stays inside [-1, 1] (issue 10).
    wald = (estimate.value - 1.959964 * estimate.detail["ase"], estimate.value + 1.959964 * estimate.detail["ase"])
    assert wald == pytest.approx((0.1845, 0.7558), abs=2e-4)
    assert estimate.ci is not None and -1 <= estimate.ci[0] < estimate.value < estimate.ci[1] <= 1
    assert estimate.detail["interval"] == "bootstrap percentile over cases"


# R package irr (Gamer et al.), data set `anxiety`, raters 2 and 3 (20 subjects); observed levels 1,2,3,4,6 are
# five ordered categories. kappa2(anxiety[,2:3], "equal") = 0.1459075; kappa2(anxiety[,2:3], "squared") = 0.2520325
# (R output reproduced in statsmodels' test suite, test_inter_rater.py::test_cohens_kappa_irr).
ANXIETY_2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


@pytest.mark.parametrize(("weighting", "published"), [("linear", 0.1459075), ("quadratic", 0.2520325)])
def test_weighted_kappa_reproduces_r_irr_anxiety(weighting: str, published: float) -> None:
    """R irr's kappa2 on its `anxiety` data: linear ("equal") 0.1459075, quadratic ("squared") 0.2520325."""
    rank = {level: n for n, level in enumerate([1, 2, 3, 4, 6])}
    units = {f"s{n}": {"a": rank[x], "b": rank[y]} for n, (x, y) in enumerate(zip(ANXIETY_2, ANXIETY_3, strict=True))}
    estimate = weighted_kappa(units, ("a", "b"), 5, weighting=weighting)  # type: ignore[arg-type]
    assert estimate.value == pytest.approx(published, abs=1e-6)
    assert estimate.ci is not None and estimate.ci[0] < published < estimate.ci[1]


# --- hand-computed agreement -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "pairs", "agreeing", "percent"),
    [
        # C1: (P,P) agree, (P,N) x2 disagree; C2: (Y,Y) agree
        ("A1.presence", 4, 2, 50.0),
        # C1: r3 rated no relevance (missing): (moderate, high) only; C2: (high, high)
        ("A1.relevance", 2, 1, 50.0),
        # C1: r2 omitted A2 (missing, not zero): (Y, Y); C2: (N, N)
        ("A2.presence", 2, 2, 100.0),
        # C1: (moderate, moderate), (moderate, high) x2; C2: (high, high)
        ("judgement.priority", 4, 2, 50.0),
    ],
)
def test_percent_agreement_by_hand(
    instrument: spj.Instrument, item: str, pairs: int, agreeing: int, percent: float
) -> None:
    data = compute_irr(hand_study(instrument), resamples=50).to_dict()
    row = next(r for r in data["indicators"] + data["judgements"] if r["id"] == item)
    assert (row["pairs"], row["agreeing_pairs"], row["percent_agreement"]) == (pairs, agreeing, percent)


def test_levels_keep_the_instrument_order(instrument: spj.Instrument) -> None:
    data = compute_irr(hand_study(instrument), resamples=10).to_dict()
    assert data["indicators"][0]["levels"] == ["N", "P", "Y"]
    assert data["judgements"][0]["levels"] == ["low", "moderate", "high"]
    assert [r["id"] for r in data["indicators"]] == ["A1.presence", "A1.relevance", "A2.presence"]


def test_kappa_needs_exactly_two_raters(instrument: spj.Instrument) -> None:
    three = compute_irr(hand_study(instrument), resamples=10).to_dict()
    kappa = three["indicators"][0]["kappa"]["linear"]
    assert kappa["value"] is None and "exactly two raters" in kappa["reason"]
    two = compute_irr(hand_study(instrument, [r for r in HAND_SET if r[1] != "r3"]), resamples=10).to_dict()
    assert two["raters"] == ["r1", "r2"]
    judgement = two["judgements"][0]
    assert judgement["percent_agreement"] == 100.0
    assert judgement["kappa"]["linear"]["value"] == 1.0


def test_percent_agreement_counts_every_pair() -> None:
    agreement = percent_agreement(ratings_of(("0", "0", "1"), ("2", ""), ("1", "1")))
    assert (agreement.pairs, agreement.agreeing_pairs) == (4, 2)


# --- degenerate data ------------------------------------------------------------------------------------------


def test_everyone_agrees_on_one_level_is_undefined_not_nan() -> None:
    units = ratings_of(("1", "1"), ("1", "1"), ("1", "1"))
    for weighting in ("linear", "quadratic"):
        kappa = weighted_kappa(units, ("r0", "r1"), 3, weighting=weighting)
        assert kappa.value is None and kappa.reason and "same single level" in kappa.reason
    alpha = krippendorff_alpha(units, 3)
    assert alpha.value is None and alpha.reason and "same level" in alpha.reason
    assert percent_agreement(units).percent == 100.0


def test_no_pairable_case_is_undefined() -> None:
    units = ratings_of(("1", ""), ("", "2"))
    assert weighted_kappa(units, ("r0", "r1"), 3, weighting="linear").value is None
    alpha = krippendorff_alpha(units, 3)
    assert alpha.value is None and alpha.reason == "no case has two ratings of this item"
    assert percent_agreement(units).percent is None


def test_degenerate_study_renders_json_without_nan(instrument: spj.Instrument) -> None:
    same = 'A1: {presence: "N"}\nA2: {presence: "N"}'
    rows = [("C1", "r1", same, "low"), ("C1", "r2", same, "low"), ("C2", "r1", same, "low"), ("C2", "r2", same, "low")]
    text = render_irr_json(compute_irr(hand_study(instrument, rows), resamples=10))
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    row = data["indicators"][0]
    assert row["percent_agreement"] == 100.0
    assert row["alpha"]["value"] is None and row["alpha"]["reason"]
    assert row["kappa"]["quadratic"]["value"] is None and row["kappa"]["quadratic"]["reason"]
    relevance = data["indicators"][1]  # nobody rated relevance
    assert relevance["pairs"] == 0 and relevance["percent_agreement"] is None


def test_a_case_with_one_rater_is_refused(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: hand_study(instrument, [*HAND_SET, ("C3", "r1", 'A1: {presence: "N"}', "low")]),
        spj.Code.IRR_INPUT,
        error=IrrError,
        message="case C3 was assessed by one rater only",
    )


def test_the_same_rater_twice_is_refused(instrument: spj.Instrument) -> None:
    assert_spj_error(
        lambda: hand_study(instrument, [*HAND_SET, HAND_SET[0]]),
        spj.Code.IRR_INPUT,
        error=IrrError,
        message="assessed case C1 twice",
    )


def test_no_assessments_is_refused(instrument: spj.Instrument) -> None:
    assert_spj_error(lambda: collect_study(instrument, []), spj.Code.IRR_INPUT, error=IrrError)


def test_another_instrument_version_is_refused_with_its_file(instrument: spj.Instrument, tmp_path: Path) -> None:
    paths = write_files(tmp_path, HAND_SET[:2])
    paths += write_files(tmp_path, HAND_SET[3:4], version="1.1.0")
    exc = assert_spj_error(
        lambda: load_study_assessments(instrument, paths), spj.Code.IRR_INPUT, error=IrrError, message="1.1.0"
    )
    assert exc.problems[0].location.file == paths[-1] and exc.problems[0].location.line == 2


def test_another_instrument_is_refused(tmp_path: Path) -> None:
    other = spj.parse_instrument(INSTRUMENT.replace("id: irr-test", "id: other-test"), file="other.yaml")
    paths = write_files(tmp_path, HAND_SET[:2])
    assert_spj_error(lambda: load_study_assessments(other, paths), spj.Code.IRR_INPUT, error=IrrError, count=2)


def test_missing_library_says_how_to_install(instrument: spj.Instrument, monkeypatch: pytest.MonkeyPatch) -> None:
    study = hand_study(instrument)
    monkeypatch.setitem(sys.modules, "krippendorff", None)
    assert_spj_error(lambda: compute_irr(study), spj.Code.IRR_INPUT, error=IrrError, message="pip install 'spj[irr]'")


# --- outputs -------------------------------------------------------------------------------------------------


def test_json_is_deterministic_and_documents_the_bootstrap(instrument: spj.Instrument) -> None:
    study = hand_study(instrument)
    first, second = (render_irr_json(compute_irr(study, resamples=100, seed=7)) for _ in range(2))
    assert first == second
    data = json.loads(first)
    assert data["instrument"] == {"id": "irr-test", "version": "1.0.0"}
    assert data["method"]["bootstrap"] == {"resamples": 100, "seed": 7}
    assert data["cases"] == ["C1", "C2"] and data["raters"] == ["r1", "r2", "r3"]


def test_html_is_escaped_and_self_contained(instrument: spj.Instrument) -> None:
    rows = [(c, "<script>alert(1)</script>" if r == "r3" else r, t, p) for c, r, t, p in HAND_SET]
    html = render_irr_html(compute_irr(hand_study(instrument, rows), resamples=10))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<!DOCTYPE html>")
    for external in ("http://", "https://", "<link", " src="):
        assert external not in html
    assert "A1.presence" in html and "undefined: Cohen&#39;s kappa compares exactly two raters" in html


# --- command line --------------------------------------------------------------------------------------------


@pytest.fixture
def study_files(tmp_path: Path) -> tuple[str, list[str]]:
    inst = tmp_path / "irr-test.yaml"
    inst.write_text(INSTRUMENT, encoding="utf-8")
    return str(inst), write_files(tmp_path, HAND_SET)


def test_cli_json(study_files: tuple[str, list[str]]) -> None:
    inst, paths = study_files
    result = RUNNER.invoke(app, ["irr", inst, *paths, "--resamples", "20"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["indicators"][0]["percent_agreement"] == 50.0


def test_cli_html_to_file(study_files: tuple[str, list[str]], tmp_path: Path) -> None:
    inst, paths = study_files
    out = tmp_path / "irr.html"
    result = RUNNER.invoke(app, ["irr", inst, *paths, "--format", "html", "-o", str(out), "--resamples", "20"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_bad_input_exits_1(study_files: tuple[str, list[str]], tmp_path: Path) -> None:
    inst, paths = study_files
    other = write_files(tmp_path, [("C9", "r9", 'A1: {presence: "N"}', "low")], version="2.0.0")
    result = RUNNER.invoke(app, ["irr", inst, *paths, *other])
    assert result.exit_code == 1
    assert "irr-input" in result.stderr and "2.0.0" in result.stderr and "Traceback" not in result.output
    single = RUNNER.invoke(app, ["irr", inst, paths[0]])
    assert single.exit_code == 1 and "irr-input" in single.stderr


def test_cli_usage_error_exits_2(study_files: tuple[str, list[str]]) -> None:
    inst, paths = study_files
    assert RUNNER.invoke(app, ["irr", inst, *paths, "--format", "pdf"]).exit_code == 2
    assert RUNNER.invoke(app, ["irr"]).exit_code == 2


def test_json_values_are_finite(instrument: spj.Instrument) -> None:
    data = compute_irr(hand_study(instrument), resamples=50).to_dict()
    for row in data["indicators"] + data["judgements"]:
        for estimate in [row["alpha"], *row["kappa"].values()]:
            assert estimate["value"] is None or math.isfinite(estimate["value"])


# --- issue 10: more raters, more coefficients, honest intervals -----------------------------------------------


def test_more_than_two_raters_get_a_pairwise_table_and_fleiss(instrument: spj.Instrument) -> None:
    data = compute_irr(hand_study(instrument), resamples=20).to_dict()
    row = data["indicators"][0]
    assert [p["raters"] for p in row["pairwise"]] == [["r1", "r2"], ["r1", "r3"], ["r2", "r3"]]
    # A1.presence: r1/r2 rated C1 P,P and C2 Y,Y: perfect agreement on two cases.
    assert row["pairwise"][0]["linear"]["value"] == 1.0
    assert row["pairwise"][0]["linear"]["reason"].startswith("perfect agreement on all 2 cases")
    # r1/r3 share only C1 (P vs N): one case defines no kappa (a number that would look meaningful).
    assert row["pairwise"][1]["linear"]["value"] is None
    assert row["pairwise"][1]["linear"]["reason"].startswith("1 case only: agreement beyond chance cannot be")
    assert row["fleiss"]["value"] is None  # three raters on C1 only
    assert row["fleiss"]["raters_per_case"] == 3 and set(row["alpha_levels"]) == {"nominal", "ordinal", "interval"}
    assert row["alpha"] == row["alpha_levels"]["ordinal"]
    assert data["judgements"][0]["icc"]["reason"].startswith("judgement levels are ordered categories")


def test_a_small_study_warns_before_any_figure(instrument: spj.Instrument) -> None:
    report = compute_irr(hand_study(instrument), resamples=20)
    assert report.to_dict()["warnings"] == [
        "the study has 2 case(s): too few for meaningful intervals (at least 10 are needed); "
        "the coefficients are descriptive only"
    ]
    html = render_irr_html(report)
    assert "<strong>Warning:</strong> the study has 2 case(s)" in html
    assert "kappa of every pair of raters" in html and "ICC(A,1)" in html


def twelve_cases(instrument_rows: int = 12) -> list[tuple[str, str, str, str]]:
    """Two raters, twelve cases, near agreement."""
    codes = ["N", "P", "Y"]
    rows = []
    for n in range(instrument_rows):
        first, second = codes[n % 3], codes[(n + (n == 5)) % 3]
        for rater, code in (("r1", first), ("r2", second)):
            rows.append((f"C{n:02}", rater, f'A1: {{presence: "{code}"}}\nA2: {{presence: "{code}"}}', "low"))
    return rows


def test_cli_prints_resamples_and_monte_carlo_error(tmp_path: Path) -> None:
    inst = tmp_path / "irr-test.yaml"
    inst.write_text(INSTRUMENT, encoding="utf-8")
    paths = write_files(tmp_path, twelve_cases())
    result = RUNNER.invoke(app, ["irr", str(inst), *paths, "--resamples", "300"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["warnings"] == []
    kappa = data["indicators"][0]["kappa"]["quadratic"]
    assert kappa["interval"] == "bootstrap percentile over cases" and kappa["resamples"] == 300
    assert -1 <= kappa["ci"][0] <= kappa["value"] <= kappa["ci"][1] <= 1
    assert all(se >= 0 for se in kappa["monte_carlo_se"])
    html = RUNNER.invoke(app, ["irr", str(inst), *paths, "--resamples", "300", "--format", "html"]).stdout
    assert "MC error ±" in html and "300 resamples" in html
