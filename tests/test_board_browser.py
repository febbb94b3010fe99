"""The board in headless Chromium, on desktop and phone viewports: search,
moving a card with the keyboard only, a bulk rejection, and axe-core."""
import re

import pytest
from sqlalchemy import select

from ats.models import Application, Role, Stage
from tests.pages import sign_in

BOARD = "/pipeline/healthcare-ai-engineer"


def focused(page) -> dict:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, name: document.activeElement.name || '',"
        " text: document.activeElement.textContent.trim().replace(/\\s+/g, ' ')})"
    )


def tab_to(page, matches, limit: int = 80) -> None:
    """Press Tab until the focused element ``matches``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(focused(page)):
            return
    pytest.fail("the element cannot be reached with the Tab key")


def assert_no_sideways_scroll(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


def column(page, label: str):
    return page.locator(f"section.board-column--{label.lower()}")


def card_names(page, label: str) -> list[str]:
    return [name.strip() for name in column(page, label).locator(".card__name").all_inner_texts()]


@pytest.fixture
def board(seeded, create_application, db_session):
    role = db_session.scalars(select(Role)).one()
    people = [
        ("Ada Lovelace", Stage.APPLIED, 9), ("Zoë Ünal", Stage.APPLIED, 4), ("Ben Okafor", Stage.APPLIED, 2),
        ("Cy Franklin", Stage.APPLIED, 1), ("Maria José Fernández-Villanueva", Stage.SCREENING, 30),
        ("Li Wei", Stage.SCREENING, 3), ("Grace Hopper", Stage.INTERVIEW, 6), ("Katherine Johnson", Stage.OFFER, 2),
        ("Tu Youyou", Stage.HIRED, 40), ("Alan Turing", Stage.REJECTED, 12), ("Hedy Lamarr", Stage.WITHDRAWN, 5),
    ]
    for name, stage, days in people:
        application = create_application(role, name, stage, days_in_stage=days)
        application.location = {"Zoë Ünal": "Zürich", "Li Wei": "Shanghai"}.get(name, "Boston, MA")
        if stage.is_closed:
            application.closed_from_stage = Stage.SCREENING
        if name == "Grace Hopper":
            application.skills_strong, application.skills_partial, application.skills_assessed = 3, 2, 6
        if name == "Katherine Johnson":
            application.skills_strong, application.skills_partial, application.skills_assessed = 7, 1, 8
    db_session.commit()
    return role


def test_the_board(page, create_staff, board, assert_accessible, screenshot):
    sign_in(page, create_staff(name="Rita Recruiter"))
    response = page.goto(BOARD)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Healthcare AI Engineer board"
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert [re.sub(r"\s+", " ", h).strip() for h in headings] == [
        "Applied 4 applications", "Screening 2 applications", "Interview 1 application", "Offer 1 application",
        "Hired 1 application", "Rejected 1 application", "Withdrawn 1 application",
    ]
    assert card_names(page, "Applied") == ["Ada Lovelace", "Zoë Ünal", "Ben Okafor", "Cy Franklin"]
    assert page.get_by_role("navigation", name="Breadcrumbs").is_visible()
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("board")

    # The columns scroll sideways in a region the keyboard can reach and scroll.
    region = page.get_by_role("region", name="Board columns (scrolls sideways)")
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    region.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.board').scrollLeft > 0")

    # A card's "Move" opens a page with the stage control; Cancel comes back.
    page.get_by_role("link", name="Move Grace Hopper").click()
    page.wait_for_url(re.compile(r".*/pipeline/applications/\d+/stage\?next=.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Move Grace Hopper"
    assert page.get_by_label("Move to").input_value() == "offer"  # the next step forward
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot("board-move-page")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**{BOARD}")


def test_search(page, create_staff, board, assert_accessible, screenshot):
    sign_in(page, create_staff())
    page.goto(BOARD)
    page.get_by_label("Search candidates").fill("ZOË")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url(re.compile(r".*\?q=ZO%C3%8B&stage=$"))
    assert card_names(page, "Applied") == ["Zoë Ünal"]
    assert card_names(page, "Screening") == []
    assert page.get_by_text("1 application matches “ZOË”.").is_visible()
    assert page.get_by_label("Search candidates").input_value() == "ZOË"
    assert_accessible()
    screenshot("board-search")

    page.get_by_label("Search candidates").fill("no such person")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*\?q=no\+such\+person&stage=$"))
    assert page.get_by_text("No application matches “no such person”.").is_visible()
    page.get_by_role("link", name="Show all applications").click()
    page.wait_for_url(f"**{BOARD}")
    assert len(card_names(page, "Applied")) == 4


def test_move_a_card_with_the_keyboard_only(page, create_staff, board, db_session):
    sign_in(page, create_staff())
    page.goto(f"{BOARD}?stage=applied")
    page.locator("body").focus()

    tab_to(page, lambda el: el["tag"] == "A" and el["text"] == "Move Ben Okafor")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # opens the move page
    tab_to(page, lambda el: el["name"] == "stage")
    page.keyboard.press("ArrowDown")  # Screening → Interview
    assert page.evaluate("() => document.activeElement.value") == "interview"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "reason"
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "BUTTON"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Back on the board as it was (the stage filter kept), the card gone from Applied.
    assert page.url.endswith(f"{BOARD}?stage=applied")
    assert page.get_by_text("Moved to Interview.").is_visible()
    assert "Ben Okafor" not in card_names(page, "Applied")
    ben = db_session.scalars(select(Application).filter_by(full_name="Ben Okafor")).one()
    assert ben.stage == Stage.INTERVIEW
    page.goto(BOARD)
    assert card_names(page, "Interview") == ["Grace Hopper", "Ben Okafor"]


def test_bulk_reject_two_with_a_reason(page, create_staff, board, db_session, assert_accessible, screenshot):
    sign_in(page, create_staff())
    page.goto(BOARD)
    page.get_by_label("Select Zoë Ünal").check()
    page.get_by_label("Select Li Wei").check()
    bulk = page.locator("#bulk-move")
    bulk.get_by_label("To stage").select_option("rejected")
    bulk.get_by_label("Reason").fill("Role filled")
    screenshot("board-bulk-selected")
    with page.expect_navigation():
        bulk.get_by_role("button", name="Move selected").click()

    assert page.get_by_text("Moved 2 applications to Rejected.").is_visible()
    # Alan Turing has been rejected for 12 days; the two just now.
    assert card_names(page, "Rejected")[0] == "Alan Turing"
    assert set(card_names(page, "Rejected")) == {"Alan Turing", "Zoë Ünal", "Li Wei"}
    for name in ["Zoë Ünal", "Li Wei"]:
        application = db_session.scalars(select(Application).filter_by(full_name=name)).one()
        assert application.stage == Stage.REJECTED
        assert application.history[-1].reason == "Role filled"
    assert_accessible()
    screenshot("board-after-bulk")

    # Rejecting without a reason is refused for each, and says why.
    page.get_by_label("Select Ada Lovelace").check()
    bulk.get_by_label("To stage").select_option("rejected")
    with page.expect_navigation():
        bulk.get_by_role("button", name="Move selected").click()
    assert page.get_by_text("Not moved (1): Ada Lovelace: Rejecting needs a reason.").is_visible()
