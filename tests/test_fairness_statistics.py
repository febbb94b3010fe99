"""The statistics beside the four-fifths ratio on the reports page: Fisher's
exact test of each group against the step's highest-rate group, the
shortfall, and when a step is flagged. Every number is worked out by hand
here (the arithmetic in the comments) or taken from a published reference,
and checked to the third decimal or better.

A 2×2 table is written as in the code: rows the group and the reference,
columns passed and did not pass; ``fisher_p(s, n, S, N)`` tests the group's
s passes of n against the reference's S of N.
"""
import subprocess
from fractions import Fraction
from math import comb

import pytest

from ats.models import SelfIdentification, Stage
from ats.queries.filters import Filters
from ats.queries.fairness import GroupStep, below_four_fifths, fisher_p, shortfall
from ats.queries.reports import build_report
from ats.reports.formatting import finding, p_value, ratio
from tests.fixtures import ROOT
from tests.pages import table_rows, text_of
from tests.served import BIN, free_port, production_env

A, S, I, O = Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER


@pytest.fixture
def signed_in_as(manager):
    """Reports are for managers: ``signed_in`` is one."""
    return manager


# --- Fisher's exact test -------------------------------------------------------

def by_hand(s: int, n: int, S: int, N: int) -> Fraction:
    """The two-sided p-value from the hypergeometric formula, in exact fractions:
    with the margins fixed (n and N in the rows, s + S passes in all), the
    chance that the group has a of the passes is
        P(a) = C(n, a) · C(N, s + S − a) / C(n + N, s + S)
    and the two-sided p-value adds up P(a) over every a no likelier than the
    observed one (R's and scipy's definition). The worked cases below are this
    sum done on paper."""
    passes = s + S
    total = comb(n + N, passes)
    chance = {a: Fraction(comb(n, a) * comb(N, passes - a), total) for a in range(0, min(n, passes) + 1)}
    return sum(p for p in chance.values() if p <= chance[s])


# Worked by hand. Each: the table, the terms C(n, a)·C(N, s+S−a) for every
# possible a (the observed one marked *), the ones no likelier than it, the sum.
HAND = [
    # Fisher's tea tasting, [[3, 1], [1, 3]]: n = N = 4, 4 passes of 8,
    # C(8, 4) = 70; a = 0…4: 1·1, 4·4, 6·6, 4·4*, 1·1 = 1, 16, 36, 16, 1 (sum 70).
    # P ≤ 16: a = 0, 1, 3, 4 → 1 + 16 + 16 + 1 = 34 → 34/70 = 0.485714.
    ((3, 4, 1, 4), Fraction(34, 70), "0.486"),
    # 6 of 10 against 8 of 10 ([[6, 4], [8, 2]], the reports test's male and
    # female): 14 passes of 20, C(20, 14) = 38760; a = 4…10:
    # C(10,4)·C(10,10) = 210·1 = 210, C(10,5)·C(10,9) = 252·10 = 2520,
    # C(10,6)·C(10,8) = 210·45 = 9450*, C(10,7)·C(10,7) = 120·120 = 14400,
    # then 9450, 2520, 210 again (sum 38760). P ≤ 9450: all but a = 7:
    # 38760 − 14400 = 24360 → 24360/38760 = 0.628483.
    ((6, 10, 8, 10), Fraction(24360, 38760), "0.628"),
    # 1 of 5 against 5 of 5 ([[1, 4], [5, 0]]): 6 passes of 10, C(10, 6) = 210;
    # the group fails at most 4, so a = 1…5: C(5,1)·C(5,5) = 5*, C(5,2)·C(5,4)
    # = 50, C(5,3)·C(5,3) = 100, C(5,4)·C(5,2) = 50, C(5,5)·C(5,1) = 5.
    # P ≤ 5: a = 1 and a = 5 → 10/210 = 0.047619.
    ((1, 5, 5, 5), Fraction(10, 210), "0.048"),
    # 2 of 8 against 9 of 10 ([[2, 6], [9, 1]]): 11 passes of 18, C(18, 11) =
    # 31824; a = 1…8: 8·C(10,10) = 8, 28·C(10,9) = 280*, 56·45 = 2520,
    # 70·120 = 8400, 56·210 = 11760, 28·252 = 7056, 8·210 = 1680, 1·120 = 120
    # (sum 31824). P ≤ 280: a = 1, 2, 8 → 8 + 280 + 120 = 408 → 408/31824 = 0.012821.
    ((2, 8, 9, 10), Fraction(408, 31824), "0.013"),
    # 12 of 15 against 24 of 24 ([[12, 3], [24, 0]]): 36 passes of 39,
    # C(39, 36) = C(39, 3) = 9139; the group fails at most 3, so a = 12…15:
    # C(15,12)·C(24,24) = 455*, C(15,13)·C(24,23) = 105·24 = 2520,
    # C(15,14)·C(24,22) = 15·276 = 4140, C(15,15)·C(24,21) = 2024 (sum 9139).
    # Only a = 12 is no likelier: 455/9139 = 0.049787, just under 0.05.
    ((12, 15, 24, 24), Fraction(455, 9139), "0.0498"),
]


