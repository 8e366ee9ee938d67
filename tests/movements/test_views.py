from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from movements import services
from movements.models import (
    Decision,
    Invitation,
    InvitationStatus,
    Membership,
    Movement,
    Role,
    RoleAssignment,
    Stage,
    StageChange,
    Update,
)
from movements.services import RoleSpec
from movements.views import recruit_link
from tests.factories import DepartmentFactory, FeedbackFactory, UserFactory, VoteFactory

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything a movements action could change."""
    return {
        "movements": list(Movement.objects.values_list("pk", "stage", "follower_count", "open_seats", "pilot_end")),
        "memberships": list(Membership.objects.values_list("pk", "left_at", "is_lead", "welcomed_at").order_by("pk")),
        "roles": list(Role.objects.values_list("pk", "name", "seats", "seats_filled").order_by("pk")),
        "assignments": RoleAssignment.objects.count(),
        "invitations": list(Invitation.objects.values_list("pk", "status").order_by("pk")),
        "updates": Update.objects.count(),
    }


def action_urls(movement: Movement) -> list[tuple[str, str]]:
    role = movement.roles.first()
    membership = movement.memberships.order_by("-position").first()
    slug = movement.slug
    return [
        ("post", reverse("movements:follow", args=[slug])),
        ("post", reverse("movements:leave", args=[slug])),
        ("post", reverse("movements:edit", args=[slug])),
        ("post", reverse("movements:roles", args=[slug])),
        ("post", reverse("movements:role_edit", args=[slug, role.pk])),
        ("post", reverse("movements:role_delete", args=[slug, role.pk])),
        ("post", reverse("movements:role_claim", args=[slug, role.pk])),
        ("post", reverse("movements:role_release", args=[slug, role.pk])),
        ("post", reverse("movements:role_assign", args=[slug, role.pk])),
        ("post", reverse("movements:lead_add", args=[slug, membership.pk])),
        ("post", reverse("movements:lead_step_down", args=[slug])),
        ("post", reverse("movements:invite", args=[slug])),
        ("post", reverse("movements:update_post", args=[slug])),
        ("post", reverse("movements:welcome", args=[slug])),
        ("post", reverse("movements:pilot", args=[slug])),
        ("post", reverse("movements:decision", args=[slug])),
        ("post", recruit_link(movement=movement, person=movement.founder)),
        ("get", recruit_link(movement=movement, person=movement.founder)),
        ("get", reverse("movements:detail", args=[slug])),
        ("get", reverse("movements:roles", args=[slug])),
        ("get", reverse("movements:invite", args=[slug])),
        ("get", reverse("movements:welcome", args=[slug])),
        ("get", reverse("movements:pilot", args=[slug])),
        ("get", reverse("movements:decision", args=[slug])),
    ]


FILLED_POST = {
    "name": "Hacker",
    "seats": "2",
    "body": "Hello",
    "email": "x@example.com",
    "hypothesis": "H",
    "success_measure": "S",
    "start": "2026-01-01",
    "end": "2026-02-01",
    "rationale": "R",
    "decision": "adopt",
}


@pytest.fixture
def limited(outsider_department_movement, join):
    movement, outsider = outsider_department_movement
    join(target=movement)
    return movement, outsider


def test_an_outsider_of_a_department_movement_gets_404_for_every_page_and_action(client, limited):
    movement, outsider = limited
    client.force_login(outsider)
    before = snapshot()
    for method, url in action_urls(movement):
        response = getattr(client, method)(url, FILLED_POST) if method == "post" else client.get(url)
        assert response.status_code == 404, url
    assert snapshot() == before


def test_an_anonymous_visitor_is_sent_to_login_for_every_page_and_action(client, limited):
    movement, _outsider = limited
    before = snapshot()
    for method, url in action_urls(movement):
        response = getattr(client, method)(url, FILLED_POST) if method == "post" else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert snapshot() == before


# Stepping down, releasing a seat and removing a role answer GET with a confirmation (test_second_thoughts.py).
@pytest.mark.parametrize("name", ["follow", "update_post"])
def test_post_only_actions_refuse_get_with_405(client, movement, founder, name):
    client.force_login(founder)
    assert client.get(reverse(f"movements:{name}", args=[movement.slug])).status_code == 405


@pytest.mark.parametrize("name", ["role_claim", "role_assign"])
def test_role_actions_refuse_get_with_405(client, movement, founder, name):
    client.force_login(founder)
    assert client.get(reverse(f"movements:{name}", args=[movement.slug, movement.roles.first().pk])).status_code == 405


def test_the_list_and_the_page_refuse_post_with_405(client, movement, founder):
    client.force_login(founder)
    assert client.post(reverse("movements:list")).status_code == 405
    assert client.post(movement.get_absolute_url()).status_code == 405


def test_a_plain_member_gets_403_for_lead_actions_and_nothing_changes(client, movement, member):
    client.force_login(member)
    before = snapshot()
    role = movement.roles.first()
    for url in [
        reverse("movements:edit", args=[movement.slug]),
        reverse("movements:roles", args=[movement.slug]),
        reverse("movements:role_edit", args=[movement.slug, role.pk]),
        reverse("movements:role_delete", args=[movement.slug, role.pk]),
        reverse("movements:pilot", args=[movement.slug]),
        reverse("movements:welcome", args=[movement.slug]),
        reverse("movements:lead_add", args=[movement.slug, movement.memberships.get(position=1).pk]),
    ]:
        assert client.post(url, FILLED_POST).status_code == 403, url
    assert snapshot() == before


def test_an_unknown_slug_is_404(client, founder):
    client.force_login(founder)
    assert client.get("/movements/no-such-thing/").status_code == 404
    assert client.post("/movements/no-such-thing/follow/").status_code == 404


# --- browse --------------------------------------------------------------------------------------


def test_the_list_shows_cards_with_stage_counts_and_faces(client, movement, member):
    client.force_login(member)
    response = client.get(reverse("movements:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert movement.title in html and "1 follower" in html and "3 open seats" in html
    assert "Fiona Founder (founder)" in html and "Max Member (first follower)" in html


def test_htmx_filtering_returns_only_the_results_partial(client, movement, start_movement, member):
    start_movement(title="Wiki gardening", tool="Wiki")
    client.force_login(member)
    response = client.get(reverse("movements:list"), {"tool": "Wiki"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert "Wiki gardening" in html and movement.title not in html


def test_plain_filter_links_work_without_javascript(client, start_movement, member):
    for n in range(14):
        start_movement(title=f"Idea {n:02d}")
    client.force_login(member)
    first = client.get(reverse("movements:list"), {"q": "idea", "sort": "newest"}).content.decode()
    assert "Page 1 of 2" in first and "q=idea&amp;sort=newest&amp;page=2" in first
    second = client.get(reverse("movements:list"), {"q": "idea", "sort": "newest", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "Idea 00" in second


def test_nul_bytes_and_garbage_filters_do_not_break_the_list(client, movement, member):
    client.force_login(member)
    response = client.get(
        reverse("movements:list"), {"q": "a\x00b", "department": "x", "stage": "nope", "sort": "drop", "page": "zz"}
    )
    assert response.status_code == 200 and movement.title in response.content.decode()


def test_the_list_says_so_when_nothing_matches(client, movement, member):
    client.force_login(member)
    assert (
        "No movement matches these filters." in client.get(reverse("movements:list"), {"q": "zebra"}).content.decode()
    )


def build_movements(count: int, members_each: int) -> None:
    for n in range(count):
        movement = services.movement_start(
            founder=UserFactory(), title=f"Load {n}", pitch="P", roles=[RoleSpec("Trainer", 2)]
        )
        for _ in range(members_each):
            services.membership_join(movement=movement, person=UserFactory())


def count_queries(client, url, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_costs_the_same_queries_for_5_and_50_movements(client, size, django_assert_num_queries):
    build_movements(size, 5)
    viewer = UserFactory()
    client.force_login(viewer)
    # session (+ person, department: one query), viewer's department (visible_to), the content versions (socialbiz/versions.py), count,
    # page of movements (+ department), faces and leads, their people, departments for the filter, tools for
    # the filter, my pending invitations
    count_queries(client, reverse("movements:list"), django_assert_num_queries, 9)
    # Again, with nothing written in between: the page and the filter options come from the cache.
    # session (+ person, department: one query), viewer's department, the content versions, my pending invitations
    count_queries(client, reverse("movements:list"), django_assert_num_queries, 3)


@pytest.mark.parametrize("size", [5, 50])
def test_the_movement_page_costs_the_same_queries_for_5_and_50_members(client, size, django_assert_num_queries):
    founder = UserFactory()
    movement = services.movement_start(founder=founder, title="Crowd", pitch="P", roles=[RoleSpec("Trainer", 60)])
    role = movement.roles.get()
    for _n in range(size - 1):
        person = services.membership_join(movement=movement, person=UserFactory()).person
        services.role_claim(role=role, person=person)
        services.update_post(movement=movement, author=person, body=f"Hi @{founder.email.split('@')[0]}")
    services.welcome_post(
        movement=movement,
        author=founder,
        body="Welcome all",
        memberships=list(movement.memberships.filter(position__gt=1)),
    )
    FeedbackFactory(movement=movement)
    client.force_login(founder)
    # session (+ person and their department, one query), movement (+ founder, department, needs_lead),
    # founder and first followers (+ people), leads and the viewer (+ people), the first members
    # (+ people), followers not yet welcomed (count), roles, role holders (+ people), latest updates (+ authors),
    # welcomed people, the linked feedback (works and doesn't, one query), the chain (tree: the first view of this
    # movement computes it, later views read it from the cache), the chain's members (+ people), stage
    # changes, ownership: activity split, seat split (the active leads come from the leads above);
    # the support requests and sanctions (read once for the timeline and the sponsor column), the sponsor
    # column's sponsorships (+ people) (sponsors app); am I watching it, the replies to the
    # updates shown (+ authors), the people @mentioned in them (conversation app), the pilot's measures and its pulses (pilots app),
    # colleagues of the viewer's department following it (count and first names in one query; issue 20);
    # the viewer's membership and roles, the movement's content versions (movements/page_parts.py),
    # and (the first view only) the people were just loaded
    # The clock held still: the updates read "N seconds ago" alike on both views (a relative time is in the
    # lower half's key, so a view a second later would be a new rendering, exact to the second).
    with time_machine.travel(timezone.now(), tick=False):
        count_queries(client, movement.get_absolute_url(), django_assert_num_queries, 26)
        # Later views read the people's facts and rendered parts from the cache (movements/views.py: people parts):
        # no founder and first followers, leads, first members, roles, role holders, chain or seat split; one
        # query for the names and pictures of the people shown instead. The lower half comes from the cache
        # too (movements/page_parts.py): no updates, welcomed people, replies, mentions, stage changes, support
        # requests, sanctions, sponsorships, linked feedback, measures or pulses.
        count_queries(client, movement.get_absolute_url(), django_assert_num_queries, 9)


# --- starting ------------------------------------------------------------------------------------


def start_data(**overrides):
    data = {
        "title": "Open calendars",
        "pitch": "See when people are free.",
        "problem": "Scheduling takes days.",
        "use_cases": "",
        "tool": "Calendar",
        "department": "",
        "template_1": "on",
        "template_1_seats": "4",
        "custom_1_name": "Calendar doctor",
        "custom_1_seats": "2",
    }
    data.update(overrides)
    return data


def test_starting_a_movement_makes_me_founder_with_the_roles_i_picked(client, founder):
    client.force_login(founder)
    response = client.post(reverse("movements:new"), start_data())
    movement = Movement.objects.get()
    assert response.status_code == 302 and response["Location"] == movement.get_absolute_url()
    assert sorted(movement.roles.values_list("name", "seats")) == [("Calendar doctor", 2), ("Pilot tester", 4)]
    assert movement.memberships.get().person == founder and movement.open_seats == 6


def test_the_start_form_is_labelled_and_offers_the_role_templates(client, founder):
    client.force_login(founder)
    html = client.get(reverse("movements:new")).content.decode()
    assert (
        'for="id_title"' in html
        and "Pilot tester" in html
        and "Note-taker" in html
        and 'for="id_template_0_seats"' in html
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "Bad\x00title"}, "title", "Null characters are not allowed."),
        ({"custom_1_name": "pilot tester"}, "custom_1_name", "There is already a role named"),
        ({"template_1_seats": "0"}, "template_1_seats", "greater than or equal to 1"),
        ({"custom_1_seats": "-3"}, "custom_1_seats", "greater than or equal to 1"),
    ],
)
def test_bad_start_input_gets_a_message_on_the_field_and_creates_nothing(client, founder, overrides, field, message):
    client.force_login(founder)
    response = client.post(reverse("movements:new"), start_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert Movement.objects.count() == 0


def test_a_department_limit_must_be_my_own_department(client, founder):
    client.force_login(founder)
    other = DepartmentFactory(name="Finance")
    response = client.post(reverse("movements:new"), start_data(department=str(other.pk)))
    assert "department" in response.context["form"].errors and Movement.objects.count() == 0
    client.post(reverse("movements:new"), start_data(department=str(founder.department_id)))
    assert Movement.objects.get().department == founder.department


def test_starting_from_a_feedback_post_prefills_and_links_it(client, founder):
    post = FeedbackFactory(title="Nobody owns the wiki", body="Pages rot.")
    voters = [VoteFactory(feedback=post).person for _ in range(2)]
    client.force_login(founder)
    page = client.get(reverse("movements:new"), {"from_feedback": post.pk})
    assert page.context["form"].initial["title"] == "Nobody owns the wiki"
    assert 'value="Nobody owns the wiki"' in page.content.decode() and "Pages rot." in page.content.decode()
    response = client.post(
        f"{reverse('movements:new')}?from_feedback={post.pk}",
        {**start_data(title="Wiki gardeners", from_feedback=post.pk), "voters": [v.pk for v in voters]},
    )
    movement = Movement.objects.get()
    assert response.status_code == 302
    assert Feedback.objects.get(pk=post.pk).resulting_movement == movement
    assert set(Invitation.objects.values_list("invitee", flat=True)) == {v.pk for v in voters}


def test_a_movement_from_a_post_shows_its_markdown_as_text(client, founder):
    post = FeedbackFactory(title="Wiki", body="Pages **rot**:\n\n- no owner\n- [no index](https://wiki.example/x)")
    client.force_login(founder)
    form = client.get(reverse("movements:new"), {"from_feedback": post.pk}).context["form"]
    assert form.initial["problem"] == "Pages rot:\n\n- no owner\n- no index (https://wiki.example/x)"


def test_the_voters_box_starts_unticked_says_how_many_and_invites_only_those_picked(client, founder):
    post = FeedbackFactory(title="Nobody owns the wiki", body="Pages rot.")
    voters = sorted((VoteFactory(feedback=post).person for _ in range(3)), key=lambda p: (p.display_name, p.pk))
    client.force_login(founder)
    page = client.get(reverse("movements:new"), {"from_feedback": post.pk}).content.decode()
    assert "3 colleagues said “me too”." in page and "Nobody is invited unless ticked." in page
    assert all(f'value="{v.pk}"' in page for v in voters) and " checked" not in page.split("id_voters")[1]
    client.post(
        f"{reverse('movements:new')}?from_feedback={post.pk}",
        {**start_data(title="Wiki gardeners", from_feedback=post.pk), "voters": [voters[1].pk]},
    )
    assert list(Invitation.objects.values_list("invitee", flat=True)) == [voters[1].pk]


def test_nobody_is_invited_when_nothing_is_ticked(client, founder):
    post = FeedbackFactory(title="Nobody owns the wiki", body="Pages rot.")
    VoteFactory(feedback=post)
    client.force_login(founder)
    client.post(f"{reverse('movements:new')}?from_feedback={post.pk}", start_data(from_feedback=post.pk))
    assert Movement.objects.count() == 1 and not Invitation.objects.exists()


def test_only_voters_of_the_post_can_be_picked(client, founder):
    post = FeedbackFactory(title="Nobody owns the wiki", body="Pages rot.")
    VoteFactory(feedback=post)
    stranger = UserFactory()
    client.force_login(founder)
    response = client.post(
        f"{reverse('movements:new')}?from_feedback={post.pk}",
        {**start_data(from_feedback=post.pk), "voters": [stranger.pk]},
    )
    assert response.status_code == 200 and response.context["form"].errors["voters"]
    assert not Movement.objects.exists() and not Invitation.objects.exists()


def test_starting_from_a_post_i_cannot_see_is_404(client, founder):
    hidden = FeedbackFactory(hidden_at="2026-01-01T00:00:00Z")
    client.force_login(founder)
    assert client.get(reverse("movements:new"), {"from_feedback": hidden.pk}).status_code == 404
    assert client.get(reverse("movements:new"), {"from_feedback": "1\x00"}).status_code == 404


# --- the page and its actions --------------------------------------------------------------------


def test_the_page_shows_founder_and_first_followers_side_by_side(client, movement, member):
    client.force_login(member)
    response = client.get(movement.get_absolute_url())
    core = [m.person for m in response.context["core"]]
    assert core == [movement.founder, member]
    html = response.content.decode()
    assert "first follower" in html and "Claim Evangelist" in html and "Your personal recruit link" in html


def test_following_with_htmx_returns_the_refreshed_body(client, movement):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("movements:follow", args=[movement.slug]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="movement-body"' in html
    assert "You are one of the first followers" in html and "Leave" in html
    assert Membership.objects.get(movement=movement, person=person).position == 2


def test_following_without_javascript_redirects_back_to_the_page(client, movement):
    client.force_login(UserFactory())
    response = client.post(reverse("movements:follow", args=[movement.slug]))
    assert response.status_code == 302 and response["Location"] == movement.get_absolute_url()
    movement.refresh_from_db()
    assert movement.follower_count == 1


def test_leaving_and_the_last_lead_is_told_to_hand_over(client, movement, founder, member):
    client.force_login(founder)
    response = client.post(reverse("movements:leave", args=[movement.slug]), follow=True)
    assert "You are the last lead" in response.content.decode()
    client.force_login(member)
    client.post(reverse("movements:leave", args=[movement.slug]))
    assert Membership.objects.get(person=member).left_at is not None


def test_claiming_and_releasing_a_role_from_the_page(client, movement, member):
    role = movement.roles.get(name="Note-taker")
    client.force_login(member)
    response = client.post(reverse("movements:role_claim", args=[movement.slug, role.pk]), HTTP_HX_REQUEST="true")
    assert "You took a seat as Note-taker" in response.content.decode()
    assert RoleAssignment.objects.get(role=role).person == member
    client.post(reverse("movements:role_release", args=[movement.slug, role.pk]))
    assert not RoleAssignment.objects.exists()


def test_a_visitor_who_does_not_follow_gets_403_on_claim(client, movement):
    client.force_login(UserFactory())
    assert (
        client.post(reverse("movements:role_claim", args=[movement.slug, movement.roles.first().pk])).status_code == 403
    )
    assert not RoleAssignment.objects.exists()


def test_a_lead_manages_roles_with_clear_errors(client, movement, founder, member):
    client.force_login(founder)
    url = reverse("movements:roles", args=[movement.slug])
    duplicate = client.post(url, {"name": "evangelist", "seats": "1"})
    assert "There is already a role named" in " ".join(duplicate.context["form"].errors["name"])
    zero = client.post(url, {"name": "Trainer", "seats": "0"})
    assert zero.context["form"].errors["seats"]
    assert movement.roles.count() == 2
    client.post(url, {"name": "Trainer", "seats": "2", "description": "Teach"})
    trainer = movement.roles.get(name="Trainer")
    client.post(
        reverse("movements:role_assign", args=[movement.slug, trainer.pk]),
        {"membership": movement.memberships.get(person=member).pk},
    )
    assert RoleAssignment.objects.get(role=trainer).person == member
    edit = client.post(
        reverse("movements:role_edit", args=[movement.slug, trainer.pk]), {"name": "Trainer", "seats": "-1"}
    )
    assert edit.context["form"].errors["seats"]
    client.post(reverse("movements:role_edit", args=[movement.slug, trainer.pk]), {"name": "Coach", "seats": "3"})
    assert movement.roles.get(pk=trainer.pk).name == "Coach"
    client.post(
        reverse("movements:role_release", args=[movement.slug, trainer.pk]), {"person": member.pk, "next": "roles"}
    )
    client.post(reverse("movements:role_delete", args=[movement.slug, trainer.pk]))
    movement.refresh_from_db()
    assert not movement.roles.filter(pk=trainer.pk).exists() and movement.open_seats == 3


def test_a_lead_makes_a_co_lead_and_then_steps_down(client, movement, founder, member):
    client.force_login(founder)
    client.post(reverse("movements:lead_add", args=[movement.slug, movement.memberships.get(person=member).pk]))
    client.post(reverse("movements:lead_step_down", args=[movement.slug]))
    assert list(movement.memberships.filter(is_lead=True).values_list("person", flat=True)) == [member.pk]


def test_inviting_from_the_directory_and_by_email(client, movement, member):
    colleague = UserFactory(display_name="Zara Zimmer")
    client.force_login(member)
    search = client.get(reverse("movements:invite", args=[movement.slug]), {"who": "zara"}).content.decode()
    assert "Zara Zimmer" in search and "Max Member" not in search.split("Colleagues found")[1].split("</fieldset>")[0]
    client.post(reverse("movements:invite", args=[movement.slug]), {"invitee": colleague.pk, "note": "Come!"})
    client.post(reverse("movements:invite", args=[movement.slug]), {"email": "someone@example.com"})
    assert set(Invitation.objects.values_list("invitee", "email")) == {
        (colleague.pk, ""),
        (None, "someone@example.com"),
    }


def test_inviting_someone_who_follows_already_is_refused_with_a_message(client, movement, founder, member):
    client.force_login(founder)
    response = client.post(reverse("movements:invite", args=[movement.slug]), {"invitee": member.pk})
    assert "Max Member already follows this movement." in response.content.decode()
    response = client.post(reverse("movements:invite", args=[movement.slug]), {"email": "not-an-email"})
    assert response.context["form"].errors["email"]
    assert Invitation.objects.count() == 0


def test_accepting_an_invitation_once(client, movement, member):
    invitee = UserFactory()
    invitation = services.invitation_create(movement=movement, inviter=member, invitee=invitee)
    url = reverse("movements:invitation", args=[invitation.token])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(invitee)
    assert client.post(url, {"answer": "accept"}).status_code == 302
    assert Membership.objects.get(person=invitee).recruited_by == member
    again = client.post(url, {"answer": "decline"}, follow=True)
    assert "already answered" in again.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED


def test_the_personal_recruit_link_joins_with_recruited_by(client, movement, member):
    link = recruit_link(movement=movement, person=member)
    newcomer = UserFactory()
    client.force_login(newcomer)
    assert "Max Member asks you to join" in client.get(link).content.decode()
    client.post(link)
    assert Membership.objects.get(person=newcomer).recruited_by == member
    assert client.get(link[:-3] + "xyz/").status_code == 404


def test_posting_an_update_and_an_empty_one(client, movement, member):
    client.force_login(member)
    url = reverse("movements:update_post", args=[movement.slug])
    empty = client.post(url, {"body": "  "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    client.post(url, {"body": "We met today"})
    assert Update.objects.get().body == "We met today"


def test_a_lead_welcomes_followers_in_public(client, movement, founder, member):
    client.force_login(founder)
    page = client.get(reverse("movements:welcome", args=[movement.slug])).content.decode()
    assert "Max Member" in page
    client.post(
        reverse("movements:welcome", args=[movement.slug]),
        {"body": "Welcome Max!", "followers": [movement.memberships.get(person=member).pk]},
    )
    assert Membership.objects.get(person=member).welcomed_at is not None
    assert Update.objects.get().is_welcome


def test_the_pilot_form_refuses_bad_dates_and_the_old_decision_page_records_nothing(client, movement, founder):
    client.force_login(founder)
    pilot_url = reverse("movements:pilot", args=[movement.slug])
    bad = client.post(
        pilot_url,
        {"hypothesis": "H", "success_measure": "S", "start": "2026-02-01", "end": "2026-01-01", "rationale": "R"},
    )
    assert "The pilot cannot end before it starts." in " ".join(bad.context["form"].errors["end"])
    assert Movement.objects.get().stage == Stage.RECRUITING
    client.post(
        pilot_url,
        {"hypothesis": "H", "success_measure": "S", "start": "2026-01-01", "end": "2026-02-01", "rationale": "R"},
    )
    assert Movement.objects.get().stage == Stage.PILOTING
    # A pilot's decision is shared: the old page sends the lead to the proposal and records nothing alone.
    decision_url = reverse("movements:decision", args=[movement.slug])
    proposal_url = reverse("pilots:proposal", args=[movement.slug])
    assert client.get(decision_url).url == proposal_url
    before = StageChange.objects.count()
    for data in (
        {"decision": Decision.RETIRE, "rationale": "Nobody used it", "confirmed": "yes"},
        {"decision": Decision.EXTEND, "rationale": "More time", "new_end": "2026-03-01", "confirmed": "yes"},
    ):
        response = client.post(decision_url, data, follow=True)
        assert response.redirect_chain == [(proposal_url, 302)]
        assert "Nothing was recorded" in response.content.decode()
    movement.refresh_from_db()
    assert (movement.stage, movement.pilot_end, StageChange.objects.count()) == (
        Stage.PILOTING,
        date(2026, 2, 1),
        before,
    )
    page = client.get(movement.get_absolute_url()).content.decode()
    assert proposal_url in page and decision_url not in page


def test_the_page_and_the_card_say_when_a_movement_needs_a_lead(client, movement, founder, member):
    founder.is_active = False
    founder.save()
    client.force_login(member)
    assert "This movement needs a lead." in client.get(movement.get_absolute_url()).content.decode()
    assert "Needs a lead" in client.get(reverse("movements:list")).content.decode()


def test_linked_feedback_is_shown_works_beside_doesnt(client, movement, member):
    FeedbackFactory(movement=movement, kind="works", title="Friday notes help")
    FeedbackFactory(movement=movement, kind="doesnt", title="Too many channels")
    FeedbackFactory(movement=movement, kind="doesnt", title="Hidden one", hidden_at="2026-01-01T00:00:00Z")
    client.force_login(member)
    response = client.get(movement.get_absolute_url())
    assert [p.title for p in response.context["works"]] == ["Friday notes help"]
    assert [p.title for p in response.context["doesnt"]] == ["Too many channels"]


def test_the_list_shows_my_pending_invitations(client, movement, founder):
    invitee = UserFactory()
    services.invitation_create(movement=movement, inviter=founder, invitee=invitee)
    client.force_login(invitee)
    assert "Fiona Founder invites you to" in client.get(reverse("movements:list")).content.decode()


def test_nul_bytes_in_role_names_updates_and_notes_get_a_message_and_change_nothing(client, movement, founder):
    client.force_login(founder)
    before = snapshot()
    role = client.post(reverse("movements:roles", args=[movement.slug]), {"name": "Bad\x00name", "seats": "1"})
    assert "Null characters are not allowed." in " ".join(role.context["form"].errors["name"])
    update = client.post(reverse("movements:update_post", args=[movement.slug]), {"body": "Hi\x00"})
    assert update.status_code == 400 and "Null characters are not allowed." in update.content.decode()
    invite = client.post(reverse("movements:invite", args=[movement.slug]), {"email": "a@example.com", "note": "\x00"})
    assert invite.context["form"].errors["note"]
    assert snapshot() == before


def test_the_admin_lists_movements_for_staff(client, movement):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:movements_movement_change", args=[movement.pk]))
    assert response.status_code == 200 and movement.title in response.content.decode()
    assert client.get(reverse("admin:movements_movement_changelist")).status_code == 200


def test_a_lead_edits_the_words_and_the_slug_stays(client, movement, founder):
    client.force_login(founder)
    url = reverse("movements:edit", args=[movement.slug])
    empty = client.post(url, {"title": " ", "pitch": "P"})
    assert empty.status_code == 200 and Movement.objects.get().title == "Working out loud"
    client.post(url, {"title": "Working out loud, weekly", "pitch": "Share early.", "tool": "Wiki"})
    movement.refresh_from_db()
    assert (movement.title, movement.slug, movement.tool) == ("Working out loud, weekly", "working-out-loud", "Wiki")


# --- the members page and a bounded movement page ----------------------------------------------------


def test_the_movement_page_shows_the_first_members_and_links_to_all_of_them(
    client, movement, founder, settings, monkeypatch
):
    from movements import selectors

    monkeypatch.setattr(selectors, "MEMBERS_SHOWN", 6)
    people = [services.membership_join(movement=movement, person=UserFactory()).person for _ in range(9)]
    client.force_login(founder)
    html = client.get(movement.get_absolute_url()).content.decode()
    assert "10 members" in html
    assert people[4].name in html  # join order 6 is shown...
    assert f">{people[8].name}<" not in html.split('id="members-title"')[1].split("</table>")[0]  # ...order 10 is not
    assert "See all members (4 more)" in html
    assert reverse("movements:members", args=[movement.slug]) in html


def test_the_members_page_lists_every_member_in_pages(client, movement, founder, monkeypatch):
    from movements import selectors

    monkeypatch.setattr(selectors, "MEMBERS_PER_PAGE", 4)
    people = [services.membership_join(movement=movement, person=UserFactory()).person for _ in range(5)]
    client.force_login(founder)
    url = reverse("movements:members", args=[movement.slug])
    first = client.get(url).content.decode()
    assert "6 members" in first and "Page 1 of 2" in first and people[2].name in first and people[3].name not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert people[3].name in second and people[4].name in second and "Page 2 of 2" in second
    assert "Make" in first  # the founder leads: co-lead buttons are there
    assert client.get(url, {"page": "zzz"}).status_code == 200


def test_the_members_page_is_404_for_an_outsider_and_changes_nothing(client, outsider_department_movement):
    movement, outsider = outsider_department_movement
    before = snapshot()
    client.force_login(outsider)
    assert client.get(reverse("movements:members", args=[movement.slug])).status_code == 404
    assert snapshot() == before


def test_the_members_page_refuses_post(client, movement, founder):
    client.force_login(founder)
    assert client.post(reverse("movements:members", args=[movement.slug])).status_code == 405


@pytest.mark.parametrize("size", [5, 50])
def test_the_members_page_costs_the_same_queries_for_5_and_50_members(client, size, django_assert_num_queries):
    founder = UserFactory()
    movement = services.movement_start(founder=founder, title="Crowd", pitch="P", roles=[RoleSpec("Trainer", 60)])
    role = movement.roles.get()
    for _ in range(size - 1):
        person = services.membership_join(movement=movement, person=UserFactory()).person
        services.role_claim(role=role, person=person)
    client.force_login(founder)
    # session (+ person, department: one query), viewer's department (visible_to), movement, count, the page of members (+ people),
    # roles, role holders, the viewer's membership
    count_queries(client, reverse("movements:members", args=[movement.slug]), django_assert_num_queries, 7)
