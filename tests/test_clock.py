"""The app's one today(): a fixed day when configured, else the real clock in the local zone;
and the pages that default to "this year" or "today" ask it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fieldlog import clock

from .apiclient import ApiClient


@pytest.fixture
def api(app, client):
    return ApiClient(app, client)


@pytest.mark.parametrize("fixed", ["2024-02-29", dt.date(2024, 2, 29)])
def test_today_is_the_fixed_day_when_one_is_configured(app, fixed):
    app.config["FIELDLOG_TODAY"] = fixed
    assert clock.today() == dt.date(2024, 2, 29)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_without_a_fixed_day_today_is_the_real_date_in_the_local_zone(app, zone):
    # UTC+14 and UTC-11: on most hours of the day the two zones are on different dates.
    app.config.update(FIELDLOG_TODAY=None, FIELDLOG_TIMEZONE=zone)
    before = dt.datetime.now(ZoneInfo(zone)).date()
    today = clock.today()
    after = dt.datetime.now(ZoneInfo(zone)).date()
    assert today in {before, after}


def test_the_tests_run_on_the_fixed_day_whatever_the_real_date(app):
    assert clock.today() == dt.date(2026, 6, 10)


def test_the_apis_this_year_and_today_follow_the_clock(app, api, users):
    app.config["FIELDLOG_TODAY"] = "2022-06-01"
    assert api.get("/api/v1/tallies", users["coordinator"]).get_json()["year"] == 2022
    assert api.get("/api/v1/public/2560").get_json()["year"] == 2022
    active = api.get("/api/v1/commitments/active?municipality=2560", users["officer"]).get_json()
    assert active["key"] == "alvsbyn-2021-2022"
    assert {p["tally"]["year"] for p in active["promises"]} == {2022}


def test_the_pages_this_year_and_today_follow_the_clock(app, client, auth, users):
    app.config["FIELDLOG_TODAY"] = "2022-06-01"
    auth.login("officer")
    log_page = client.get("/?municipality=2560").get_data(as_text=True)
    assert 'href="/log/alvsbyn21-hundsok"' in log_page  # the commitment in force that day
    auth.logout()
    auth.login("coordinator")
    assert "<h1>Uppföljning 2022</h1>" in client.get("/tallies").get_data(as_text=True)
    items = client.get("/admin/").get_data(as_text=True).split("<li>")
    in_force = [i for i in items if "Gäller nu" in i]
    assert [i for i in in_force if "<code>alvsbyn" in i] == [
        i for i in items if "<code>alvsbyn-2021-2022</code>" in i
    ]
