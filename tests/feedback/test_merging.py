"""Merging a duplicate post into another, and undoing it (feedback/merging.py, feedback/views_merge.py)."""

import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import merging, services
from feedback.models import Comment, Feedback, FeedbackMerge, ModerationAction, StatusChange, Vote
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import CommentFactory, FeedbackFactory, MembershipFactory, UserFactory, VoteFactory


@pytest.fixture
def duplicate(author):
    return FeedbackFactory(author=author, title="Meetings are too long")


@pytest.fixture
def original(db):
    return FeedbackFactory(author=UserFactory(display_name="Olli Original"), title="Meetings run long")


def vote(post, person):
    VoteFactory(feedback=post, person=person)
    Feedback.objects.filter(pk=post.pk).update(vote_count=Vote.objects.filter(feedback=post).count())


def rows_equal_counts(*posts):
    for post in posts:
        post.refresh_from_db()
        assert post.vote_count == Vote.objects.filter(feedback=post).count()


def test_votes_become_the_union_of_distinct_voters(duplicate, original, moderator):
    both, only_dup, only_orig = UserFactory(), UserFactory(), UserFactory()
    for person in (both, only_dup):
        vote(duplicate, person)
    for person in (both, only_orig):
        vote(original, person)
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    original.refresh_from_db()
    assert set(Vote.objects.filter(feedback=original).values_list("person_id", flat=True)) == {
        both.pk,
        only_dup.pk,
        only_orig.pk,
    }
    assert original.vote_count == 3
    rows_equal_counts(duplicate, original)


def test_comments_move_with_their_times_and_answers_stay(duplicate, original, moderator):
    then = timezone.now() - timezone.timedelta(days=3)
    comment = CommentFactory(feedback=duplicate, created_at=then)
    Feedback.objects.filter(pk=duplicate.pk).update(comment_count=1)
    answer = services.feedback_answer(feedback=duplicate, person=moderator, status="acknowledged", response="Seen.")
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    comment.refresh_from_db()
    assert comment.feedback_id == original.pk and comment.created_at == then
    assert StatusChange.objects.get(pk=answer.pk).feedback_id == duplicate.pk
    original.refresh_from_db()
    assert original.comment_count == 1


def test_the_merge_is_logged_recorded_and_tells_authors_and_voters(duplicate, original, moderator, author):
    voter = UserFactory()
    vote(duplicate, voter)
    merge = merging.feedback_merge(source=duplicate, target=original, actor=moderator, reason="Same thing")
    action = ModerationAction.objects.get(feedback=duplicate)
    assert action.action == ModerationAction.Action.MERGE and action.moderator == moderator
    assert Activity.objects.filter(verb=Verb.MERGED_FEEDBACK, payload__merge_id=merge.pk).count() == 1
    told = set(Nudge.objects.filter(kind=NudgeKind.FEEDBACK_MERGED).values_list("recipient_id", flat=True))
    assert told == {author.pk, original.author_id, voter.pk}


def test_people_watching_the_duplicate_are_told_too_but_not_those_who_stopped(duplicate, original, moderator, author):
    from conversation.models import Watch

    watcher, stopped = UserFactory(), UserFactory()
    Watch.objects.create(person=watcher, feedback=duplicate)
    Watch.objects.create(person=stopped, feedback=duplicate, watching=False)
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    told = set(Nudge.objects.filter(kind=NudgeKind.FEEDBACK_MERGED).values_list("recipient_id", flat=True))
    assert told == {author.pk, original.author_id, watcher.pk}


def test_people_watching_the_duplicate_watch_the_post_it_went_into(duplicate, original, moderator):
    from conversation.models import Watch

    watcher, stopped, stopped_target = UserFactory(), UserFactory(), UserFactory()
    Watch.objects.create(person=watcher, feedback=duplicate)
    Watch.objects.create(person=stopped, feedback=duplicate, watching=False)
    Watch.objects.create(person=stopped_target, feedback=duplicate)
    Watch.objects.create(person=stopped_target, feedback=original, watching=False)
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    on_target = dict(Watch.objects.filter(feedback=original).values_list("person_id", "watching"))
    assert on_target[watcher.pk] is True and on_target[stopped_target.pk] is False
    assert stopped.pk not in on_target


def test_an_anonymous_post_is_merged_without_revealing_anything(original, moderator):
    anonymous = FeedbackFactory(author=None, is_anonymous=True, title="Meetings too long (anonymous)")
    merge = merging.feedback_merge(source=anonymous, target=original, actor=moderator)
    told = set(Nudge.objects.filter(kind=NudgeKind.FEEDBACK_MERGED).values_list("recipient_id", flat=True))
    assert told == {original.author_id}
    anonymous.refresh_from_db()
    assert anonymous.author_id is None and merge.source_id == anonymous.pk


