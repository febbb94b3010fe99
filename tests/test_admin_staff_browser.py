"""Staff administration and password links in headless Chromium, on desktop
and phone viewports: an admin invites a recruiter, who sets a password
through the mailed link and lands signed in; asking for a new password on
the sign-in page."""
from ats.models import Access
from tests.test_account_browser import check, sign_in
from tests.test_password_links import link_in

PASSWORD = "correct horse battery staple"


def test_an_admin_invites_a_recruiter_who_sets_a_password(page, create_staff, outbox, assert_accessible,
                                                          screenshot):
    create_staff(Access.MANAGER, name="Mo Manager", email="mo@staff.example")
    sign_in(page, create_staff(Access.ADMIN, name="Ada Admin"))
    page.wait_for_url("**/pipeline/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Admin", exact=True).click()
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/admin/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff"
    check(page, assert_accessible, screenshot, "admin-staff")

    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url("**/admin/staff/invite")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.get_by_role("alert").is_visible()
    assert page.title().startswith("Error: ")
    check(page, assert_accessible, screenshot, "admin-staff-invite-errors")

    page.get_by_label("Name").fill("Rosa Recruiter")
    page.get_by_label("Email address").fill("rosa@staff.example")
    page.get_by_label("Access level").select_option("recruiter")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_url("**/admin/staff")
    assert "Invitation sent to rosa@staff.example" in page.get_by_role("status").inner_text()
    card = page.get_by_role("listitem").filter(has_text="Rosa Recruiter")
    assert "Invited, link sent" in card.inner_text()
    assert card.get_by_role("button", name="Send again").is_visible()
    check(page, assert_accessible, screenshot, "admin-staff-invited")

    card.get_by_role("link", name="Rosa Recruiter").click()
    page.wait_for_url("**/admin/staff/*")
    assert page.get_by_role("button", name="Send the invitation again").is_visible()
    check(page, assert_accessible, screenshot, "admin-staff-person")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    [message] = outbox()
    assert message["To"] == "rosa@staff.example"
    page.goto(link_in(message))
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your password"
    assert page.get_by_text("rosa@staff.example").is_visible()
    check(page, assert_accessible, screenshot, "set-password")

    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("New password again").fill("too short")
    page.get_by_role("button", name="Set password").click()
    assert page.get_by_role("alert").is_visible()
    check(page, assert_accessible, screenshot, "set-password-errors")

    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/pipeline/")
    assert "you are signed in" in page.get_by_role("status").inner_text()
    assert page.get_by_role("navigation", name="Site").get_by_role("link", name="Rosa Recruiter").is_visible()


def test_asking_for_a_new_password(page, create_staff, outbox, assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/login/forgot-password")
    check(page, assert_accessible, screenshot, "forgot-password")

    page.get_by_label("Email address").fill(account.email)
    page.get_by_role("button", name="Send me a link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    check(page, assert_accessible, screenshot, "forgot-password-sent")

    path = link_in(outbox()[0])
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/pipeline/")

    page.goto(path)  # used: it works no more
    assert page.get_by_role("heading", level=1).inner_text() == "This link does not work"
    check(page, assert_accessible, screenshot, "password-link-dead")
