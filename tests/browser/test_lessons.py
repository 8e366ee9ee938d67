"""The lessons library fits a phone, passes axe, and its filters work with htmx."""

from playwright.sync_api import expect

from feedback.models import Kind
from movements.models import Decision
from tests.browser.test_layout import overflow_report
from tests.factories import FeedbackFactory
from tests.feedback.test_lessons import decided


def test_the_lessons_library_filters_in_place_and_passes_axe(transactional_db, live_server, page, sign_in, axe):
    adopted = decided("Working out loud " + "w" * 150, Decision.ADOPT, rationale="Faster answers.", tool="Teams")
    FeedbackFactory(title="Drafts help", kind=Kind.WORKS, movement=adopted, cause="A champion per team " + "c" * 150)
    decided("Paperless meetings", Decision.RETIRE, rationale="Printers won.", tool="OneNote")
    sign_in(adopted.founder)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/movements/lessons/")
        expect(page.locator("#results")).to_contain_text("2 lessons")
        assert overflow_report(page) is None
        assert axe(page) == []
    page.get_by_label("Outcome").select_option("retired")
    expect(page.locator("#results")).to_contain_text("1 lesson")
    expect(page.locator("#results")).to_contain_text("Printers won.")
