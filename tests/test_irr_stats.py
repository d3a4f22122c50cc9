"""The agreement statistics of `spj irr`, each checked against an independent computation (issue 10, item 5).

Independent means: a published figure, or a plain-Python textbook formula written here, never the code under test.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spj.authoring.irr import fleiss_kappa, icc_absolute, krippendorff_alpha, weighted_kappa
from spj.authoring.irr.alpha import LEVELS, alpha_replicates, case_coincidences, value_counts
from spj.authoring.irr.bootstrap import monte_carlo_se
from spj.authoring.irr.estimate import MIN_CASES_FOR_INTERVAL
from spj.authoring.irr.icc import complete_matrix, mean_squares
from spj.authoring.irr.kappa import fleiss_counts, fleiss_replicates, kappa_replicates, pair_ranks

np = pytest.importorskip("numpy")
krippendorff = pytest.importorskip("krippendorff")
pytest.importorskip("statsmodels")
pytest.importorskip("scipy")

FEW = settings(max_examples=40, deadline=None)


# --- independent textbook formulas -----------------------------------------------------------------------------


def cohen_by_hand(x: list[int], y: list[int], levels: int, weighting: str) -> float | None:
    """Cohen (1968): 1 - sum(w * observed) / sum(w * expected), in exact fractions."""
    n = len(x)
    power = 1 if weighting == "linear" else 2
    observed = sum(Fraction(abs(a - b) ** power) for a, b in zip(x, y, strict=True)) / n
    rows = [Fraction(x.count(i), n) for i in range(levels)]
    cols = [Fraction(y.count(j), n) for j in range(levels)]
    expected = sum(rows[i] * cols[j] * abs(i - j) ** power for i in range(levels) for j in range(levels))
    return None if expected == 0 else float(1 - observed / expected)


def fleiss_by_hand(rows: list[list[int]]) -> float | None:
    """Fleiss (1971), from a cases x categories count table with m ratings per case."""
    m = sum(rows[0])
    n = len(rows)
    p_i = [Fraction(sum(c * c for c in row) - m, m * (m - 1)) for row in rows]
    p_j = [Fraction(sum(row[j] for row in rows), n * m) for j in range(len(rows[0]))]
    expected = sum(p * p for p in p_j)
    return None if expected == 1 else float((sum(p_i) / n - expected) / (1 - expected))


def two_raters(draw: st.DrawFn, levels: int, size: int) -> tuple[list[int], list[int]]:
    rank = st.integers(0, levels - 1)
    x = draw(st.lists(rank, min_size=size, max_size=size))
    y = draw(st.lists(rank, min_size=size, max_size=size))
    return x, y


@st.composite
def paired(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    levels = draw(st.integers(2, 5))
    x, y = two_raters(draw, levels, draw(st.integers(2, 40)))
    return x, y, levels


@st.composite
def count_tables(draw: st.DrawFn) -> list[list[int]]:
    """Cases x categories, a constant number of raters per case."""
    levels, raters = draw(st.integers(2, 5)), draw(st.integers(2, 6))
    rows = []
    for _ in range(draw(st.integers(2, 30))):
        ranks = draw(st.lists(st.integers(0, levels - 1), min_size=raters, max_size=raters))
        rows.append([ranks.count(k) for k in range(levels)])
    return rows


@st.composite
def study_ratings(draw: st.DrawFn) -> tuple[dict[str, dict[str, int]], int]:
    """case -> rater -> rank, with missing ratings."""
    levels, raters = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    out: dict[str, dict[str, int]] = {}
    for case in range(draw(st.integers(1, 30))):
        row = draw(st.lists(st.one_of(st.none(), st.integers(0, levels - 1)), min_size=raters, max_size=raters))
        out[f"C{case}"] = {f"r{k}": v for k, v in enumerate(row) if v is not None}
    return out, levels


def as_ratings(x: list[int], y: list[int]) -> dict[str, dict[str, int]]:
    return {f"C{n}": {"a": a, "b": b} for n, (a, b) in enumerate(zip(x, y, strict=True))}


# --- Cohen's weighted kappa ------------------------------------------------------------------------------------


@FEW
@given(paired(), st.sampled_from(["linear", "quadratic"]))
def test_weighted_kappa_matches_the_textbook_formula(data: tuple[list[int], list[int], int], weighting: str) -> None:
    x, y, levels = data
    expected = cohen_by_hand(x, y, levels, weighting)
    estimate = weighted_kappa(as_ratings(x, y), ("a", "b"), levels, weighting=weighting, resamples=50)  # type: ignore[arg-type]
    if expected is None or len(set(x) | set(y)) < 2:
        assert estimate.value is None and estimate.reason
    else:
        assert estimate.value == pytest.approx(expected, abs=1e-9)


@FEW
@given(paired(), st.sampled_from(["linear", "quadratic"]), st.integers(0, 2**32 - 1))
def test_kappa_replicates_match_the_textbook_formula(
    data: tuple[list[int], list[int], int], weighting: str, seed: int
) -> None:
    """Each bootstrap replicate is the kappa of its resample (the vectorised formula is not trusted)."""
    x, y, levels = data
    indices = np.random.default_rng(seed).integers(0, len(x), size=(8, len(x)))
    got = kappa_replicates(np.asarray(x), np.asarray(y), indices, levels, weighting)  # type: ignore[arg-type]
    for row, value in zip(indices, got, strict=True):
        expected = cohen_by_hand([x[i] for i in row], [y[i] for i in row], levels, weighting)
        assert (math.isnan(value) and expected is None) or value == pytest.approx(expected, abs=1e-9)


# --- Fleiss' kappa ---------------------------------------------------------------------------------------------

# Fleiss (1971) as tabulated in Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories; kappa = 0.210.
FLEISS_1971 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def table_to_ratings(rows: list[list[int]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for n, row in enumerate(rows):
        ranks = [k for k, count in enumerate(row) for _ in range(count)]
        out[f"C{n}"] = {f"r{i}": rank for i, rank in enumerate(ranks)}
    return out


def test_fleiss_kappa_reproduces_the_published_example() -> None:
    estimate = fleiss_kappa(table_to_ratings(FLEISS_1971), 5, resamples=200)
    assert estimate.value == pytest.approx(0.210, abs=5e-4)
    assert estimate.ci is not None and -1 <= estimate.ci[0] < 0.210 < estimate.ci[1] <= 1
    assert estimate.detail is not None and estimate.detail["raters_per_case"] == 14


@FEW
@given(count_tables(), st.integers(0, 2**32 - 1))
def test_fleiss_kappa_and_its_replicates_match_the_textbook_formula(rows: list[list[int]], seed: int) -> None:
    expected = fleiss_by_hand(rows)
    estimate = fleiss_kappa(table_to_ratings(rows), len(rows[0]), resamples=50)
    if expected is None:
        assert estimate.value is None and estimate.reason
        return
    assert estimate.value == pytest.approx(expected, abs=1e-9)
    counts = np.asarray(rows, dtype=float)
    indices = np.random.default_rng(seed).integers(0, len(rows), size=(6, len(rows)))
    for row, value in zip(indices, fleiss_replicates(counts, indices), strict=True):
        by_hand = fleiss_by_hand([rows[i] for i in row])
        assert (math.isnan(value) and by_hand is None) or value == pytest.approx(by_hand, abs=1e-9)


def test_fleiss_uses_the_most_common_number_of_raters() -> None:
    ratings = {"C1": {"a": 0, "b": 0, "c": 1}, "C2": {"a": 1, "b": 1, "c": 1}, "C3": {"a": 0, "b": 1}}
    counts, raters = fleiss_counts(ratings, 2)
    assert raters == 3 and counts.tolist() == [[2, 1], [0, 3]]


# --- Krippendorff's alpha --------------------------------------------------------------------------------------


@FEW
@given(study_ratings(), st.sampled_from(LEVELS), st.integers(0, 2**32 - 1))
def test_alpha_and_its_replicates_match_the_krippendorff_package(
    data: tuple[dict[str, dict[str, int]], int], level: str, seed: int
) -> None:
    """The value is the package's; each replicate equals the package's alpha of the resampled cases."""
    ratings, levels = data
    counts = value_counts(ratings, levels)
    estimate = krippendorff_alpha(ratings, levels, level=level, resamples=30)  # type: ignore[arg-type]
    if len(counts) < 2 or np.count_nonzero(counts.sum(axis=0)) < 2:
        assert estimate.value is None and estimate.reason  # one case: a value would look meaningful and is not
        return
    domain = list(range(levels))
    assert estimate.value == pytest.approx(
        krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level), abs=1e-9
    )
    indices = np.random.default_rng(seed).integers(0, len(counts), size=(6, len(counts)))
    replicates = alpha_replicates(case_coincidences(counts), indices, level)  # type: ignore[arg-type]
    for row, value in zip(indices, replicates, strict=True):
        sample = counts[row]
        if np.count_nonzero(sample.sum(axis=0)) < 2:
            assert math.isnan(value)
        else:
            package = krippendorff.alpha(value_counts=sample, value_domain=domain, level_of_measurement=level)
            assert value == pytest.approx(package, abs=1e-9)


KRIPPENDORFF_2011 = [  # Krippendorff (2011), section C: 4 observers x 12 units, values 1..5, None = missing
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_alpha_reproduces_krippendorffs_example_at_every_level(level: str, published: float) -> None:
    units = {
        f"u{u}": {f"o{o}": v - 1 for o, row in enumerate(KRIPPENDORFF_2011) if (v := row[u]) is not None}
        for u in range(12)
    }
    estimate = krippendorff_alpha(units, 5, level=level, resamples=300)  # type: ignore[arg-type]
    assert estimate.value == pytest.approx(published, abs=5e-4)
    assert estimate.ci is not None and -1 <= estimate.ci[0] <= estimate.value <= estimate.ci[1] <= 1


# --- ICC -------------------------------------------------------------------------------------------------------

SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]

# R package irr, data set `anxiety` (20 subjects, 3 raters), as reproduced in statsmodels' test suite.
ANXIETY = [[3, 3, 2], [3, 6, 1], [3, 4, 4], [4, 6, 4], [5, 2, 3], [5, 4, 2], [2, 2, 1], [3, 4, 6], [5, 3, 1],
           [2, 3, 1], [2, 2, 1], [6, 3, 2], [1, 3, 3], [5, 3, 3], [2, 2, 1], [2, 2, 1], [1, 1, 3], [2, 3, 3],
           [4, 3, 2], [3, 4, 2]]  # fmt: skip


def matrix_ratings(rows: list[list[int]]) -> tuple[dict[str, dict[str, int]], list[str]]:
    raters = [f"r{k}" for k in range(len(rows[0]))]
    return {f"C{n}": dict(zip(raters, row, strict=True)) for n, row in enumerate(rows)}, raters


def test_icc_reproduces_shrout_and_fleiss() -> None:
    """Shrout & Fleiss (1979), Table 2: BMS 11.24, JMS 32.49, EMS 1.02; ICC(2,1) = .29. Six cases: no interval."""
    ratings, raters = matrix_ratings(SHROUT_FLEISS)
    assert mean_squares(complete_matrix(ratings, raters)) == pytest.approx((11.24, 32.49, 1.02), abs=5e-3)
    estimate = icc_absolute(ratings, raters)
    assert estimate.value == pytest.approx(0.29, abs=5e-3)
    assert estimate.ci is None and estimate.reason and "only 6 case(s)" in estimate.reason


def test_icc_reproduces_r_irr_on_anxiety() -> None:
    """R irr: icc(anxiety, model = "twoway", type = "agreement"): ICC(A,1) = 0.198, 95% CI -0.039 < ICC < 0.494."""
    estimate = icc_absolute(*matrix_ratings(ANXIETY))
    assert estimate.value == pytest.approx(0.198, abs=5e-4)
    assert estimate.ci == pytest.approx((-0.039, 0.494), abs=5e-4)


@FEW
@given(st.integers(2, 12), st.integers(2, 5), st.data())
def test_icc_mean_squares_match_an_independent_anova(cases: int, raters: int, data: st.DataObject) -> None:
    """Sums of squares by their definitions, cell by cell, in exact fractions."""
    rows = [data.draw(st.lists(st.integers(0, 4), min_size=raters, max_size=raters)) for _ in range(cases)]
    ratings, names = matrix_ratings(rows)
    grand = Fraction(sum(map(sum, rows)), cases * raters)
    row_means = [Fraction(sum(r), raters) for r in rows]
    col_means = [Fraction(sum(r[j] for r in rows), cases) for j in range(raters)]
    ss_rows = raters * sum((m - grand) ** 2 for m in row_means)
    ss_cols = cases * sum((m - grand) ** 2 for m in col_means)
    ss_error = sum((rows[i][j] - row_means[i] - col_means[j] + grand) ** 2 for i in range(cases) for j in range(raters))
    expected = (ss_rows / (cases - 1), ss_cols / (raters - 1), ss_error / ((cases - 1) * (raters - 1)))
    assert mean_squares(complete_matrix(ratings, names)) == pytest.approx([float(v) for v in expected], abs=1e-9)


# --- what every interval promises ------------------------------------------------------------------------------


@FEW
@given(study_ratings())
def test_every_interval_lies_in_minus_one_to_one_and_states_its_method(
    data: tuple[dict[str, dict[str, int]], int],
) -> None:
    ratings, levels = data
    raters = sorted({r for by_rater in ratings.values() for r in by_rater})
    estimates = [krippendorff_alpha(ratings, levels, level=lv, resamples=100) for lv in LEVELS]
    estimates.append(fleiss_kappa(ratings, levels, resamples=100))
    for pair in itertools.combinations(raters, 2):
        estimates += [
            weighted_kappa(ratings, pair, levels, weighting=w, resamples=100) for w in ("linear", "quadratic")
        ]
    for estimate in estimates:
        assert estimate.value is None or -1 <= estimate.value <= 1 + 1e-12
        if estimate.ci is not None:
            assert -1 <= estimate.ci[0] <= estimate.ci[1] <= 1
            assert estimate.detail and estimate.detail["interval"] == "bootstrap percentile over cases"
            assert estimate.detail["resamples"] == 100 and len(estimate.detail["monte_carlo_se"]) == 2
        else:
            assert estimate.reason  # no interval without saying why


def test_kappa_near_one_keeps_its_interval_below_one() -> None:
    """Issue 10: 0.882 [0.661, 1.104] was printed; one disagreement in 20 cases must stay inside [-1, 1]."""
    x = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]
    y = [*x[:-1], 2]
    for weighting in ("linear", "quadratic"):
        estimate = weighted_kappa(as_ratings(x, y), ("a", "b"), 3, weighting=weighting)
        assert estimate.ci is not None and estimate.ci[1] <= 1 and estimate.value is not None
        assert estimate.value > 0.85


def perfect(cases: int) -> dict[str, dict[str, int]]:
    return {f"C{n}": {"a": n % 3, "b": n % 3, "c": n % 3} for n in range(cases)}


@pytest.mark.parametrize("cases", [3, 12, 40])
def test_perfect_agreement_reads_the_same_for_every_coefficient(cases: int) -> None:
    """Issue 10: [1, 1] for one item, 'no interval' for another. Now: value 1, no interval, the same reason."""
    ratings = perfect(cases)
    estimates = [
        *(krippendorff_alpha(ratings, 3, level=lv) for lv in LEVELS),
        fleiss_kappa(ratings, 3),
        weighted_kappa(ratings, ("a", "b"), 3, weighting="linear"),
        weighted_kappa(ratings, ("a", "c"), 3, weighting="quadratic"),
        icc_absolute(ratings, ["a", "b", "c"]),
    ]
    for estimate in estimates:
        assert estimate.value == pytest.approx(1.0)
        assert estimate.ci is None and estimate.reason is not None
        assert estimate.reason.startswith(f"perfect agreement on all {cases} cases")


def test_too_few_cases_give_a_warning_not_an_interval() -> None:
    x, y = [0, 1, 2, 1, 0, 2, 1], [0, 1, 1, 1, 0, 2, 2]
    ratings = as_ratings(x, y)
    for estimate in [
        weighted_kappa(ratings, ("a", "b"), 3, weighting="linear"),
        krippendorff_alpha(ratings, 3),
        fleiss_kappa(ratings, 3),
    ]:
        assert estimate.value is not None and estimate.ci is None
        assert estimate.reason and "only 7 case(s): too few for a meaningful interval" in estimate.reason
    assert MIN_CASES_FOR_INTERVAL == 10


def test_monte_carlo_error_matches_the_spread_between_seeds() -> None:
    """The reported Monte-Carlo error of each bound is the spread of that bound over seeds (within a factor 2)."""
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 12)
    ratings = {f"C{n}": {f"r{k}": int(np.clip(t + rng.integers(-1, 2), 0, 2)) for k in range(3)} for n, t in
               enumerate(truth)}  # fmt: skip
    runs = [krippendorff_alpha(ratings, 3, resamples=500, seed=seed) for seed in range(40)]
    lows = np.array([r.ci[0] for r in runs if r.ci])
    highs = np.array([r.ci[1] for r in runs if r.ci])
    reported = np.array([r.detail["monte_carlo_se"] for r in runs if r.detail])
    assert len(lows) == 40
    for observed, claimed in ((lows.std(ddof=1), reported[:, 0].mean()), (highs.std(ddof=1), reported[:, 1].mean())):
        assert claimed / 2 < observed < claimed * 2


def test_monte_carlo_error_by_order_statistics() -> None:
    draws = np.arange(1001.0)
    assert monte_carlo_se(draws, 0.5) == 16.0
    # 2.5%: rank 25 +- sqrt(1001 * .025 * .975) = 4.94 -> order statistics 20 and 30
    assert monte_carlo_se(draws, 0.025) == 5.0


def test_pair_ranks_uses_cases_both_rated() -> None:
    assert pair_ranks({"C1": {"a": 0, "b": 1}, "C2": {"a": 2}, "C3": {"b": 0, "a": 1}}, ("a", "b")) == ([0, 1], [1, 0])


def test_one_case_defines_no_coefficient() -> None:
    """Issue 10: statistics on too few cases give a clear message, never a number that looks meaningful."""
    ratings = {"C1": {"a": 0, "b": 1, "c": 2}}
    for estimate in [
        weighted_kappa(ratings, ("a", "b"), 3, weighting="linear"),
        fleiss_kappa(ratings, 3),
        *(krippendorff_alpha(ratings, 3, level=lv) for lv in LEVELS),
    ]:
        assert estimate.value is None
        assert estimate.reason and estimate.reason.startswith("1 case only: agreement beyond chance cannot be")
