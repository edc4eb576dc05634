"""In a real browser: the report page's script speaks the visitor's language through the djangojs catalogue."""

from __future__ import annotations

import re


def test_the_report_page_script_speaks_english_to_an_english_browser(browser, live_server, tree, catalogue):
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})  # no location permission
    context.set_default_timeout(15_000)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/events/r/410105001001001/")
        status = phone.locator("#position-status")
        status.wait_for()
        phone.wait_for_function("document.getElementById('position-status').textContent.length > 0")
        assert status.inner_text().startswith("Could not get your location")
        phone.fill("#id_description", "小区门口垃圾堆积三天无人清运")
        hint = phone.locator("#category-hint")
        hint.locator("button").wait_for()
        assert re.match(r"Suggested category: .+ \(\d+%\) click to apply", hint.inner_text())
        hint.locator("button").click()
        assert hint.inner_text().startswith("Applied: ")
    finally:
        context.close()
