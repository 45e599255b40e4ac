"""The command line of CONTRACT: users, tokens, tallies, demo."""

from sqlalchemy import func, select

from fieldlog.extensions import db
from fieldlog.models import ApiToken, Entry, Tally, User


def test_users_create_reads_the_password_from_stdin(runner, bundled):
    result = runner.invoke(
        args=["users", "create", "kalle", "--role", "officer", "--area", "Piteå älvdal"],
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "kalle"))
    assert user.role == "officer" and user.police_area.name == "Piteå älvdal"
    assert user.check_password("a long password")


def test_users_create_refuses_bad_input(runner, bundled):
    bad_role = runner.invoke(
        args=["users", "create", "x", "--role", "chief", "--area", "Piteå älvdal"],
        input="long enough\n",
    )
    assert bad_role.exit_code == 1 and "role" in bad_role.output
    bad_area = runner.invoke(
        args=["users", "create", "x", "--role", "officer", "--area", "Atlantis"],
        input="long enough\n",
    )
    assert bad_area.exit_code == 1 and "area" in bad_area.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_token_prints_a_working_token_last(runner, client, users):
    result = runner.invoke(args=["users", "token", "officer"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json() == {"username": "officer", "role": "officer", "area": "Piteå älvdal"}


def test_users_token_for_an_unknown_user_fails(runner, bundled):
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code == 1


def test_demo_loads_accounts_entries_and_consistent_tallies(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "polis" in result.output and "fieldlog-demo" in result.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) > 50
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"officer", "supervisor", "coordinator", "admin", "municipal"}
    check = runner.invoke(args=["tally", "check"])
    assert check.exit_code == 0, check.output


def test_tally_check_finds_and_rebuild_mends_a_difference(runner, app):
    runner.invoke(args=["demo"])
    tally = db.session.scalars(select(Tally).where(Tally.span == "day")).first()
    tally.approved += 1
    db.session.commit()
    check = runner.invoke(args=["tally", "check"])
    assert check.exit_code == 1
    assert f"promise {tally.promise_id} year {tally.day.year} ({tally.day}" in check.output
    assert runner.invoke(args=["tally", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["tally", "check"]).exit_code == 0
