"""A role's board (contract: GET /pipeline/<role_slug>): columns and counts,
cards, ?q=, ?stage=, ?page=, the per-card move form, bulk moves, and escaping."""
import html
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from ats.extensions import db
from ats.models import Application, AuditEvent, Stage, StageChange, utcnow
from ats.queries.board import PAGE_SIZE
from tests.fixtures.staff import staff_csrf_token
from tests.pages import recorded_statements, selects, text_of

S = Stage
BOARD = "/pipeline/ai-engineer"


def columns(body: str) -> list[dict]:
    """Each column of the board: its heading text, count, and cards."""
    found = []
    for section in re.findall(r'<section class="board-column[^"]*"[^>]*>(.*?)</section>', body, re.S):
        heading = re.search(r"<h2[^>]*>(.*?)</span></span></h2>", section, re.S)
        label, count = re.match(r"(\w+) (\d+)", text_of(heading.group(0))).groups()
        found.append({
            "label": label,
            "count": int(count),
            "cards": [cards(card) for card in re.findall(r'<li class="card">(.*?)</li>', section, re.S)],
        })
    return found


def cards(fragment: str) -> dict:
    facts = dict(
        (text_of(dt), text_of(dd))
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", fragment, re.S)
    )
    link = re.search(r'<h3 class="card__name"><a href="([^"]+)">(.*?)</a>', fragment, re.S)
    return {"href": link.group(1), "name": html.unescape(link.group(2)), "html": fragment, **facts}


def names(body: str) -> dict[str, list[str]]:
    return {column["label"]: [card["name"] for card in column["cards"]] for column in columns(body)}


@pytest.fixture
def board_role(create_role):
    """The role whose board these tests look at (BOARD): made here, so it has no skills."""
    return create_role("ai-engineer", "AI Engineer")


@pytest.fixture
def applicant(create_application):
    """``applicant(role, name, stage, days, **columns)``: ``create_application`` as
    the board tests say it: ``days`` in the stage, ``applied_days`` ago, and a
    closed application closed from Screening unless told otherwise."""

    def make(role, name, stage=S.APPLIED, days=0, applied_days=None, **columns):
        if applied_days is not None:
            columns["applied_at"] = utcnow() - timedelta(days=applied_days)
        if stage.is_closed:
            columns.setdefault("closed_from_stage", S.SCREENING)
        return create_application(role, name, stage, days_in_stage=days, **columns)

    return make


# --- Who sees it -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, board_role):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert "/login?next=%2Fpipeline%2Fai-engineer" in response.headers["Location"]


def test_an_unknown_role_is_404(client, signed_in, board_role):
    assert client.get("/pipeline/no-such-role").status_code == 404
    assert client.get("/pipeline/no-such-role?page=x").status_code == 404
    token = staff_csrf_token(client, BOARD)
    assert client.post("/pipeline/no-such-role/bulk", data={"csrf_token": token}).status_code == 404


# --- Columns, counts and cards ---------------------------------------------------------


def test_one_column_per_stage_open_first_with_counts(client, signed_in, board_role, applicant, create_role):
    other = create_role("other", "Other")
    applicant(board_role, "Ada", S.APPLIED)
    applicant(board_role, "Ben", S.APPLIED)
    applicant(board_role, "Cy", S.INTERVIEW)
    applicant(board_role, "Di", S.HIRED)
    applicant(board_role, "Eve", S.WITHDRAWN)
    applicant(other, "Not On This Board", S.APPLIED)

    response = client.get(BOARD)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    found = columns(body)
    assert [(c["label"], c["count"]) for c in found] == [
        ("Applied", 2), ("Screening", 0), ("Interview", 1), ("Offer", 0),
        ("Hired", 1), ("Rejected", 0), ("Withdrawn", 1),
    ]
    assert "Not On This Board" not in body
    assert "<h1>AI Engineer" in body
    # Columns are sections named by their headings; cards are list items.
    assert '<section class="board-column board-column--applied" aria-labelledby="column-applied">' in body
    assert '<h2 class="board-column__title" id="column-applied">' in body