@pytest.mark.parametrize("counts, exact, shown", HAND)
def test_fisher_p_on_cases_worked_by_hand(counts, exact, shown):
    assert by_hand(*counts) == exact  # the paper arithmetic above is right
    assert fisher_p(*counts) == pytest.approx(float(exact), abs=1e-12)
    assert p_value(fisher_p(*counts)) == shown


# Published values.
REFERENCE = [
    # The worked example of the English Wikipedia article "Fisher's exact test"
    # (24 teenagers by sex, studying or not): the table [[1, 9], [11, 3]],
    # one-tailed p = 0.001346, two-tailed p = 0.002759.
    ((1, 10, 11, 14), 0.002759, 5e-7),
    # Fisher's lady tasting tea, [[3, 1], [1, 3]]: Agresti, Categorical Data
    # Analysis (2nd ed., 2002), §3.5.1, one-sided P = 0.243, two-sided 0.486;
    # R's ?fisher.test example TeaTasting: "p = 0.2429" one-sided (the
    # two-sided value is twice it here, the table being symmetric).
    ((3, 4, 1, 4), 0.486, 5e-4),
    ((3, 4, 1, 4), 2 * 0.2429, 1e-4),
    # R's ?fisher.test example Convictions (Fisher 1962, 1970: convictions of
    # like-sex twins of criminals): matrix(c(2, 10, 15, 3), nrow = 2), that is
    # dizygotic 2 convicted of 17, monozygotic 10 of 13; fisher.test(Convictions,
    # conf.int = FALSE) prints p-value = 0.0005367.
    ((2, 17, 10, 13), 0.0005367, 5e-8),
]


@pytest.mark.parametrize("counts, published, within", REFERENCE)
def test_fisher_p_matches_published_values(counts, published, within):
    assert fisher_p(*counts) == pytest.approx(published, abs=within)


def test_the_test_is_the_same_whichever_way_round():
    assert fisher_p(6, 10, 8, 10) == pytest.approx(fisher_p(8, 10, 6, 10), abs=1e-15)
    assert fisher_p(5, 5, 5, 5) == 1.0


@pytest.mark.parametrize("value, shown", [
    (None, "—"),
    (0.00021, "< 0.001"),
    (0.000999, "< 0.001"),
    (0.001, "0.001"),
    (0.0027594, "0.003"),
    (0.31, "0.310"),
    (0.0498, "0.0498"),  # three decimals would say 0.050, the wrong side of 0.05
    (0.049996, "0.049996"),
    (0.05, "0.050"),
    (0.0504, "0.050"),
    (1.0, "1.000"),
])
def test_p_values_are_written_with_three_decimals(value, shown):
    assert p_value(value) == shown


# --- The shortfall and the ratio ---------------------------------------------

def test_the_shortfall_worked_by_hand():
    # Reference 40 of 50 (80 %); the group 10 of 25 (40 %): ratio 0.5. Four-fifths
    # of 80 % is 64 %, and 64 % of 25 is 16 passes: 6 more than 10.
    assert shortfall(10, 25, 40, 50) == 6
    assert not below_four_fifths(16, 25, 40, 50) and below_four_fifths(15, 25, 40, 50)
    # 6 of 10 against 8 of 10: 4/5 · 8/10 · 10 = 6.4 → 7 passes, 1 more.
    assert shortfall(6, 10, 8, 10) == 1
    # Nobody of 5 passed, everyone of the reference did: 4/5 · 5 = 4 more.
    assert shortfall(0, 5, 24, 24) == 4
    # Already there: 0.
    assert shortfall(8, 10, 9, 10) == 0


