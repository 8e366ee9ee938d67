"""A moderator merges two posts: a confirmation, then the counts are the union of voters and the old address
leads to the post kept. The merge pages pass axe."""

from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import Feedback, Kind, Vote
from tests.factories import FeedbackFactory, UserFactory


def test_a_moderator_merges_two_posts_and_the_counts_and_redirect_are_right(
    transactional_db, live_server, page, sign_in, axe
):
    moderator = UserFactory(display_name="Mona Moderator", is_moderator=True)
    duplicate = FeedbackFactory(title="Meetings are too long", kind=Kind.DOESNT)
    original = FeedbackFactory(title="Meetings run too long", kind=Kind.DOESNT)
    both, only_dup, only_orig = UserFactory(), UserFactory(), UserFactory()
    for person in (both, only_dup):
        feedback_services.vote_set(feedback=duplicate, person=person, voted=True)
    for person in (both, only_orig):
        feedback_services.vote_set(feedback=original, person=person, voted=True)
    sign_in(moderator)
    page.goto(f"{live_server.url}{duplicate.get_absolute_url()}")
    page.get_by_role("link", name="Merge into another post").click()
    assert axe(page) == []
    page.get_by_role("button", name="Merge into this one").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge “Meetings are too long”")
    assert axe(page) == []
    page.get_by_role("button", name="Merge the posts").click()
    expect(page.get_by_text("Merged. The duplicate's address now leads here.")).to_be_visible()
    assert axe(page) == []
    original.refresh_from_db()
    assert original.vote_count == 3 == Vote.objects.filter(feedback=original).count()
    page.goto(f"{live_server.url}{duplicate.get_absolute_url()}")
    assert page.url.endswith(original.get_absolute_url())
    expect(page.get_by_role("heading", name="Meetings run too long", level=1)).to_be_visible()
    assert Feedback.objects.get(pk=duplicate.pk).merged_into_id == original.pk
