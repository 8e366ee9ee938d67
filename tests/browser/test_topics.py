"""A moderator looks after topics: approves an employee's topic, merges two after a confirmation and retires
one after a confirmation; every page passes axe, and the approved topic then shows on the list."""

import re

from playwright.sync_api import expect

from feedback.models import Tag
from tests.factories import FeedbackFactory, TagFactory, UserFactory


def test_a_moderator_approves_merges_and_retires_topics(transactional_db, live_server, page, sign_in, axe):
    moderator = UserFactory(display_name="Mona Moderator", is_moderator=True)
    author = UserFactory(display_name="Ada Author")
    pending = Tag.objects.create(name="ритуалы", slug="ритуалы", created_by=author, approved_at=None)
    meetings, standups = TagFactory(name="meetings", slug="meetings"), TagFactory(name="standups", slug="standups")
    post = FeedbackFactory(title="Retros help", author=author)
    post.tags.add(pending, standups)
    sign_in(moderator)

    page.goto(f"{live_server.url}/feedback/moderation/")
    page.get_by_role("link", name="Topics: approve, rename, merge, retire").click()
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    expect(page.get_by_text("proposed by Ada Author")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name=re.compile(r"Approve\W+ритуалы")).click()
    expect(page.get_by_text("“ритуалы” is approved: everyone sees it now.")).to_be_visible()
    assert Tag.objects.get(pk=pending.pk).approved_at is not None

    page.get_by_role("link", name=re.compile(r"Merge\W+standups")).click()
    assert axe(page) == []
    page.get_by_label("Merge into").select_option(label="meetings")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge “standups” into “meetings”?")
    assert axe(page) == []
    assert Tag.objects.get(pk=standups.pk).retired_at is None  # nothing happens before the confirmation
    page.get_by_role("button", name="Merge them").click()
    expect(page.get_by_text("Merged into “meetings”.")).to_be_visible()
    assert sorted(post.tags.values_list("name", flat=True)) == ["meetings", "ритуалы"]

    page.get_by_role("link", name=re.compile(r"Retire\W+meetings")).click()
    expect(page.get_by_role("heading", name="Retire “meetings”?")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Retire it").click()
    expect(page.get_by_text("“meetings” is retired.")).to_be_visible()
    assert Tag.objects.get(pk=meetings.pk).retired_at is not None

    sign_in(UserFactory())
    page.goto(f"{live_server.url}/feedback/")
    card = page.locator(".card", has_text="Retros help")
    expect(card.get_by_role("link", name="ритуалы")).to_be_visible()
    expect(card.get_by_role("link", name="meetings")).to_have_count(0)
