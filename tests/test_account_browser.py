"""One's own page and two-step sign-in in headless Chromium, on desktop and
phone viewports: enrolling with the shown key, the recovery codes, and
signing in with a code."""
import pyotp


def assert_no_sideways_scroll(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_name} width"


def check(page, assert_accessible, screenshot, name: str) -> None:
    assert_no_sideways_scroll(page)
    assert_accessible()
    screenshot(name)


def sign_in(page, account) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_and_sign_in_with_a_code(page, create_staff, totp_clock, assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    sign_in(page, account)
    page.wait_for_url("**/pipeline/")

    page.get_by_role("navigation", name="Site").get_by_role("link", name="Rita Recruiter").click()
    page.wait_for_url("**/account/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert page.get_by_text(account.email).is_visible()
    check(page, assert_accessible, screenshot, "account-two-step-off")

    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/account/two-step")
    qr = page.get_by_role("img", name="QR code for adding your PropelGrad Careers account to an authenticator app.",
                          exact=False)
    assert qr.is_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: SVG loaded under the page's CSP
    key = page.locator(".enrol-key code").inner_text().replace(" ", "")
    check(page, assert_accessible, screenshot, "account-enrol")

    page.get_by_label("Code from your app").fill("000000" if pyotp.TOTP(key).at(totp_clock.now) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.title().startswith("Error: ")
    check(page, assert_accessible, screenshot, "account-enrol-wrong-code")

    page.get_by_label("Code from your app").fill(pyotp.TOTP(key).at(totp_clock.now))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in is on"
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    check(page, assert_accessible, screenshot, "account-recovery-codes")

    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_url("**/account/")
    assert page.get_by_text("10 of 10").is_visible()
    assert key not in page.content()
    check(page, assert_accessible, screenshot, "account-two-step-on")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    sign_in(page, account)
    page.wait_for_url("**/login/code")
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    check(page, assert_accessible, screenshot, "sign-in-code")

    totp_clock.advance()
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(totp_clock.now))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/pipeline/")
    assert page.get_by_role("heading", level=1).inner_text() == "Pipeline"


def test_a_wrong_code_at_sign_in(page, create_staff, enrol_two_step, assert_accessible, screenshot):
    account = create_staff()
    enrol_two_step(account)
    sign_in(page, account)
    page.wait_for_url("**/login/code")
    page.get_by_label("Code").fill("nope-nope")
    response_status = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStatus")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That code is not right")
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStatus") == 401
    assert response_status == 200
    check(page, assert_accessible, screenshot, "sign-in-code-wrong")


def test_make_copy_and_revoke_an_api_token(page, create_staff, assert_accessible, screenshot):
    account = create_staff(name="Rita Recruiter")
    sign_in(page, account)
    page.wait_for_url("**/pipeline/")
    page.goto("/account/")
    assert page.get_by_text("You have no API tokens.").is_visible()

    page.get_by_role("button", name="Make a token").click()
    assert page.get_by_role("link", name="Name: Give the token a name").is_visible()
    check(page, assert_accessible, screenshot, "account-token-error")

    page.get_by_label("Name").fill("Weekly spreadsheet")
    page.get_by_role("button", name="Make a token").click()
    token = page.locator("code.api-token").inner_text()
    assert page.get_by_label("Name").input_value() == ""
    assert token.startswith("ats_") and len(token) == 47
    check(page, assert_accessible, screenshot, "account-token-made")

    page.goto("/account/")
    row = page.get_by_role("row", name="Weekly spreadsheet")
    assert token[:12] in row.inner_text() and "Never" in row.inner_text()
    assert token not in page.content()
    check(page, assert_accessible, screenshot, "account-tokens")

    page.get_by_role("button", name="Revoke Weekly spreadsheet").click()
    page.wait_for_url("**/account/")
    assert page.get_by_text("You have no API tokens.").is_visible()
