"""The main menu on a phone: every item in sight, on one row below the brand and "Logga ut"."""

import pytest

from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.browser

# Each role's menu, in Swedish and English (the role with most items: the supervisor's five).
MENUS = {
    "officer": ["Logga", "Mina poster"],
    "supervisor": ["Logga", "Mina poster", "Granska", "Uppföljning", "Historik"],
    "coordinator": ["Granska", "Uppföljning", "Historik", "Administration"],
    "admin": ["Uppföljning", "Historik", "Administration"],
}


def boxes(page, selector: str) -> list[dict]:
    return [el.bounding_box() for el in page.locator(selector).all()]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("role", sorted(MENUS))
def test_every_menu_item_is_in_sight_on_one_row_at_phone_size(phone, users, role, language):
    page = phone.new_page()
    login(page, role, PASSWORD)
    page.goto(f"/lang/{language}?next=/")
    links = page.get_by_role("navigation", name="Huvudmeny" if language == "sv" else "Main menu")
    if language == "sv":
        assert links.get_by_role("link").all_inner_texts() == MENUS[role]
    width = page.viewport_size["width"]
    items = boxes(page, "nav.nav a")
    assert len(items) == len(MENUS[role])
    assert {round(box["y"]) for box in items} == {round(items[0]["y"])}, "the menu wraps"
    for box in items:
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["height"] >= 44  # a thumb's tap
    logout = page.locator("header form.logout button").bounding_box()
    brand = page.locator("header .brand").bounding_box()
    assert round(logout["y"]) == round(brand["y"]) and logout["x"] + logout["width"] <= width
    assert items[0]["y"] > brand["y"]


def test_logga_ut_on_a_phone_logs_out(phone, users):
    page = phone.new_page()
    login(page, "supervisor", PASSWORD)
    page.get_by_role("button", name="Logga ut").tap()
    page.wait_for_url("**/login")
    page.goto("/review")
    assert "/login" in page.url
