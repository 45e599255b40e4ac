"""Logging in on a phone."""

import pytest

from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.browser


def test_an_officer_logs_in_on_a_phone(phone, users):
    page = phone.new_page()
    login(page, "officer", PASSWORD)
    assert page.locator("h1").first.is_visible()
    assert page.locator('meta[name="csrf-token"]').get_attribute("content")


def test_a_wrong_password_shows_a_message(phone, users):
    page = phone.new_page()
    page.goto("/login")
    page.get_by_label("Användarnamn").fill("officer")
    page.get_by_label("Lösenord").fill("wrong")
    page.get_by_role("button", name="Logga in").tap()
    assert page.get_by_role("alert").inner_text() == "Fel användarnamn eller lösenord."
