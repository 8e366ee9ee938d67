"""hypothesis over the query-string filters of /movements/ and /dashboards/ and over the movement forms (start,
role edit, invite, pilot, decision): arbitrary text, NUL bytes, huge values, wrong types and unknown ids.
Every answer is below 500 and the database stays consistent (counters equal the rows they count)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from activity.models import Activity, Verb
from movements import services
from movements.models import Invitation, Membership, Movement, Role, RoleAssignment, Stage, StageChange

FUZZ = hsettings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
nasty_text = st.one_of(
    st.text(max_size=200),
    st.text(max_size=40).map(lambda s: s + "\x00" + s),
    st.just("x" * 30000),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "0",
            "-1",
            "99999999999999999999999",
            "1e9",
            "NaN",
            "null",
            "[]",
            "{}",
            "recruiting",
            "piloting",
            "adopted",
            "retired",
            "newest",
            "followers",
            "activity",
            "adopt",
            "extend",
            "retire",
            "2026-02-30",
            "2026-01-01",
            "9999-12-31",
            "0001-01-01",
            "on",
            "true",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%00",
            "../../etc/passwd",
        ]
    ),
)
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), nasty_text)
dates = st.one_of(st.dates().map(str), nasty_text)
values = st.one_of(nasty_text, numbers, st.lists(nasty_text, max_size=3))  # a list: the key sent several times


def assert_consistent() -> None:
    """The invariants the services keep: counters equal their rows, seats never over-filled, a lead always left."""
    for movement in Movement.objects.all():
        active = Membership.objects.filter(movement=movement, left_at__isnull=True)
        assert movement.follower_count == active.exclude(person_id=movement.founder_id).count(), movement.slug
        assert active.filter(is_lead=True).exists(), movement.slug
        roles = list(Role.objects.filter(movement=movement))
        for role in roles:
            assert role.seats_filled == RoleAssignment.objects.filter(role=role).count() <= role.seats
        assert movement.open_seats == sum(role.seats - role.seats_filled for role in roles)
        assert movement.stage in Stage.values
    assert Movement.objects.count() == Activity.objects.filter(verb=Verb.STARTED_MOVEMENT).count()


@pytest.fixture
def lead_client(client, world, settings):
    settings.INVITE_RATE_LIMIT = "100000 per 1 minute"
    client.force_login(world.lead)
    return client


# --- query strings -----------------------------------------------------------------------------------


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "stage", "department", "tool", "sort", "page", "from_feedback", "\x00"]),
        values,
        max_size=6,
    ),
    htmx=st.booleans(),
)
def test_the_movement_list_answers_any_query_string_below_500(lead_client, query, htmx):
    response = lead_client.get(reverse("movements:list"), query, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code < 500
    if "page" not in query:
        assert response.status_code == 200


@FUZZ
@given(
    query=st.dictionaries(st.sampled_from(["range", "department", "page", "export", "format"]), values, max_size=5),
    htmx=st.booleans(),
)
def test_the_dashboards_answer_any_query_string_below_500(client, world, query, htmx):
    client.force_login(world.admin)
    headers = {"HX-Request": "true"} if htmx else {}
    assert client.get(reverse("dashboards:overview"), query, headers=headers).status_code < 500
    analytics = reverse("movement_analytics", args=[world.movement.slug])
    assert client.get(analytics, query, headers=headers).status_code < 500


@FUZZ
@given(who=nasty_text, from_feedback=numbers)
def test_the_invite_search_and_the_start_prefill_answer_any_query_below_500(lead_client, world, who, from_feedback):
    assert lead_client.get(reverse("movements:invite", args=[world.movement.slug]), {"who": who}).status_code < 500
    assert lead_client.get(reverse("movements:new"), {"from_feedback": from_feedback}).status_code < 500


# --- forms -------------------------------------------------------------------------------------------


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "title": nasty_text,
            "pitch": nasty_text,
            "problem": nasty_text,
            "use_cases": nasty_text,
            "tool": nasty_text,
            "department": numbers,
            "template_0": st.sampled_from(["on", "", "\x00", "x"]),
            "template_0_seats": numbers,
            "custom_1_name": nasty_text,
            "custom_1_seats": numbers,
            "custom_2_name": nasty_text,
            "custom_2_seats": numbers,
        }
    )
)
def test_the_start_form_never_errors_and_starts_all_or_nothing(lead_client, data):
    before = Movement.objects.count()
    response = lead_client.post(reverse("movements:new"), data)
    assert response.status_code < 500
    assert Movement.objects.count() - before == (1 if response.status_code == 302 else 0)
    assert_consistent()


@FUZZ
@given(data=st.fixed_dictionaries({"name": nasty_text, "description": nasty_text, "seats": numbers}))
def test_the_role_forms_never_error_and_never_overfill(lead_client, world, data):
    response = lead_client.post(reverse("movements:role_edit", args=[world.movement.slug, world.role.pk]), data)
    assert response.status_code < 500
    response = lead_client.post(reverse("movements:roles", args=[world.movement.slug]), data)
    assert response.status_code < 500
    assert_consistent()


@FUZZ
@given(data=st.fixed_dictionaries({"invitee": numbers, "email": nasty_text, "note": nasty_text}))
def test_the_invite_form_never_errors_and_writes_all_or_nothing(lead_client, world, data):
    before = Invitation.objects.count()
    response = lead_client.post(reverse("movements:invite", args=[world.movement.slug]), data)
    assert response.status_code < 500
    assert Invitation.objects.count() - before == (1 if response.status_code == 302 else 0)
    assert_consistent()


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"hypothesis": nasty_text, "success_measure": nasty_text, "start": dates, "end": dates, "rationale": nasty_text}
    )
)
def test_the_pilot_form_never_errors_and_changes_the_stage_all_or_nothing(lead_client, world, data):
    before = StageChange.objects.count()
    response = lead_client.post(reverse("movements:pilot", args=[world.movement.slug]), data)
    assert response.status_code < 500
    movement = Movement.objects.get(pk=world.movement.pk)
    assert StageChange.objects.count() - before == (1 if response.status_code == 302 else 0)
    if movement.stage == Stage.PILOTING:
        assert movement.pilot_start and movement.pilot_end and movement.pilot_start <= movement.pilot_end
    assert_consistent()


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "decision": nasty_text | st.sampled_from(["adopt", "extend", "retire"]),
            "new_end": dates,
            "rationale": nasty_text,
        }
    )
)
def test_the_old_decision_page_never_errors_and_never_records_alone(lead_client, world, data):
    if Movement.objects.get(pk=world.movement.pk).stage == Stage.RECRUITING:
        services.pilot_start(
            movement=world.movement,
            actor=world.lead,
            hypothesis="h",
            success_measure="m",
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
            rationale="r",
        )
    before = StageChange.objects.count()
    response = lead_client.post(reverse("movements:decision", args=[world.movement.slug]), {**data, "confirmed": "yes"})
    # A pilot's decision is shared: the old page sends the lead to the proposal and records nothing.
    assert response.status_code == 302 and response.url == reverse("pilots:proposal", args=[world.movement.slug])
    assert StageChange.objects.count() == before
    assert_consistent()


# --- unknown ids in the path -------------------------------------------------------------------------

ID_ROUTES = [
    "feedback:detail",
    "feedback:vote",
    "feedback:answer",
    "feedback:report",
    "feedback:moderate",
    "feedback:comment_edit",
    "feedback:comment_delete",
    "nudges:read",
    "movements:role_edit",
    "movements:role_claim",
    "movements:role_release",
    "movements:role_assign",
    "movements:lead_add",
    "sponsors:answer",
    "sponsors:support_answer",
    "organisation_of",
]


@FUZZ
@given(
    name=st.sampled_from(ID_ROUTES),
    number=st.integers(min_value=0, max_value=2**80),
    slug=st.sampled_from(["working-out-loud", "no-such-movement", "x" * 300, "0"]),
    post=st.booleans(),
)
def test_unknown_or_huge_ids_in_the_path_get_a_404_never_a_500(client, world, name, number, slug, post):
    client.force_login(world.moderator)
    kwargs = {"person_id": number} if name == "organisation_of" else {"pk": number}
    if name.startswith("movements:"):
        kwargs = (
            {"slug": slug, "membership_id": number} if name == "movements:lead_add" else {"slug": slug, "pk": number}
        )
    url = reverse(name, kwargs=kwargs)
    response = client.post(url) if post else client.get(url)
    assert response.status_code in (404, 405)
    assert_consistent()


@FUZZ
@given(
    token=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"), min_size=1, max_size=300
    )
)
def test_made_up_invitation_recruit_and_unsubscribe_tokens_get_a_404(client, world, token):
    client.force_login(world.member)
    slug = world.movement.slug
    for url in (
        f"/movements/invitations/{token}/",
        f"/movements/{slug}/join/{world.lead.pk}/{token}/",
        f"/unsubscribe/{token}/",
    ):
        assert client.get(quote(url)).status_code == 404, url


# --- sponsors --------------------------------------------------------------------------------------


@FUZZ
@given(who=nasty_text, data=st.fixed_dictionaries({"sponsor": numbers, "note": nasty_text}))
def test_the_ask_a_sponsor_form_never_errors_and_writes_all_or_nothing(lead_client, world, who, data):
    from sponsors.models import Sponsorship

    url = reverse("sponsors:ask", args=[world.movement.slug])
    assert lead_client.get(url, {"who": who}).status_code < 500
    before = Sponsorship.objects.count()
    response = lead_client.post(url, data)
    assert response.status_code < 500
    assert Sponsorship.objects.count() - before == (1 if response.status_code == 302 else 0)


@FUZZ
@given(data=st.fixed_dictionaries({"kind": nasty_text, "what": nasty_text, "needed_by": dates, "why": nasty_text}))
def test_the_ask_for_help_form_never_errors_and_writes_all_or_nothing(lead_client, world, data):
    from sponsors.models import SupportRequest

    before = SupportRequest.objects.count()
    response = lead_client.post(reverse("sponsors:support_new", args=[world.movement.slug]), data)
    assert response.status_code < 500
    assert SupportRequest.objects.count() - before == (1 if response.status_code == 302 else 0)


@FUZZ
@given(
    answer=st.fixed_dictionaries({"status": nasty_text, "note": nasty_text}),
    sanction=st.fixed_dictionaries({"on": dates, "note": nasty_text}),
)
def test_the_sponsors_forms_never_error(client, world, answer, sanction):
    from sponsors.models import Sanction

    client.force_login(world.sponsor)
    assert client.post(reverse("sponsors:support_answer", args=[world.support.pk]), answer).status_code < 500
    response = client.post(reverse("sponsors:sanction", args=[world.movement.slug]), sanction)
    assert response.status_code < 500
    assert Sanction.objects.filter(withdrawn_at__isnull=True).count() <= 1
    assert client.post(reverse("sponsors:sanction_withdraw", args=[world.movement.slug]), answer).status_code < 500
