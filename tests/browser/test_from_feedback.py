"""A movement started from a feedback post: the post's Markdown arrives as plain text, nobody is ticked, the page
says how many will be invited as the founder picks, and only those are invited."""

from playwright.sync_api import expect

from feedback import services as feedback_services
from feedback.models import Kind
from movements.models import Invitation, Movement
from tests.factories import UserFactory


def test_the_founder_picks_whom_to_invite_and_sees_how_many(transactional_db, live_server, page, sign_in, axe):
    author = UserFactory(display_name="Ada Author")
    post = feedback_services.feedback_post(
        person=author,
        kind=Kind.DOESNT,
        title="Nobody owns the wiki",
        body="Pages **rot**.\n\n- no owner",
        anonymous=False,
    )
    voters = [UserFactory(display_name=name) for name in ("Bea Voter", "Cem Voter", "Dan Voter")]
    for voter in voters:
        feedback_services.vote_set(feedback=post, person=voter, voted=True)
    sign_in(author)
    page.goto(f"{live_server.url}/movements/new/?from_feedback={post.pk}")
    assert page.get_by_label("The problem").input_value() == "Pages rot.\n\n- no owner"
    expect(page.get_by_text("3 colleagues said “me too”.")).to_be_visible()
    for voter in voters:
        expect(page.get_by_label(voter.display_name)).not_to_be_checked()
    expect(page.locator("#voters-picked")).to_have_text("0 of 3 will be invited.")
    page.get_by_label("Cem Voter").check()
    expect(page.locator("#voters-picked")).to_have_text("1 of 3 will be invited.")
    assert axe(page) == []
    page.get_by_label("Why it matters").fill("Pages rot.")
    page.get_by_role("button", name="Start the movement").click()
    expect(page.get_by_text("Your movement has started.")).to_be_visible()
    movement = Movement.objects.get()
    assert list(Invitation.objects.filter(movement=movement).values_list("invitee__display_name", flat=True)) == [
        "Cem Voter"
    ]
