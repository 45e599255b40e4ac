"""The municipal role (CONTRACT.md, "Roles"): the municipality's own staff log its promises."""

from __future__ import annotations

import pytest

from fieldlog.extensions import db

from .apiclient import ApiClient
from .factories import PASSWORD, csrf_from, entry_data

DAY = "2026-03-03T10:00:00"


@pytest.fixture
def staff(users):
    """A municipal user of Arjeplog, made through the command line's service."""
    from fieldlog.services.users import create_user

    return create_user("kommun", "municipal", None, PASSWORD, "Kim Kommun", None, ["2506"])


@pytest.fixture
def api(app, client, users):
    return ApiClient(app, client)


def test_the_command_line_creates_municipal_staff(runner, bundled):
    made = runner.invoke(
        args=["users", "create", "kim", "--role", "municipal", "--municipality", "2506,2560"],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert "Arjeplog, Älvsbyn" in made.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--role", "municipal"], "municipality"),
        (["--role", "municipal", "--municipality", "9999"], "9999"),
        (["--role", "municipal", "--municipality", "2506,1984"], "one police area"),
        (["--role", "municipal", "--municipality", "2506", "--area", "Piteå älvdal"], "--area"),
        (["--role", "officer", "--municipality", "2506"], "--municipality"),
        (["--role", "officer"], "--area"),
    ],
)
def test_the_command_line_refuses_a_wrong_scope(runner, bundled, args, field):
    result = runner.invoke(args=["users", "create", "kim", *args], input=PASSWORD + "\n")
    assert result.exit_code == 1 and field in result.output


def test_me_names_the_municipalities_and_no_area(api, staff):
    assert api.get("/api/v1/me", staff).get_json() == {
        "username": "kommun",
        "role": "municipal",
        "area": None,
        "municipalities": ["2506"],
    }


def test_each_logs_only_the_promises_of_its_owners(api, users, staff):
    mine = api.sync(
        staff,
        entry_data("arjeplog-foraldrakvall", DAY),  # kommunen
        entry_data("arjeplog-information", DAY),  # gemensamt
        entry_data("arjeplog-fotpatrull", DAY),  # polisen
    )
    assert [r["status"] for r in mine] == ["created", "created", "invalid"]
    assert set(mine[2]["errors"]) == {"promise"}
    theirs = api.sync(users["officer"], entry_data("arjeplog-foraldrakvall", DAY))
    assert theirs[0]["status"] == "invalid" and set(theirs[0]["errors"]) == {"promise"}


def test_municipality_and_activity_consider_only_the_promises_one_logs(api, users, staff):
    def by_activity(user, activity):
        entry = entry_data(None, DAY, municipality="2506", activity=activity)
        del entry["promise"]
        return api.sync(user, entry)[0]

    # Two promises of the municipality's own are about education: ambiguous, name the promise.
    ambiguous = by_activity(staff, "utbildning")
    assert ambiguous["status"] == "invalid" and set(ambiguous["errors"]) == {"promise"}
    # An officer logs no education promise at all: name the activity.
    none = by_activity(users["officer"], "utbildning")
    assert none["status"] == "invalid" and set(none["errors"]) == {"activity"}
    assert by_activity(users["officer"], "fotpatrull")["status"] == "created"
    assert by_activity(staff, "fotpatrull")["status"] == "invalid"


def test_municipal_entries_are_reviewed_by_supervisors_or_coordinators(api, users, staff):
    ids = [
        r["entry_id"]
        for r in api.sync(staff, *(entry_data("arjeplog-foraldrakvall", DAY) for _ in range(2)))
    ]
    (police,) = [
        r["entry_id"] for r in api.sync(users["officer"], entry_data("arjeplog-fotpatrull", DAY))
    ]

    def review(user, entry_id):
        return api.post(f"/api/v1/entries/{entry_id}/review", user, json={"decision": "approve"})

    assert review(users["coordinator"], ids[0]).status_code == 200
    assert review(users["supervisor"], ids[1]).status_code == 200
    assert review(users["coordinator"], police).status_code == 403
    assert review(staff, police).status_code == 404
    assert review(users["other_coordinator"], ids[0]).status_code == 404
    # The coordinator's queue holds the municipal staff's pending entries only.
    (pending,) = [r["entry_id"] for r in api.sync(staff, entry_data("arjeplog-foraldrakvall", DAY))]
    api.login("coordinator")
    queue = api.get("/review").get_data(as_text=True)
    assert f'value="{pending}"' in queue and f'value="{police}"' not in queue


def test_municipal_staff_follow_their_own_municipalities(api, users, staff):
    rows = api.get("/api/v1/tallies?year=2026", staff).get_json()["tallies"]
    assert rows and {r["municipality"] for r in rows} == {"2506"}
    assert api.get("/api/v1/tallies?year=2026&municipality=2560", staff).status_code == 403
    assert api.get("/api/v1/public/2560?year=2026").status_code == 200
    own = {e["entry_id"] for e in api.get("/api/v1/entries", staff).get_json()["entries"]}
    api.sync(users["officer"], entry_data("arjeplog-fotpatrull", DAY))
    assert {e["entry_id"] for e in api.get("/api/v1/entries", staff).get_json()["entries"]} == own

    api.login("kommun")
    assert api.get("/exports/tallies.csv?year=2026&municipality=2506").status_code == 200
    assert api.get("/exports/tallies.csv?year=2026&municipality=2560").status_code == 403
    assert api.get("/tallies?year=2026").status_code == 200


def test_entry_exports_name_no_police_author_to_municipal_staff(api, users, staff):
    api.sync(staff, entry_data("arjeplog-foraldrakvall", DAY))
    api.sync(users["officer"], entry_data("arjeplog-fotpatrull", DAY))
    api.login("kommun")
    csv = api.get("/exports/entries.csv?year=2026&municipality=2506").get_data(as_text=True)
    assert ";kommun;" in csv and ";officer;" not in csv
    api.client.delete_cookie("session")
    api.login("coordinator")
    csv = api.get("/exports/entries.csv?year=2026&municipality=2506").get_data(as_text=True)
    assert ";kommun;" in csv and ";officer;" in csv


@pytest.mark.parametrize(
    ("role", "lands"),
    [
        ("officer", "/"),
        ("municipal", "/"),
        ("supervisor", "/review"),
        ("coordinator", "/tallies"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_lands_on_its_first_page(api, users, staff, role, lands):
    username = "kommun" if role == "municipal" else role
    page = api.get("/login")
    form = {"username": username, "password": PASSWORD, "csrf_token": csrf_from(page)}
    response = api.post("/login", data=form)
    assert response.status_code == 302 and response.headers["Location"] == lands


def test_the_log_page_offers_each_role_its_own_promises(api, users, staff):
    api.login("officer")
    officer_page = api.get("/?municipality=2506").get_data(as_text=True)
    assert "/log/arjeplog-fotpatrull" in officer_page
    assert "/log/arjeplog-foraldrakvall" not in officer_page
    assert api.get("/log/arjeplog-foraldrakvall").status_code == 404
    db.session.commit()
    api.client.delete_cookie("session")
    api.login("kommun")
    staff_page = api.get("/").get_data(as_text=True)
    assert "/log/arjeplog-foraldrakvall" in staff_page and "/log/arjeplog-information" in staff_page
    assert "/log/arjeplog-fotpatrull" not in staff_page
