"""The static-file component and the portal's shell."""

import urllib.request

from conftest import shot


def fetch(app, path, headers=None):
    request = urllib.request.Request(app.base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_files_are_served_with_types_etags_and_the_index_for_routes(app):
    status, headers, body = fetch(app, "/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache" and "default-src 'self'" in headers["content-security-policy"]
    status, headers, body = fetch(app, "/js/app.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    etag = headers["etag"]
    status, _, body = fetch(app, "/js/app.js", {"If-None-Match": etag})
    assert status == 304 and body == b""
    # A client-side route gets the app; a missing file does not.
    status, headers, body = fetch(app, "/accounts/acc_123")
    assert status == 200 and b'<div id="app"' in body
    assert fetch(app, "/nope.js")[0] == 404
    # Nothing outside static/ is reachable, however it is spelled.
    for evil in ["/../spin.toml", "/%2e%2e/spin.toml", "/js/..%2f..%2fspin.toml", "/.gitignore"]:
        assert fetch(app, evil)[0] in (403, 404), evil
    # API paths nobody serves stay the API's JSON 404.
    status, headers, body = fetch(app, "/v1/nothing-here")
    assert status == 404 and headers["content-type"] == "application/json"


def test_signed_out_visitors_land_on_the_login_page_in_their_language(app, page):
    page.goto("/messages")
    page.get_by_role("heading", name="Log in").wait_for()
    assert "next=%2Fmessages" in page.url
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("heading", name="Logga in").wait_for()
    page.reload()
    page.get_by_role("heading", name="Logga in").wait_for()
    assert page.locator("a.skip").text_content() == "Hoppa till innehållet"
    # A refusal reads in the page's language, not the server's English (issue 19 item 6).
    page.get_by_label("E-postadress").fill("nobody@example.com")
    page.get_by_label("Lösenord").fill("Wrong password 1")
    page.get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().strip() == "E-postadressen eller lösenordet är fel.", alert.inner_text()
    shot(page, "login-sv")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("heading", name="Log in").wait_for()