@pytest.mark.parametrize("case", ["itself", "hidden target", "merged target", "merged source"])
def test_impossible_merges_are_refused_and_change_nothing(duplicate, original, moderator, case):
    target = original
    if case == "itself":
        target = duplicate
    elif case == "hidden target":
        Feedback.objects.filter(pk=original.pk).update(hidden_at=timezone.now())
    elif case == "merged target":
        merging.feedback_merge(source=original, target=FeedbackFactory(), actor=moderator)
    elif case == "merged source":
        merging.feedback_merge(source=duplicate, target=FeedbackFactory(), actor=moderator)
    before = FeedbackMerge.objects.count()
    with pytest.raises(ValidationError):
        merging.feedback_merge(source=duplicate, target=target, actor=moderator)
    assert FeedbackMerge.objects.count() == before


def test_a_member_cannot_merge_but_a_lead_of_the_linked_movement_can(movement, lead, author, other):
    source = FeedbackFactory(movement=movement, title="Dup")
    target = FeedbackFactory(title="Orig")
    with pytest.raises(PermissionDenied):
        merging.feedback_merge(source=source, target=target, actor=other)
    assert merging.feedback_merge(source=source, target=target, actor=lead).target == target


def test_the_database_refuses_a_post_merged_into_itself(duplicate):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=duplicate.pk).update(merged_into=duplicate.pk)


def test_undo_within_the_window_puts_everything_back(duplicate, original, moderator):
    both, only_dup = UserFactory(), UserFactory()
    vote(duplicate, both)
    vote(duplicate, only_dup)
    vote(original, both)
    comment = CommentFactory(feedback=duplicate)
    merge = merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    merging.feedback_unmerge(merge=merge, actor=moderator)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert set(Vote.objects.filter(feedback=duplicate).values_list("person_id", flat=True)) == {both.pk, only_dup.pk}
    assert set(Vote.objects.filter(feedback=original).values_list("person_id", flat=True)) == {both.pk}
    assert Comment.objects.get(pk=comment.pk).feedback_id == duplicate.pk
    rows_equal_counts(duplicate, original)
    assert ModerationAction.objects.filter(feedback=duplicate, action=ModerationAction.Action.UNMERGE).exists()


def test_undo_is_refused_after_merge_undo_days(duplicate, original, moderator, settings):
    settings.MERGE_UNDO_DAYS = 2
    merge = merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=3)):
        with pytest.raises(ValidationError):
            merging.feedback_unmerge(merge=merge, actor=moderator)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == original.pk


def test_a_vote_on_a_merged_post_counts_on_the_post_it_went_into(duplicate, original, moderator):
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    voter = UserFactory()
    post, voted = services.vote_set(feedback=duplicate, person=voter, voted=True)
    assert voted and post.pk == original.pk
    assert Vote.objects.filter(feedback=original, person=voter).exists()
    rows_equal_counts(duplicate, original)


@pytest.mark.django_db(transaction=True)
def test_merging_while_ten_people_vote_keeps_counts_equal_to_rows():
    assert connection.vendor == "postgresql"
    moderator = UserFactory(is_moderator=True)
    duplicate, original = FeedbackFactory(title="Dup"), FeedbackFactory(title="Orig")
    voters = [UserFactory() for _ in range(10)]
    earlier = [UserFactory() for _ in range(4)]
    for person in earlier + voters[:2]:
        services.vote_set(feedback=original, person=person, voted=True)
    barrier = threading.Barrier(11)
    errors = []

    def cast(person):
        try:
            barrier.wait()
            services.vote_set(feedback=duplicate, person=person, voted=True)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    def merge():
        try:
            barrier.wait()
            merging.feedback_merge(source=duplicate, target=original, actor=moderator)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(person,)) for person in voters] + [threading.Thread(target=merge)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.merged_into_id == original.pk
    assert Vote.objects.filter(feedback=duplicate).count() == 0 == duplicate.vote_count
    assert set(Vote.objects.filter(feedback=original).values_list("person_id", flat=True)) == {
        p.pk for p in voters + earlier
    }
    assert original.vote_count == 14


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_post_at_once_one_wins_and_counts_equal_rows():
    moderator = UserFactory(is_moderator=True)
    duplicate, first, second = (FeedbackFactory(title=title) for title in ("Dup", "First", "Second"))
    for person in [UserFactory() for _ in range(3)]:
        services.vote_set(feedback=duplicate, person=person, voted=True)
    services.vote_set(feedback=first, person=UserFactory(), voted=True)
    barrier = threading.Barrier(2)
    merged, refused, errors = [], [], []

    def merge(target):
        try:
            barrier.wait()
            merged.append(merging.feedback_merge(source=duplicate, target=target, actor=moderator))
        except ValidationError as error:
            refused.append(error.code)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=(target,)) for target in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(merged) == 1 and refused == ["merged"]
    winner = merged[0].target
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == winner.pk
    assert FeedbackMerge.objects.filter(source=duplicate).count() == 1
    assert ModerationAction.objects.filter(feedback=duplicate, action=ModerationAction.Action.MERGE).count() == 1
    rows_equal_counts(duplicate, first, second)
    assert Vote.objects.filter(feedback=winner).count() == (4 if winner == first else 3)


