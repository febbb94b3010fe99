"""The skill-match score, stated once: ``skill_match_score`` from
``SkillLevel.weight``, and the same number for the same annotations on the
application page, on the board and in the pipeline CSV."""
import csv
import io
import re

import pytest

from ats.models import SkillLevel
from ats.models.assessment import skill_match_score
from tests.fixtures.staff import staff_csrf_token
from tests.pages import text_of

S, P, N, U = SkillLevel.STRONG, SkillLevel.PARTIAL, SkillLevel.NONE, SkillLevel.UNKNOWN

# The levels given to a role's skills (the rest are not assessed), the role's
# number of skills, and the score the contract gives: strong = 1, partial = ½,
# over the role's skills, one decimal; none while nothing is assessed.
CASES = [
    ((), 8, None),
    ((U, U), 8, None),
    ((N,), 8, 0.0),
    ((S,), 3, 33.3),
    ((P,), 3, 16.7),
    ((S, P), 7, 21.4),
    ((S, S, S, P, P, N, U, U), 8, 50.0),
    ((S, S, S, S, S, N, N, N), 8, 62.5),
    ((S, S, S, P, P, P, N), 8, 56.2),  # 56.25, rounded as Python rounds it
    ((S,) * 8, 8, 100.0),
]


def counts(levels) -> tuple[int, int, int]:
    """(strong, partial, assessed): the counts an application keeps."""
    return levels.count(S), levels.count(P), sum(level is not U for level in levels)


@pytest.mark.parametrize(("levels", "skill_count", "expected"), CASES)
def test_the_score_is_the_levels_weights_over_the_roles_skills(levels, skill_count, expected):
    assert skill_match_score(*counts(levels), skill_count) == expected
    weights = [level.weight for level in levels if level.weight is not None]
    assert expected == (round(100 * sum(weights) / skill_count, 1) if weights else None)


def test_a_role_without_skills_has_no_score():
    assert skill_match_score(1, 0, 1, 0) is None


# --- The same number wherever it is shown -----------------------------------------

ROLE = "healthcare-ai-engineer"


@pytest.fixture
def signed_in_as(manager):
    """Managers see the board and the application page, and download the CSV:
    ``signed_in`` is one."""
    return manager


def page_score(client, application_id: int) -> str | None:
    body = client.get(f"/pipeline/applications/{application_id}").get_data(as_text=True)
    found = re.search(r'<span class="score__number[^"]*">([^<]*)</span>', body)
    return None if found.group(1) == "Not scored yet" else found.group(1)


def board_scores(client) -> dict[int, str | None]:
    body = client.get(f"/pipeline/{ROLE}").get_data(as_text=True)
    found = {}
    for card in re.findall(r'<li class="card">(.*?)</li>', body, re.S):
        application_id = int(re.search(r'href="/pipeline/applications/(\d+)"', card).group(1))
        score = text_of(re.search(r"<dt>Skill match</dt><dd>(.*?)</dd>", card, re.S).group(1))
        found[application_id] = None if score == "— not scored" else score
    return found


def csv_scores(client) -> dict[int, str | None]:
    response = client.get(f"/reports/pipeline.csv?role={ROLE}")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data()[3:].decode("utf-8"), newline=""))
    return {int(row["application_id"]): row["skill_match_score"] or None for row in rows}


def test_the_page_the_board_and_the_csv_show_the_same_score(
        client, signed_in, role, skills, create_application):
    assert len(skills) == 8
    expected = {}
    for number, (levels, skill_count, score) in enumerate(CASES):
        if skill_count != len(skills):
            continue
        application_id = create_application(role, f"Case {number}").id
        path = f"/pipeline/applications/{application_id}"
        # Through the annotation form, so the counts are the ones the service keeps.
        data = {"csrf_token": staff_csrf_token(client, path)}
        data.update({f"skill-{slug}": level.value for slug, level in zip(skills, levels)})
        assert client.post(f"{path}/skills", data=data).status_code == 303
        expected[application_id] = None if score is None else f"{score:.1f}"
    assert len(expected) == 7

    assert {application_id: page_score(client, application_id) for application_id in expected} == expected
    assert board_scores(client) == expected
    assert csv_scores(client) == expected
