"""The new settings pages in a real browser: create an API token (shown once) and use it, make feed links,
add a webhook as staff, connect a movement's chat channel; axe-core finds no violation on any of them."""

from __future__ import annotations

import json
import urllib.request

import pytest

from integrations import services
from movements import services as movement_services
from tests.factories import UserFactory


@pytest.fixture
def people(transactional_db, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    lead = UserFactory(display_name="Lena Lead")
    return {
        "lead": lead,
        "admin": UserFactory(display_name="Adam Admin", is_staff=True),
        "movement": movement_services.movement_start(founder=lead, title="Working out loud", pitch="Share early."),
    }


def test_a_person_creates_a_token_uses_it_and_makes_feed_links(people, live_server, page, login_in_browser, axe):
    login_in_browser(people["lead"])
    page.goto(f"{live_server.url}/settings/api-tokens/")
    assert axe(page) == []
    page.get_by_label("Name").fill("my script")
    page.get_by_label("Read: see what you can see on the site").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("sbz_")
    assert axe(page) == []
    request = urllib.request.Request(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["name"] == "Lena Lead"

    page.goto(f"{live_server.url}/settings/feeds/")
    assert axe(page) == []
    page.get_by_role("button", name="Make my feed links").click()
    pilots = page.get_by_label("Your pilots (iCalendar)").input_value()
    assert "/pilots.ics" in pilots
    assert axe(page) == []


def test_staff_add_a_webhook_and_a_lead_connects_a_chat_channel(people, live_server, page, login_in_browser, axe):
    login_in_browser(people["admin"])
    page.goto(f"{live_server.url}/integrations/webhooks/")
    assert axe(page) == []
    page.get_by_label("URL").fill("http://127.0.0.1:9/hook")
    page.get_by_label("member joined").check()
    page.get_by_role("button", name="Add endpoint").click()
    page.wait_for_url("**/integrations/webhooks/*/")
    assert page.get_by_text("whsec_").count() == 1
    assert axe(page) == []

    page.context.clear_cookies()
    login_in_browser(people["lead"])
    page.goto(f"{live_server.url}/movements/{people['movement'].slug}/chat/")
    assert axe(page) == []
    page.get_by_label("Webhook URL").fill("https://example.com/not-slack")
    page.get_by_role("button", name="Connect").click()
    assert page.get_by_text("not a Slack").count() == 1
    assert axe(page) == []


def test_staff_edit_a_webhook_and_rotate_its_secret(people, live_server, page, login_in_browser, axe):
    endpoint = services.endpoint_create(
        url="http://127.0.0.1:9/hook", event_types=["movement.member_joined"], created_by=people["admin"]
    )
    old_secret = endpoint.secret
    login_in_browser(people["admin"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/integrations/webhooks/{endpoint.pk}/")
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit/")
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("URL").fill("http://169.254.169.254/latest")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#url-errors").count() == 1
    assert axe(page) == []
    page.get_by_label("URL").fill("http://127.0.0.1:9/other")
    page.get_by_label("Description").fill("Helpdesk")
    page.get_by_label("feedback posted").check()
    page.get_by_label("On", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/integrations/webhooks/{endpoint.pk}/")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.is_active) == ("http://127.0.0.1:9/other", "Helpdesk", False)
    assert sorted(endpoint.event_types) == ["feedback.posted", "movement.member_joined"]

    page.get_by_role("button", name="Make a new signing secret").click()
    assert page.get_by_role("heading", name="Make a new signing secret?").count() == 1
    assert axe(page) == []
    page.get_by_role("button", name="Make a new secret").click()
    new_secret = page.get_by_role("textbox", name="New signing secret").input_value()
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (new_secret, old_secret)


def test_the_api_docs_render_under_the_content_security_policy(people, live_server, page, login_in_browser):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login_in_browser(people["lead"])
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("/api/v1/movements/", exact=True).first.wait_for()
    assert not [e for e in errors if "Content Security Policy" in e]