# --- views ---------------------------------------------------------------------------------------


def test_the_merged_posts_url_redirects_to_the_target(client, duplicate, original, moderator, other):
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    client.force_login(other)
    response = client.get(duplicate.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == original.get_absolute_url()
    assert "Meetings are too long" not in client.get(reverse("feedback:list")).content.decode()


def test_a_merge_needs_a_confirmation_then_merges(client, duplicate, original, moderator):
    client.force_login(moderator)
    url = reverse("feedback:merge", kwargs={"pk": duplicate.pk})
    assert "Meetings run long" in client.get(url).content.decode()  # suggested as similar
    response = client.post(url, {"target": f"/feedback/{original.pk}/", "reason": "Same"})
    assert response.status_code == 200 and "Merge the posts" in response.content.decode()
    assert not FeedbackMerge.objects.exists()
    response = client.post(url, {"target": original.pk, "reason": "Same", "confirmed": "yes"})
    merge = FeedbackMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:merge_detail", args=[merge.pk])
    assert "Undo the merge" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("target", ["", "abc", "1 2", "999999999", "x" * 400])
def test_a_bad_target_comes_back_with_a_message(client, duplicate, moderator, target):
    client.force_login(moderator)
    response = client.post(reverse("feedback:merge", kwargs={"pk": duplicate.pk}), {"target": target})
    assert response.status_code == 400 and 'class="errorlist"' in response.content.decode()
    assert not FeedbackMerge.objects.exists()


def test_merging_into_itself_through_the_form_is_refused(client, duplicate, moderator):
    client.force_login(moderator)
    url = reverse("feedback:merge", kwargs={"pk": duplicate.pk})
    response = client.post(url, {"target": duplicate.pk, "confirmed": "yes"})
    assert response.status_code == 400 and "cannot be merged into itself" in response.content.decode()


def test_an_outsider_gets_404_and_a_member_403_and_nothing_changes(client, limited_movement, other, author):
    source = FeedbackFactory(movement=limited_movement, title="Dup")
    target = FeedbackFactory(title="Orig")
    url = reverse("feedback:merge", kwargs={"pk": source.pk})
    client.force_login(other)
    assert client.post(url, {"target": target.pk, "confirmed": "yes"}).status_code == 404
    member = UserFactory(department=limited_movement.department)
    MembershipFactory(movement=limited_movement, person=member, position=2)
    client.force_login(member)
    assert client.post(url, {"target": target.pk, "confirmed": "yes"}).status_code == 403
    assert not FeedbackMerge.objects.exists() and Feedback.objects.get(pk=source.pk).merged_into_id is None


def test_undo_through_the_page(client, duplicate, original, moderator, other):
    merge = merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    client.force_login(other)
    assert "Undo the merge" not in client.get(reverse("feedback:merge_detail", args=[merge.pk])).content.decode()
    client.force_login(moderator)
    response = client.post(reverse("feedback:merge_undo", args=[merge.pk]))
    assert response.status_code == 302 and response["Location"] == duplicate.get_absolute_url()
    assert Feedback.objects.get(pk=duplicate.pk).merged_into_id is None


def test_the_merge_page_query_count(client, duplicate, moderator, django_assert_num_queries):
    for n in range(5):
        FeedbackFactory(title=f"Meetings are too long {n}")
    client.force_login(moderator)
    # session (+ person, department: one query), the post (+movement), the suggestions (+voted), the notifications badge parts of the layout
    with django_assert_num_queries(4):
        response = client.get(reverse("feedback:merge", kwargs={"pk": duplicate.pk}))
    assert response.content.decode().count('class="similar-item"') == 5


def test_a_me_too_on_a_stale_page_of_the_duplicate_never_takes_back_the_merged_vote(duplicate, original, moderator):
    voter = UserFactory()
    vote(duplicate, voter)
    merging.feedback_merge(source=duplicate, target=original, actor=moderator)
    post, voted = services.vote_set(feedback=duplicate, person=voter, voted=True)
    assert voted and post.pk == original.pk
    assert Vote.objects.filter(feedback=original, person=voter).count() == 1
    rows_equal_counts(duplicate, original)
