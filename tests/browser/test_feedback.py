"""Feedback in a real browser: post anonymously, vote, answer officially; XSS does not run; axe finds nothing."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import publication, services
from feedback.models import Feedback, Kind, Status, Vote
from tests.factories import UserFactory


@pytest.fixture
def people(transactional_db):
    return {
        "poster": UserFactory(display_name="Paula Poster"),
        "voter": UserFactory(display_name="Victor Voter"),
        "moderator": UserFactory(display_name="Mona Moderator", is_moderator=True),
    }


def switch_to(page, login_in_browser, person):
    page.context.clear_cookies()
    login_in_browser(person)


def test_anonymous_doesnt_post_gets_a_vote_and_an_official_planned_answer(
    people, live_server, page, login_in_browser, axe
):
    login_in_browser(people["poster"])
    page.goto(f"{live_server.url}/feedback/new/")
    assert axe(page) == []
    page.get_by_label("What Doesn't").check()
    page.get_by_label("Title").fill("Expense reports take three approvals")
    page.get_by_label("What happened").fill("Every trip needs **three** sign-offs.")
    page.get_by_label("New topics (optional)").fill("expenses")
    page.get_by_label("Post anonymously").check()
    expect(page.get_by_text("What it does not protect:")).to_be_visible()
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(re.compile(r"/feedback/$"))
    expect(page.get_by_text("will appear in the list within about an hour")).to_be_visible()
    assert not Feedback.objects.exists()  # waiting in the publication queue
    for _n in range(5):  # five colleagues sign in; then the batch goes out
        UserFactory(last_login=timezone.now())
    assert publication.anonymous_publish() == 1
    post = Feedback.objects.get()
    assert post.author_id is None and post.kind == Kind.DOESNT

    switch_to(page, login_in_browser, people["voter"])
    page.goto(f"{live_server.url}/feedback/")
    card = page.locator(".feedback-card", has_text="Expense reports take three approvals")
    card.get_by_role("button", name=re.compile("Me too")).click()
    expect(card.locator(".vote-count")).to_have_text("1")
    expect(card.get_by_role("button", name=re.compile("Me too"))).to_have_attribute("aria-pressed", "true")
    assert Vote.objects.filter(feedback=post, person=people["voter"]).count() == 1
    assert page.url.endswith("/feedback/")  # htmx swapped the button in place, no page load
    assert axe(page) == []

    switch_to(page, login_in_browser, people["moderator"])
    page.goto(f"{live_server.url}/feedback/")
    page.get_by_role("link", name="Expense reports take three approvals").click()
    page.get_by_label("New status").select_option("planned")
    page.get_by_label("Official response").fill("Finance will cut it to one approval in Q3.")
    page.get_by_role("button", name="Post the answer").click()
    expect(page.locator("#post-status")).to_have_text("Planned")
    expect(page.get_by_text("Finance will cut it to one approval in Q3.")).to_be_visible()
    assert axe(page) == []
    page.goto(f"{live_server.url}/feedback/")
    card = page.locator(".feedback-card", has_text="Expense reports take three approvals")
    expect(card.locator(".status-planned")).to_have_text("Planned")
    post.refresh_from_db()
    assert post.status == Status.PLANNED and post.vote_count == 1


def test_xss_payloads_in_a_post_and_a_comment_do_not_run(people, live_server, page, login_in_browser):
    post = services.feedback_post(
        person=people["poster"],
        kind=Kind.WORKS,
        anonymous=False,
        title="<script>window.__xss = 'title'</script><img src=x onerror=\"window.__xss='title-img'\">",
        body=(
            "<script>window.__xss = 'script'</script>\n\n"
            "<img src=x onerror=\"window.__xss = 'img'\">\n\n"
            "[click me](javascript:window.__xss='link')\n\n"
            '<a href="#" hx-get="/feedback/" hx-trigger="load" hx-on::after-request="window.__xss=\'htmx\'">htmx</a>\n\n'
            "<svg onload=\"window.__xss='svg'\"></svg>"
        ),
    )
    services.comment_add(feedback=post, author=people["voter"], body="<script>window.__xss='comment'</script>")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login_in_browser(people["voter"])
    page.goto(f"{live_server.url}/feedback/{post.pk}/")
    page.get_by_text("click me").click()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator(".feedback-body script, .feedback-body img, .feedback-body svg, [hx-trigger=load]").count() == 0
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>")  # shown as text, not run
    page.goto(f"{live_server.url}/feedback/")
    assert page.evaluate("typeof window.__xss") == "undefined" and dialogs == []


def test_a_reported_comment_is_hidden_from_the_moderation_queue(people, live_server, page, login_in_browser, axe):
    post = services.feedback_post(
        person=people["poster"], kind=Kind.DOESNT, title="Hot-desking", body="No desks.", anonymous=False
    )
    services.comment_add(feedback=post, author=people["poster"], body="Whoever planned this is an idiot.")
    login_in_browser(people["voter"])
    page.goto(f"{live_server.url}/feedback/{post.pk}/")
    page.locator(".comment").get_by_role("link", name="Report").click()
    page.get_by_label("What is wrong?").fill("Insults a colleague")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("A moderator will look at it.")).to_be_visible()

    switch_to(page, login_in_browser, people["moderator"])
    page.goto(f"{live_server.url}/feedback/moderation/")
    expect(page.get_by_text("Insults a colleague")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Reason (kept in the log)").fill("Personal insult")
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_role("heading", name="Hide this comment?")).to_be_visible()  # second thoughts
    assert post.comments.get().hidden_at is None
    page.get_by_role("button", name="Hide it").click()
    expect(page.get_by_text("No open reports. All clear.")).to_be_visible()
    expect(page.get_by_role("cell", name="Personal insult")).to_be_visible()

    switch_to(page, login_in_browser, people["voter"])
    page.goto(f"{live_server.url}/feedback/{post.pk}/")
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    assert post.comments.count() == 1  # kept, only hidden


def test_tabs_filters_and_search_update_the_list_in_place(people, live_server, page, login_in_browser):
    for title, kind in [
        ("Standups too long", Kind.DOESNT),
        ("Wiki search is broken", Kind.DOESNT),
        ("Pairing works", Kind.WORKS),
    ]:
        services.feedback_post(person=people["poster"], kind=kind, title=title, body=title, anonymous=False)
    Feedback.objects.filter(title="Wiki search is broken").update(status=Status.PLANNED)
    login_in_browser(people["voter"])
    page.goto(f"{live_server.url}/feedback/")
    page.evaluate("window.__still_same_page = true")
    page.get_by_role("link", name=re.compile("^What Doesn't")).click()
    expect(page.locator(".feedback-card")).to_have_count(2)
    expect(page.get_by_label("Kind")).to_have_value("doesnt")  # the filters follow the tab
    # htmx pushes the address last, once the swap has settled: only then is the new form listening.
    page.wait_for_url(re.compile(r"kind=doesnt"))
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(
        0
    )  # htmx done with the swap
    page.get_by_label("Status").select_option("planned")
    expect(page.locator(".feedback-card")).to_have_count(1)
    page.get_by_label("Search").fill("standups")
    expect(page.get_by_text("Nothing matches these filters.")).to_be_visible()
    assert "status=planned" in page.url and "q=standups" in page.url  # shareable, and the back button works
    assert page.evaluate("window.__still_same_page") is True  # no full page load
