"""What keeps the officer's pages light: the scripts' words in one cached script instead of a
copy in every page, each page's own stylesheet, and a service worker shell that exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="/static/css/([^"]+)"', html)


def test_the_words_come_in_one_script_per_language_that_everyone_may_cache(client, auth, users):
    auth.login("officer")
    page = client.get("/").get_data(as_text=True)
    assert "fieldlog-text" not in page  # no copy of the words in the page
    (url,) = re.findall(r'<script src="(/texts/sv\.js\?v=[0-9a-f]{12})" defer>', page)
    assert page.index(url) < page.index("/static/js/outbox.js")  # loaded before the outbox
    auth.logout()
    with client.get(url) as script:  # the same for everyone: no login needed
        assert script.status_code == 200 and script.mimetype == "text/javascript"
        assert "public" in script.headers["Cache-Control"]
        assert script.get_data(as_text=True).startswith("window.FieldlogText = {")
    with client.get("/texts/de.js") as unknown:
        assert unknown.status_code == 404


def test_each_page_loads_only_its_own_stylesheets(client, auth, users):
    auth.login("officer")
    assert stylesheets(client.get("/").get_data(as_text=True)) == ["app.css", "logging.css"]
    form = client.get("/log/arjeplog-fotpatrull").get_data(as_text=True)
    assert stylesheets(form) == ["app.css", "logging.css", "logform.css"]
    entries = client.get("/entries").get_data(as_text=True)
    assert stylesheets(entries) == ["app.css", "logging.css", "entries.css"]


def test_the_offline_shell_and_precache_list_what_the_pages_need(client, auth, users):
    auth.login("officer")
    page = client.get("/").get_data(as_text=True)
    listed = re.search(r"data-precache='([^']+)'", page).group(1)
    precache = json.loads(listed)
    assert "/entries" in precache and "/log/arjeplog-fotpatrull" in precache
    assert any(u.startswith("/texts/sv.js?v=") for u in precache)
    assert not any(u.startswith("/api/") for u in precache)  # no page reads the API offline
    sw = (ROOT / "static/js/sw.js").read_text()
    shell = re.findall(r'"(/static/[^"]+)"', re.search(r"SHELL_URLS = \[([^\]]+)\]", sw).group(1))
    assert {"/static/css/logform.css", "/static/css/entries.css"} <= set(shell)
    for url in shell:
        assert (ROOT / url.removeprefix("/")).is_file(), url


def test_installing_waits_for_the_outbox_which_knows_what_to_link(client, auth, users):
    auth.login("officer")
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' not in page and 'rel="apple-touch-icon"' not in page
    manifest = re.search(r'data-manifest="([^"]+)"', page).group(1)
    icon = re.search(r'data-icon="([^"]+)"', page).group(1)
    with client.get(manifest) as response:
        assert response.status_code == 200
        assert icon in {i["src"] for i in response.get_json(force=True)["icons"]}
    with client.get(icon) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"


def test_a_form_without_a_time_rule_carries_no_holidays(client, auth, users):
    auth.login("officer")
    form = client.get("/log/arjeplog-fotpatrull").get_data(as_text=True)
    assert 'data-time-rule="" data-holidays=""' in form
    evening = client.get("/log/arjeplog-trafikinsats-obekvam").get_data(as_text=True)
    assert re.search(r'data-holidays="\d{4}-\d\d-\d\d(,\d{4}-\d\d-\d\d)+"', evening)