def test_cards_show_name_location_applied_date_days_in_stage_and_score(client, signed_in, board_role, applicant):
    scored = applicant(
        board_role, "Grace Hopper", S.SCREENING, days=12, applied_days=40, location="Arlington, VA",
        skills_strong=1, skills_partial=1, skills_assessed=3,
    )
    applicant(board_role, "Alan Turing", S.SCREENING, days=1, location="")
    applied_on = utcnow() - timedelta(days=40)

    body = client.get(BOARD).get_data(as_text=True)
    screening = next(c for c in columns(body) if c["label"] == "Screening")
    grace, alan = screening["cards"]  # longest in the stage first
    assert grace["name"] == "Grace Hopper"
    assert grace["href"] == f"/pipeline/applications/{scored.id}"
    assert grace["Location"] == "Arlington, VA"
    assert grace["Applied"] == f"{applied_on.day} {applied_on:%b} {applied_on.year}"
    assert f'<time datetime="{applied_on.date().isoformat()}">' in grace["html"]
    assert grace["In stage"] == "12 days"
    # No skills on a role made by create_role: the score needs the role's skill count.
    assert alan["Location"] == "—"
    assert alan["In stage"] == "1 day"


def test_the_score_has_one_decimal_and_a_dash_when_not_scored(client, signed_in, seeded, applicant, db_session):
    from ats.models import Role

    role = db_session.scalars(select(Role)).one()
    skills = len(role.active_skills)
    applicant(role, "Scored", S.APPLIED, days=3, skills_strong=2, skills_partial=1, skills_assessed=4)
    applicant(role, "Not Scored", S.APPLIED, days=1)

    body = client.get(f"/pipeline/{role.slug}").get_data(as_text=True)
    scored, not_scored = columns(body)[0]["cards"]
    assert scored["Skill match"] == f"{100 * 2.5 / skills:.1f}"
    assert not_scored["Skill match"] == "— not scored"
    assert '<span aria-hidden="true">—</span><span class="visually-hidden">not scored</span>' in not_scored["html"]


def test_each_column_lists_the_longest_waiting_first(client, signed_in, board_role, applicant):
    for name, days in [("Two", 2), ("Ten", 10), ("Zero", 0), ("Five", 5)]:
        applicant(board_role, name, S.APPLIED, days=days)
    assert names(client.get(BOARD).get_data(as_text=True))["Applied"] == ["Ten", "Five", "Two", "Zero"]


def test_an_empty_board_says_so(client, signed_in, board_role):
    body = client.get(BOARD).get_data(as_text=True)
    assert "No applications yet." in body
    assert all(column["count"] == 0 for column in columns(body))


# --- ?q= ------------------------------------------------------------------------------


@pytest.fixture
def searchable(board_role, applicant):
    applicant(board_role, "Zoë Ünal", S.APPLIED, email="zoe@hospital.example", location="Zürich")
    applicant(board_role, "ZOË MÜLLER", S.SCREENING, email="mueller@clinic.example", location="Berlin")
    applicant(board_role, "Chidi Okafor", S.INTERVIEW, email="chidi.okafor@example.org", location="Lagos",
              profile="Built a 100% recall triage model for sepsis_alerts.")
    applicant(board_role, "Priya Raman", S.APPLIED, email="priya@example.org", location="Chennai",
              profile="Clinical NLP on discharge notes; 100 x faster")
    applicant(board_role, "Mateo García", S.REJECTED, email="mateo_g@example.org", location="Madrid",
              profile="Radiology AI.")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("okafor", {"Chidi Okafor"}),  # name, another case
        ("HOSPITAL.EXAMPLE", {"Zoë Ünal"}),  # email
        ("chennai", {"Priya Raman"}),  # location
        ("discharge NOTES", {"Priya Raman"}),  # profile
        ("zoë", {"Zoë Ünal", "ZOË MÜLLER"}),  # non-ASCII, either case
        ("ZOË", {"Zoë Ünal", "ZOË MÜLLER"}),
        ("zürich", {"Zoë Ünal"}),
        ("müller", {"ZOË MÜLLER"}),
        ("ünal", {"Zoë Ünal"}),
        ("100%", {"Chidi Okafor"}),  # % is a character, not a wildcard
        ("sepsis_alerts", {"Chidi Okafor"}),
        ("s_psis", set()),  # _ is a character, not "any one character"
        ("%", {"Chidi Okafor"}),
        ("_", {"Chidi Okafor", "Mateo García"}),
        ("\\", set()),
        ("  okafor   ", {"Chidi Okafor"}),  # surrounding space is ignored
        ("chidi okafor", {"Chidi Okafor"}),  # the whole query, not any word of it
        ("okafor chidi", set()),
        ("nobody at all", set()),
    ],
)
def test_search_over_name_email_location_and_profile(client, signed_in, searchable, query, expected):
    response = client.get(BOARD, query_string={"q": query})
    assert response.status_code == 200
    found = {name for column in names(response.get_data(as_text=True)).values() for name in column}
    assert found == expected