def test_exactly_four_fifths_is_not_below_it():
    # 16 of 25 against 4 of 5: 0.64 / 0.8 = 0.8 exactly, though in floating
    # point it comes out 0.7999999999999999.
    assert (16 / 25) / (4 / 5) < 0.8
    assert not below_four_fifths(16, 25, 4, 5)
    assert shortfall(16, 25, 4, 5) == 0
    assert below_four_fifths(15, 25, 4, 5) and shortfall(15, 25, 4, 5) == 1


def test_the_shortfall_is_the_fewest_more_and_always_fits_in_the_group():
    """Against the definition, for every small case: with the shortfall added
    the ratio reaches four-fifths, with one fewer it does not, and never more
    are needed than the group has left (the rate needed is at most 80 %)."""
    for N in range(1, 13):
        for S in range(1, N + 1):
            for n in range(1, 13):
                for s in range(0, n + 1):
                    if s * N > S * n:
                        continue  # the reference has the highest rate
                    k = shortfall(s, n, S, N)
                    assert 0 <= k <= n - s
                    assert Fraction(s + k, n) >= Fraction(4, 5) * Fraction(S, N)
                    if k:
                        assert Fraction(s + k - 1, n) < Fraction(4, 5) * Fraction(S, N)


# --- When a step is flagged --------------------------------------------------

def compared(s, n, S, N) -> GroupStep:
    """A group's cell as the report fills it, against a reference of S of N."""
    cell = GroupStep(n, s, True, rate=s / n, ratio=(s / n) / (S / N))
    cell.below = below_four_fifths(s, n, S, N)
    cell.shortfall = shortfall(s, n, S, N)
    cell.p_value = fisher_p(s, n, S, N)
    return cell


@pytest.mark.parametrize("counts, flagged, words", [
    # Ratio 0.5, p = 0.001 (10 of 25 against 40 of 50): both.
    ((10, 25, 40, 50), True, "Below four-fifths and statistically significant (p = 0.001)"),
    # Ratio 0.75, p = 0.628: below four-fifths only.
    ((6, 10, 8, 10), False,
     "Below four-fifths, but not statistically significant: the gap could be chance (p = 0.628)"),
    # Ratio 0.80 (not below), p = 0.0498: significant only.
    ((12, 15, 24, 24), False,
     "Statistically significant (p = 0.0498), but the ratio is at or above four-fifths"),
    # Ratio 0.875, p = 1: neither.
    ((7, 10, 8, 10), False, "Neither below four-fifths nor statistically significant (p = 1.000)"),
])
def test_a_step_is_flagged_only_when_ratio_and_test_agree(counts, flagged, words):
    cell = compared(*counts)
    assert cell.flagged is flagged
    assert finding(cell) == words


def test_a_p_value_under_a_thousandth_is_written_so():
    # 1 of 5 against 24 of 24 (the page's non-binary group below).
    assert finding(compared(1, 5, 24, 24)) == "Below four-fifths and statistically significant (p < 0.001)"


# --- On real data ------------------------------------------------------------

@pytest.fixture
def answered(db_session, create_application, create_role):
    """Applications with self-identification, each made at the furthest stage it reached."""
    role = create_role("ai-engineer", "AI Engineer")

    def add(gender: str, **at_stage: int) -> None:
        for stage, total in at_stage.items():
            for _ in range(total):
                application = create_application(role, "Someone", Stage(stage))
                db_session.add(SelfIdentification(application_id=application.id, gender=gender))
        db_session.commit()

    return add


@pytest.fixture
def four_findings(answered):
    """Gender, worked by hand:

    applied → screening: female 24 of 24 (100 %, the reference); male 12 of 15
      (80 %: ratio 0.80, not below; p = 0.0498: significant only); non-binary
      1 of 5 (20 %: ratio 0.20, p < 0.001: flagged, shortfall 4 − 1 = 3);
      prefer not to say 2 of 5 (shown, not compared).
    screening → interview: male 10 of 12 (83.3 %, the reference); female 12 of 24
      (50 %: ratio 0.60, p = 0.076: below only; 4/5 · 10/12 · 24 = 16 → shortfall 4);
      non-binary 1 and prefer not to say 2: fewer than 5.
    interview → offer: female 6 of 12 (50 %, the reference); male 4 of 10
      (40 %: ratio 0.80, p = 0.691: neither).
    offer → hired: female 0 of 6; male 4, fewer than 5: no comparison.
    """
    answered("female", screening=12, interview=6, offer=6)
    answered("male", applied=3, screening=2, interview=6, offer=4)
    answered("nonbinary", applied=4, screening=1)
    answered("decline", applied=3, screening=2)


