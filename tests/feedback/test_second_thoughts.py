"""Deleting a comment and hiding from the queue ask once more; a missing reason is an error beside the report."""

from django.urls import reverse

from feedback.models import Comment, Feedback, ModerationAction, Report
from tests.factories import CommentFactory, UserFactory


def test_delete_asks_first_and_only_the_post_deletes(client, post, other):
    comment = CommentFactory(feedback=post, author=other, body="A hasty remark")
    client.force_login(other)
    url = reverse("feedback:comment_delete", args=[comment.pk])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Delete your comment?" in page and "A hasty remark" in page
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert url in client.get(f"/feedback/{post.pk}/").content.decode()  # the page's Delete is a link here
    assert client.post(url).status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_someone_elses_comment_has_no_delete_confirmation(client, post, other):
    comment = CommentFactory(feedback=post, author=other)
    client.force_login(UserFactory())
    assert client.get(reverse("feedback:comment_delete", args=[comment.pk])).status_code == 404


def test_hiding_from_the_queue_asks_first_with_the_reason(client, moderator, post, other):
    client.force_login(other)
    client.post(f"/feedback/{post.pk}/report/", {"reason": "Names someone"})
    client.force_login(moderator)
    report_id = Report.objects.get().pk
    response = client.post(
        f"/feedback/{post.pk}/moderate/", {"action": "hide", "reason": "Personal", "report": report_id}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Hide “Meetings run long”?" in page and "Personal" in page
    assert Feedback.objects.get().hidden_at is None and not ModerationAction.objects.exists()
    response = client.post(
        f"/feedback/{post.pk}/moderate/", {"action": "hide", "reason": "Personal", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert Feedback.objects.get().hidden_at is not None


def test_dismissing_a_report_needs_no_second_thought(client, moderator, post, other):
    client.force_login(other)
    client.post(f"/feedback/{post.pk}/report/", {"reason": "Names someone"})
    client.force_login(moderator)
    response = client.post(f"/feedback/{post.pk}/moderate/", {"action": "dismiss", "reason": "Fine"})
    assert response.status_code == 302 and ModerationAction.objects.count() == 1


def test_hiding_without_a_reason_is_an_error_beside_the_report_in_the_queue(client, moderator, post, other):
    client.force_login(other)
    client.post(f"/feedback/{post.pk}/report/", {"reason": "Names someone"})
    client.force_login(moderator)
    report_id = Report.objects.get().pk
    response = client.post(f"/feedback/{post.pk}/moderate/", {"action": "hide", "reason": "", "report": report_id})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Moderation queue" in page and "Names someone" in page  # the queue, not an error page
    assert f'<ul class="errorlist" id="reason-{report_id}-error"><li>This field is required.</li></ul>' in page
    assert f'aria-describedby="reason-{report_id}-error reason-{report_id}-limit"' in page
    assert Feedback.objects.get().hidden_at is None