def test_search_counts_only_matching_applications(client, signed_in, searchable):
    body = client.get(BOARD, query_string={"q": "zoë"}).get_data(as_text=True)
    counts = {c["label"]: c["count"] for c in columns(body)}
    assert counts == {"Applied": 1, "Screening": 1, "Interview": 0, "Offer": 0, "Hired": 0, "Rejected": 0, "Withdrawn": 0}
    assert "2 applications match “zoë”" in text_of(body)
    # The search box keeps the query.
    assert 'name="q" value="zoë"' in body


def test_a_search_that_finds_nothing_says_so(client, signed_in, searchable):
    body = client.get(BOARD, query_string={"q": "nobody"}).get_data(as_text=True)
    assert "No application matches “nobody”." in text_of(body)


# --- ?stage= ------------------------------------------------------------------------------


def test_stage_shows_one_column(client, signed_in, searchable):
    body = client.get(BOARD, query_string={"stage": "screening"}).get_data(as_text=True)
    assert [(c["label"], [card["name"] for card in c["cards"]]) for c in columns(body)] == [
        ("Screening", ["ZOË MÜLLER"])
    ]
    # The filter lists every stage, the chosen one selected, with its count.
    assert '<option value="screening" selected>Screening (1)</option>' in body
    assert '<option value="applied">Applied (2)</option>' in body


def test_stage_and_search_together(client, signed_in, searchable):
    body = client.get(BOARD, query_string={"stage": "applied", "q": "ZOË"}).get_data(as_text=True)
    assert names(body) == {"Applied": ["Zoë Ünal"]}


@pytest.mark.parametrize("value", ["nope", "Applied", "APPLIED", "applied ", "closed"])
def test_an_unknown_stage_is_400_with_a_message(client, signed_in, board_role, value):
    response = client.get(BOARD, query_string={"stage": value})
    assert response.status_code == 400
    text = text_of(response.get_data(as_text=True))
    assert f"There is no stage called “{value}”" in text
    assert "The stages are: applied, screening, interview, offer, hired, rejected, withdrawn." in text
    assert f'href="{BOARD}"' in response.get_data(as_text=True)


def test_an_empty_stage_shows_every_column(client, signed_in, board_role):
    assert len(columns(client.get(BOARD, query_string={"stage": ""}).get_data(as_text=True))) == 7


# --- ?page= -------------------------------------------------------------------------------


@pytest.fixture
def crowded(board_role, applicant):
    for number in range(PAGE_SIZE + 5):
        applicant(board_role, f"Applied {number:02}", S.APPLIED, days=100 - number)
    for number in range(3):
        applicant(board_role, f"Offer {number}", S.OFFER, days=10 - number)


