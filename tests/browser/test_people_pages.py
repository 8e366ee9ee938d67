"""A person's page shows their first-follower credits; the page and the directory pass axe and fit a phone."""

from playwright.sync_api import expect

from movements import services as movement_services
from tests.browser.test_layout import overflow_report
from tests.factories import MovementFactory, UserFactory


def test_a_person_page_shows_first_follower_credits_and_the_directory_finds_them(
    transactional_db, live_server, page, sign_in, axe
):
    person = UserFactory(display_name="Fay Follower" + "x" * 120, job_title="Analyst")
    for n in range(3):
        movement_services.membership_join(movement=MovementFactory(title=f"Movement {n} " + "w" * 150), person=person)
    sign_in(UserFactory(display_name="Vera Viewer"))
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/people/{person.pk}/")
        expect(page.get_by_text("First follower of 3 movements")).to_be_visible()
        assert overflow_report(page) is None
        assert axe(page) == []
        page.goto(f"{live_server.url}/people/")
        page.get_by_label("Name or job title").fill("Fay")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results")).to_contain_text("1 person")
        assert overflow_report(page) is None
        assert axe(page) == []
