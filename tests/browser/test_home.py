from io import StringIO

import pytest
from django.core.management import call_command

from demo.people import DEMO_LOGINS, DEMO_PASSWORD
from people.models import User


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())


def test_login_page_has_no_accessibility_violations(live_server, page, axe):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign In"
    assert axe(page) == []


def test_demo_employee_signs_in_and_sees_the_home_page(demo, live_server, page, axe):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(DEMO_LOGINS["champion"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Charlie Champion"
    assert page.get_by_role("link", name="Working out loud on Fridays").first.is_visible()
    assert page.get_by_role("heading", name="Newest feedback").is_visible()
    assert axe(page) == []


def test_person_with_nothing_yet_sees_friendly_empty_states(transactional_db, live_server, page, login_in_browser):
    person = User.objects.create_user("new@example.com", "a-long-pass-phrase-1", display_name="Nova New")
    login_in_browser(person, "a-long-pass-phrase-1")
    assert page.get_by_text("You do not follow any movement yet.").is_visible()
    assert page.get_by_text("No feedback yet. Be the first to say what works.").is_visible()
    # The skip link is the first thing a keyboard reaches and it moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