def test_pages_split_each_column(client, signed_in, crowded):
    first = client.get(BOARD).get_data(as_text=True)
    assert names(first)["Applied"] == [f"Applied {n:02}" for n in range(PAGE_SIZE)]
    assert names(first)["Offer"] == ["Offer 0", "Offer 1", "Offer 2"]
    assert '<nav class="container pagination" aria-label="Board pages">' in first
    assert "Page 1 of 2" in first
    assert f'href="{BOARD}?page=2" rel="next"' in first

    second = client.get(BOARD, query_string={"page": "2"}).get_data(as_text=True)
    assert names(second)["Applied"] == [f"Applied {n:02}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert names(second)["Offer"] == []
    assert "No cards on this page." in second
    # Counts stay the whole column's.
    assert {c["label"]: c["count"] for c in columns(second)}["Applied"] == PAGE_SIZE + 5
    assert f'href="{BOARD}" rel="prev"' in second


def test_links_between_pages_keep_the_search_and_stage(client, signed_in, crowded):
    body = client.get(BOARD, query_string={"q": "applied", "stage": "applied"}).get_data(as_text=True)
    assert f'href="{BOARD}?q=applied&amp;stage=applied&amp;page=2" rel="next"' in body


def test_a_page_past_the_end_is_empty(client, signed_in, crowded):
    response = client.get(BOARD, query_string={"page": "9"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert all(not column["cards"] for column in columns(body))
    assert "Page 9 is past the end: there are 2 pages." in text_of(body)
    assert f'href="{BOARD}?page=2" rel="prev"' in body


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "", " 2", "+2", "٢", "1e3", "99999999999999999999"])
def test_a_bad_page_is_400_with_a_message(client, signed_in, crowded, value):
    response = client.get(BOARD, query_string={"page": value})
    assert response.status_code == 400
    assert f"“{value}” is not a page number: pages are counted from 1." in text_of(response.get_data(as_text=True))


# --- A fixed number of queries ---------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_data(app, client, signed_in, board_role, applicant):
    def queries(path: str) -> int:
        with app.app_context():
            engine = db.engine
        with recorded_statements(engine) as statements:
            assert client.get(path).status_code == 200
        return selects(statements)

    stages = list(Stage)
    for number in range(10):
        applicant(board_role, f"Few {number}", stages[number % 7], days=number)
    few = [queries(BOARD), queries(f"{BOARD}?q=few"), queries(f"{BOARD}?stage=offer")]

    for number in range(190):
        applicant(board_role, f"Many {number}", stages[number % 7], days=number % 40)
    many = [queries(BOARD), queries(f"{BOARD}?q=many"), queries(f"{BOARD}?stage=offer")]

    assert few == many
    assert many[0] == 3  # the signed-in user, the role with its counts, the cards
    assert max(many) <= 3


# --- Moving one card --------------------------------------------------------------------------


def move_link(card_html: str) -> str:
    return html.unescape(re.search(r'<p class="card__move"><a href="([^"]+)">Move<', card_html).group(1))


def move_form(client, card_html: str) -> dict:
    """The form of the move page that the card's "Move" link opens."""
    page = client.get(move_link(card_html))
    assert page.status_code == 200
    form = re.search(r'<form class="stage-form" method="post" action="([^"]+)"[^>]*>(.*?)</form>',
                     page.get_data(as_text=True), re.S)
    fields = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', form.group(2)):
        fields[re.search(r'name="(\w+)"', tag).group(1)] = html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
    # The stage's options (the message fields have a select of their own).
    stage_select = re.search(r'<select[^>]*name="stage"[^>]*>(.*?)</select>', form.group(2), re.S).group(1)
    options = re.findall(r'<option(?: selected)? value="(\w+)"(?: selected)?>([^<]+)</option>', stage_select)
    selected = re.findall(r'<option selected value="(\w+)"|<option value="(\w+)" selected', stage_select)
    return {
        "action": form.group(1),
        "fields": fields,
        "options": options,
        "selected": [a or b for a, b in selected],
        "html": form.group(2),
    }


def test_each_card_links_to_a_move_page_with_the_moves_the_rules_allow(client, signed_in, board_role, applicant):
    applied = applicant(board_role, "New One", S.APPLIED)
    offer = applicant(board_role, "At Offer", S.OFFER)
    rejected = applicant(board_role, "Turned Down", S.REJECTED, closed_from_stage=S.INTERVIEW)

    body = client.get(BOARD, query_string={"q": "o", "page": "1"}).get_data(as_text=True)
    by_name = {card["name"]: card for column in columns(body) for card in column["cards"]}

    assert move_link(by_name["New One"]["html"]) == f"/pipeline/applications/{applied.id}/stage?next={BOARD}%3Fq%3Do"
    form = move_form(client, by_name["New One"]["html"])
    assert form["action"] == f"/pipeline/applications/{applied.id}/stage"
    assert form["fields"]["version"] == str(applied.version)
    assert form["fields"]["next"] == f"{BOARD}?q=o"
    assert form["fields"]["csrf_token"]
    assert form["options"] == [
        ("screening", "Screening"), ("interview", "Interview"), ("offer", "Offer"), ("hired", "Hired"),
        ("rejected", "Rejected (needs a reason)"), ("withdrawn", "Withdrawn"),
    ]
    assert form["selected"] == ["screening"]  # the next step forward comes first
    assert 'name="reason"' in form["html"]

    at_offer = move_form(client, by_name["At Offer"]["html"])
    assert at_offer["options"] == [
        ("applied", "Applied (needs a reason)"), ("screening", "Screening (needs a reason)"),
        ("interview", "Interview (needs a reason)"), ("hired", "Hired"),
        ("rejected", "Rejected (needs a reason)"), ("withdrawn", "Withdrawn"),
    ]
    assert at_offer["selected"] == ["hired"]
    # A closed application reopens only to where it was closed from.
    reopen = move_form(client, by_name["Turned Down"]["html"])
    assert reopen["options"] == [("interview", "Interview (needs a reason)")]
    assert reopen["selected"] == ["interview"]
    assert reopen["fields"]["version"] == str(rejected.version)
    assert offer.id != rejected.id


def test_the_move_page_moves_the_application_and_comes_back_to_the_board(client, signed_in, board_role, applicant,
                                                                         db_session):
    application = applicant(board_role, "Mover", S.APPLIED)
    card = columns(client.get(BOARD, query_string={"stage": "applied"}).get_data(as_text=True))[0]["cards"][0]
    form = move_form(client, card["html"])
    response = client.post(form["action"], data={**form["fields"], "stage": "screening", "reason": ""})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BOARD}?stage=applied"
    db_session.refresh(application)
    assert application.stage == S.SCREENING


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/x", "", "javascript:alert(1)"])
def test_the_move_page_only_goes_back_to_same_site_paths(client, signed_in, board_role, applicant, next_path):
    application = applicant(board_role, "Mover", S.APPLIED)
    body = client.get(f"/pipeline/applications/{application.id}/stage", query_string={"next": next_path})
    assert body.status_code == 200
    assert f'name="next" type="hidden" value="{BOARD}"' in body.get_data(as_text=True)


