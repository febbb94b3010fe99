"""The browser harness itself: its checks must be able to fail."""
import pytest


def test_axe_check_fails_on_a_serious_violation(page, assert_accessible, live_server):
    page.goto("/healthz")
    page.set_content('<html><body><main><img src="x.png"><button></button></main></body></html>')
    with pytest.raises(AssertionError, match="button-name|image-alt"):
        assert_accessible()


def test_csp_blocks_inline_script(browser, live_server, seeded):
    """The page fixture's CSP watch relies on Chromium reporting violations."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    assert page.goto("/").status == 200
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.ran = true'; document.body.append(s); }"""
    )
    assert page.evaluate("() => window.ran === true") is False
    assert any("Content Security Policy" in m for m in messages)
    context.close()
