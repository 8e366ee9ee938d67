"""Similar things while a form is typed: the movement already started is shown and followed in one click; the
post already written gets a "me too" in one click; nothing is asked while "post anonymously" is ticked."""

from playwright.sync_api import expect

from feedback.models import Kind, Vote
from movements.models import Membership
from tests.browser.test_layout import overflow_report
from tests.factories import DepartmentFactory, FeedbackFactory, MovementFactory, UserFactory


def test_typing_a_title_shows_the_similar_movement_and_follow_this_instead_works(
    transactional_db, live_server, page, sign_in, axe
):
    person = UserFactory(display_name="Vera Viewer")
    existing = MovementFactory(title="Shorter meetings", problem="Meetings run long.", follower_count=2)
    sales = DepartmentFactory(name="Sales")
    MovementFactory(title="Shorter meetings for sales", department=sales, founder=UserFactory(department=sales))
    sign_in(person)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/movements/new/")
    page.get_by_label("Title").press_sequentially("shorter meet", delay=20)
    region = page.locator("#similar")
    expect(region.get_by_role("link", name="Shorter meetings")).to_be_visible()
    expect(region).to_contain_text("Recruiting")
    expect(region).to_contain_text("2 followers")
    expect(region).not_to_contain_text("for sales")  # limited to a department the person is not in
    assert overflow_report(page) is None
    assert axe(page) == []
    region.get_by_role("button", name="Follow this instead").click()
    expect(page.get_by_role("heading", name="Shorter meetings", level=1)).to_be_visible()
    assert Membership.objects.current().filter(movement=existing, person=person).exists()


def test_typing_feedback_offers_me_too_instead_and_nothing_while_anonymous(
    transactional_db, live_server, page, sign_in, axe
):
    person = UserFactory(display_name="Vera Viewer")
    post = FeedbackFactory(title="Meetings run long", kind=Kind.DOESNT, vote_count=0)
    sign_in(person)
    page.goto(f"{live_server.url}/feedback/new/")
    page.get_by_label("Post anonymously").check()
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/similar/" in request.url else None)
    page.get_by_label("Title").press_sequentially("meetings run", delay=20)
    page.wait_for_timeout(900)
    assert requests == []  # not a word of an anonymous post leaves the browser before it is posted
    page.get_by_label("Post anonymously").uncheck()
    page.get_by_label("Title").press_sequentially(" long", delay=20)
    region = page.locator("#similar")
    expect(region.get_by_role("link", name="Meetings run long")).to_be_visible()
    assert axe(page) == []
    region.get_by_role("button", name="Me too on this instead").click()
    expect(page.get_by_role("heading", name="Meetings run long", level=1)).to_be_visible()
    assert Vote.objects.filter(feedback=post, person=person).count() == 1