def test_the_move_page_of_a_missing_application_is_404(client, signed_in):
    assert client.get("/pipeline/applications/999999/stage").status_code == 404


# --- Bulk moves ------------------------------------------------------------------------------------


def bulk(client, auth, applications, stage="rejected", reason="Not enough imaging experience", **extra):
    data = {
        "csrf_token": auth.token(BOARD),
        "application": [
            a if isinstance(a, str) else f"{a.id}:{a.version}" for a in applications
        ],
        "stage": stage,
        "reason": reason,
        **extra,
    }
    return client.post(f"{BOARD}/bulk", data=data)


def flashes(client) -> str:
    body = client.get(BOARD).get_data(as_text=True)
    found = re.search(r'<div class="container flashes" role="status">(.*?)</div>', body, re.S)
    return text_of(found.group(1)) if found else ""


def test_the_board_has_a_bulk_form_and_a_checkbox_per_card(client, signed_in, board_role, applicant):
    application = applicant(board_role, "Tickable", S.APPLIED)
    body = client.get(BOARD).get_data(as_text=True)
    assert '<form class="bulk" id="bulk-move" method="post" action="/pipeline/ai-engineer/bulk">' in body
    card = columns(body)[0]["cards"][0]["html"]
    assert (
        f'<input type="checkbox" name="application" value="{application.id}:{application.version}" form="bulk-move">'
        in card
    )