def test_the_report_compares_each_group_with_the_reference(app_session, four_findings):
    gender = {row.value: row.steps for row in build_report(Filters()).fairness[0].rows}
    female, male, nonbinary, declined = (gender[key] for key in ("female", "male", "nonbinary", "decline"))

    assert female[0].reference and female[0].p_value is None and female[0].shortfall is None
    assert (male[0].selected, male[0].reached) == (12, 15)
    assert male[0].p_value == pytest.approx(455 / 9139, abs=1e-12)
    assert not male[0].below and male[0].significant and not male[0].flagged and male[0].shortfall == 0
    assert nonbinary[0].p_value < 0.001 and nonbinary[0].flagged and nonbinary[0].shortfall == 3
    assert declined[0].shown and declined[0].p_value is None and declined[0].shortfall is None

    assert male[1].reference
    assert female[1].below and not female[1].significant and female[1].shortfall == 4
    assert female[1].p_value == pytest.approx(float(by_hand(12, 24, 10, 12)), abs=1e-12)
    assert not nonbinary[1].shown and nonbinary[1].p_value is None

    assert female[2].reference and not male[2].below and not male[2].significant
    assert male[2].p_value == pytest.approx(float(by_hand(4, 10, 6, 12)), abs=1e-12)

    assert female[3].ratio is None and female[3].p_value is None  # no group passed: nothing to compare


def test_a_small_or_declined_group_is_never_the_reference_nor_tested(app_session, answered):
    # Non-binary: 4 of 4 pass, the highest rate, but fewer than 5. Prefer not to
    # say: 9 of 10, higher than any compared group. Female 8 of 10 is the reference.
    answered("nonbinary", screening=4)
    answered("decline", applied=1, screening=9)
    answered("female", applied=2, screening=8)
    answered("male", applied=5, screening=5)
    gender = {row.value: row.steps[0] for row in build_report(Filters()).fairness[0].rows}
    assert not gender["nonbinary"].shown and gender["nonbinary"].p_value is None
    assert (gender["nonbinary"].reached, gender["nonbinary"].selected) == (0, 0)
    assert gender["decline"].rate == 0.9 and gender["decline"].ratio is None and gender["decline"].p_value is None
    assert gender["female"].reference
    # 5 of 10 against 8 of 10: tested against female, not the larger rates.
    assert gender["male"].p_value == pytest.approx(float(by_hand(5, 10, 8, 10)), abs=1e-12)
    assert gender["male"].shortfall == 2  # 4/5 · 8/10 · 10 = 6.4 → 7


def test_tied_references_test_against_the_largest(app_session, answered):
    # Female 5 of 5 and male 10 of 10 both pass everyone: both are the
    # reference; non-binary 3 of 6 is tested against male's 10 of 10.
    answered("female", screening=5)
    answered("male", screening=10)
    answered("nonbinary", applied=3, screening=3)
    gender = {row.value: row.steps[0] for row in build_report(Filters()).fairness[0].rows}
    assert gender["female"].reference and gender["male"].reference
    assert gender["nonbinary"].p_value == pytest.approx(float(by_hand(3, 6, 10, 10)), abs=1e-12)
    assert gender["nonbinary"].p_value != pytest.approx(float(by_hand(3, 6, 5, 5)))


def test_one_test_per_compared_group_and_step(app_session, four_findings):
    """The tests a page runs are bounded by groups × steps: one per group
    compared, none for the reference, small or declined groups."""
    fisher_p.cache_clear()
    report = build_report(Filters())
    info = fisher_p.cache_info()
    # Gender: male and non-binary at the first step, female at the second, male
    # at the third; every other question has no group large enough.
    assert report.comparisons == 4
    assert info.hits + info.misses == 4