def test_bulk_reject_with_a_reason(client, signed_in, auth, board_role, applicant, db_session, recruiter):
    first = applicant(board_role, "First", S.APPLIED)
    second = applicant(board_role, "Second", S.INTERVIEW)
    untouched = applicant(board_role, "Untouched", S.APPLIED)

    response = bulk(client, auth, [first, second], next=f"{BOARD}?q=s")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BOARD}?q=s"
    assert flashes(client) == "Moved 2 applications to Rejected."

    for application, was in [(first, S.APPLIED), (second, S.INTERVIEW)]:
        db_session.refresh(application)
        assert application.stage == S.REJECTED
        assert application.closed_from_stage == was
        change = db_session.scalars(
            select(StageChange).filter_by(application_id=application.id).order_by(StageChange.id.desc())
        ).first()
        assert (change.from_stage, change.to_stage, change.reason, change.actor_id) == (
            was, S.REJECTED, "Not enough imaging experience", recruiter.id,
        )
        event_ = db_session.scalars(select(AuditEvent).filter_by(application_id=application.id)).one()
        assert event_.action == "stage.move"
        assert event_.actor_id == recruiter.id
        assert event_.detail == {"from": was.value, "to": "rejected", "reason": "Not enough imaging experience"}
    db_session.refresh(untouched)
    assert untouched.stage == S.APPLIED


def test_bulk_move_forward(client, signed_in, auth, board_role, applicant, db_session):
    first = applicant(board_role, "First", S.APPLIED)
    second = applicant(board_role, "Second", S.APPLIED)
    response = bulk(client, auth, [first, second], stage="screening", reason="")
    assert response.status_code == 303
    assert response.headers["Location"] == BOARD
    assert flashes(client) == "Moved 2 applications to Screening."
    assert {db_session.get(Application, a.id).stage for a in (first, second)} == {S.SCREENING}


def test_bulk_partial_success_names_what_was_refused_and_why(client, signed_in, auth, board_role, applicant,
                                                             db_session):
    fresh = applicant(board_role, "Fresh Card", S.APPLIED)
    stale = applicant(board_role, "Stale Card", S.APPLIED)
    closed = applicant(board_role, "Already Hired", S.HIRED, closed_from_stage=S.OFFER)
    shown = f"{stale.id}:{stale.version}"
    # Someone moves "Stale Card" after the board was shown.
    stale.stage = S.SCREENING
    db_session.commit()

    response = bulk(client, auth, [fresh, shown, closed], stage="interview", reason="")
    assert response.status_code == 303
    message = flashes(client)
    assert message.startswith("Moved 1 application to Interview. Not moved (2): ")
    assert "Stale Card: someone else changed it after the board was shown; reload the board and try again" in message
    assert "Already Hired: A closed application can only be reopened to Offer" in message

    assert db_session.get(Application, fresh.id).stage == S.INTERVIEW
    assert db_session.get(Application, stale.id).stage == S.SCREENING
    assert db_session.get(Application, closed.id).stage == S.HIRED


def test_bulk_reject_without_a_reason_moves_nothing(client, signed_in, auth, board_role, applicant, db_session):
    one = applicant(board_role, "One", S.APPLIED)
    response = bulk(client, auth, [one], reason="   ")
    assert response.status_code == 303
    assert flashes(client) == "Not moved (1): One: Rejecting needs a reason."
    assert db_session.get(Application, one.id).stage == S.APPLIED
    assert db_session.scalars(select(AuditEvent)).all() == []


def test_bulk_refuses_applications_of_other_roles(client, signed_in, auth, board_role, applicant, create_role,
                                                  db_session):
    elsewhere = applicant(create_role("other", "Other"), "Elsewhere", S.APPLIED)
    response = bulk(client, auth, [elsewhere])
    assert response.status_code == 303
    assert flashes(client) == f"Not moved (1): Application {elsewhere.id}: it is not on this board."
    assert db_session.get(Application, elsewhere.id).stage == S.APPLIED


def test_bulk_goes_back_to_the_board_only(client, signed_in, auth, board_role):
    for unsafe in ["https://evil.example/", "//evil.example", "/pipeline/", "/pipeline/other?x=1", "/\\evil"]:
        response = bulk(client, auth, ["999999:1"], next=unsafe)
        assert response.status_code == 303
        assert response.headers["Location"] == BOARD


@pytest.mark.parametrize(
    ("applications", "stage", "message"),
    [
        ([], "rejected", "No applications were selected"),
        (["12"], "rejected", "“12” does not name an application and its version."),
        (["a:1"], "rejected", "“a:1” does not name an application and its version."),
        (["1:-1"], "rejected", "“1:-1” does not name an application and its version."),
        (["1:1"], "", "Choose the stage the selected applications should move to."),
        (["1:1"], "archived", "Choose the stage the selected applications should move to."),
        ([f"{n}:1" for n in range(1, 202)], "rejected", "At most 200 applications can be moved at once."),
    ],
)
def test_bulk_input_the_board_cannot_use_is_422(client, signed_in, auth, board_role, applications, stage, message):
    response = bulk(client, auth, applications, stage=stage)
    assert response.status_code == 422
    text = text_of(response.get_data(as_text=True))
    assert message in text
    assert "Nothing was moved" in text


def test_a_bulk_reason_over_the_limit_is_422(client, signed_in, auth, board_role, applicant, db_session):
    one = applicant(board_role, "One", S.APPLIED)
    response = bulk(client, auth, [one], reason="x" * 2001)
    assert response.status_code == 422
    assert db_session.get(Application, one.id).stage == S.APPLIED


def test_a_reason_has_one_limit_on_the_board_and_on_the_move_page(client, signed_in, auth, board_role, applicant,
                                                                  db_session):
    bulk_moved, page_moved = applicant(board_role, "Bulk", S.APPLIED), applicant(board_role, "Page", S.APPLIED)
    board = client.get(BOARD).get_data(as_text=True)
    [bulk_limit] = re.findall(r'id="bulk-reason" name="reason" maxlength="(\d+)"', board)
    move_page = f"/pipeline/applications/{page_moved.id}/stage"
    [page_limit] = re.findall(r'<textarea[^>]*id="stage-reason" maxlength="(\d+)"',
                              client.get(move_page).get_data(as_text=True))
    assert bulk_limit == page_limit
    limit = int(page_limit)

    def move_on_page(reason):
        data = {"csrf_token": auth.token(move_page), "stage": "rejected", "reason": reason,
                "version": str(db_session.get(Application, page_moved.id).version)}
        return client.post(move_page, data=data)

    assert bulk(client, auth, [bulk_moved], reason="x" * (limit + 1)).status_code == 422
    assert move_on_page("x" * (limit + 1)).status_code == 422
    assert bulk(client, auth, [bulk_moved], reason="x" * limit).status_code == 303
    assert move_on_page("x" * limit).status_code == 303
    for application in (bulk_moved, page_moved):
        db_session.refresh(application)
        assert application.stage == S.REJECTED


def test_bulk_needs_the_csrf_token(client, signed_in, board_role, applicant):
    one = applicant(board_role, "One", S.APPLIED)
    response = client.post(f"{BOARD}/bulk", data={"application": f"{one.id}:1", "stage": "withdrawn"})
    assert response.status_code == 400


# --- Escaping ------------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("hostile", HOSTILE)
def test_candidate_text_is_escaped_on_the_board(client, signed_in, board_role, applicant, hostile):
    applicant(board_role, hostile, S.APPLIED, email=f"{hostile}@example.org", location=hostile, profile=hostile)
    applicant(board_role, f"Closed {hostile}", S.REJECTED, location=hostile)
    for query in [{}, {"q": hostile}, {"q": hostile, "stage": "rejected"}]:
        body = client.get(BOARD, query_string=query).get_data(as_text=True)
        assert hostile not in body
        assert "<script>" not in body and "<img" not in body
        assert str(escape(hostile)) in body
    # Shown as text: the name and the location on the cards.
    card = columns(client.get(BOARD).get_data(as_text=True))[0]["cards"][0]
    assert (card["name"], card["Location"]) == (hostile, hostile)
    # And on the move page the card links to, reached from a hostile search.
    card = columns(client.get(BOARD, query_string={"q": hostile}).get_data(as_text=True))[0]["cards"][0]
    move_page = client.get(move_link(card["html"])).get_data(as_text=True)
    assert hostile not in move_page and "<script>" not in move_page and "<img" not in move_page
    assert f"Move {escape(hostile)}" in move_page


def test_a_hostile_query_is_escaped(client, signed_in, board_role):
    body = client.get(BOARD, query_string={"q": '"><script>alert(1)</script>'}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body


def test_the_dashboard_links_each_role_to_its_board(client, signed_in, board_role):
    body = client.get("/pipeline/").get_data(as_text=True)
    assert f'<th scope="row"><a href="{BOARD}">AI Engineer</a></th>' in body