def test_the_page_shows_the_statistics_and_explains_them(client, signed_in, four_findings):
    response = client.get("/reports/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    rows = table_rows(body, "Gender: selection rate at each step")
    reference = "Highest rate: the others are compared with it"
    assert rows == [
        ["Group", "Passed", "Selection rate", "Impact ratio", "p-value", "Shortfall", "Finding"],
        ["Applied → Screening"],
        ["Female", "24 of 24", "100.0 %", "1.00", "reference", "—", reference],
        ["Male", "12 of 15", "80.0 %", "0.80", "0.0498", "0",
         "Statistically significant (p = 0.0498), but the ratio is at or above four-fifths"],
        ["Non-binary", "1 of 5", "20.0 %", "0.20", "< 0.001", "3",
         "Below four-fifths and statistically significant (p < 0.001)"],
        ["Prefer not to say", "2 of 5", "40.0 %", "—", "—", "—", "Not compared"],
        ["Screening → Interview"],
        ["Female", "12 of 24", "50.0 %", "0.60", "0.076", "4",
         "Below four-fifths, but not statistically significant: the gap could be chance (p = 0.076)"],
        ["Male", "10 of 12", "83.3 %", "1.00", "reference", "—", reference],
        ["Non-binary", "fewer than 5"],
        ["Prefer not to say", "fewer than 5"],
        ["Interview → Offer"],
        ["Female", "6 of 12", "50.0 %", "1.00", "reference", "—", reference],
        ["Male", "4 of 10", "40.0 %", "0.80", "0.691", "0",
         "Neither below four-fifths nor statistically significant (p = 0.691)"],
        ["Non-binary", "fewer than 5"],
        ["Prefer not to say", "fewer than 5"],
        ["Offer → Hired"],
        ["Female", "0 of 6", "0.0 %", "—", "—", "—", "No comparison: no group passed"],
        ["Male", "fewer than 5"],
        ["Non-binary", "fewer than 5"],
        ["Prefer not to say", "fewer than 5"],
    ]
    # Headers a screen reader can follow: columns, each step's rows, each row.
    gender = body[body.index('id="fairness-gender-caption"'):body.index('id="fairness-race_ethnicity"')]
    assert gender.count('<th scope="col"') == 7
    assert gender.count('<th scope="rowgroup" colspan="7">') == 4
    # The one flag is in words (the colour only repeats them).
    assert body.count('class="fairness__flag"') == 1
    assert ('<strong class="fairness__flag">Below four-fifths and statistically significant (p &lt; 0.001)</strong>'
            in body)

    text = text_of(body)
    for words in (
        "Suppose belonging to the group made no difference to passing this step",
        "how surprising a gap at least this large",
        "not the probability that a group was treated unfairly",
        "A large p-value is no proof of fairness: small groups rarely reach significance",
        "These tables make 4 comparisons",
        "about one in twenty comparisons would come out under 0.05 by chance alone",
        "would have had to pass the step for its ratio to reach 0.8",
        "only when both hold",
        "not compared with the other groups nor used as the reference",
    ):
        assert words in text, words


def test_the_app_starts_without_scipy(tmp_path):
    """scipy (with numpy) takes a second or two and some 75 MB to import: the
    first report a process draws pays for it, not every process's start-up
    (web workers, the job worker, each CLI command)."""
    env = production_env(tmp_path, f"sqlite:///{tmp_path / 'ats.sqlite3'}", free_port())
    check = "import sys, wsgi; print([name for name in ('scipy', 'numpy') if name in sys.modules])"
    done = subprocess.run([str(BIN / "python"), "-c", check], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_ratio_is_shown_on_the_side_of_the_line_it_is_on():
    # 16 of 25 against 4 of 5 is exactly four-fifths, 0.7999… in floating point.
    exact = (16 / 25) / (4 / 5)
    assert not below_four_fifths(16, 25, 4, 5)
    assert ratio(exact, below=False) == "0.80"
    # Under the line, but two decimals would round it up onto it.
    assert ratio(0.7996, below=True) == "0.7996"
    assert ratio(0.7951, below=True) == "0.795"
    # Far from the line: two decimals, whichever side.
    assert ratio(0.5, below=True) == "0.50"
    assert ratio(0.9149, below=False) == "0.91"
    assert ratio(None) == "—"
