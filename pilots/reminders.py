"""The time-based pilot reminder: a hand-recorded measure without a new value for two weeks.

Beat runs `measures_stale_nudge` (pilots.tasks.stale_measures_tick); it writes `measure_stale` nudges into the
outbox (preferences and the daily cap apply as for every nudge). It is safe to run any number of times: the
dedupe key names the measure and the moment its current quiet period began (its last value was written, or it
was defined), so each stale period is nudged once; a new value starts a new period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from movements.models import Membership, RoleAssignment, Stage
from nudges.models import Kind
from nudges.services import Draft, nudges_write

from .models import Measure, Source

STALE_AFTER = dt.timedelta(days=14)


def measures_stale_nudge(*, now: dt.datetime | None = None) -> int:
    """Nudge who records each stale hand-recorded measure of a running pilot: the current holders of its role,
    or the movement's leads when it has no role or nobody holds it. Returns the number of nudges written.
    A fixed number of queries whatever the number of measures: measures, holders, leads, the outbox write."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    measures = list(
        Measure.objects.filter(
            source=Source.BY_HAND,
            movement__stage=Stage.PILOTING,
            movement__pilot_start__lte=today,
            movement__pilot_end__gte=today,
        )
        .annotate(quiet_since=Coalesce(Max("values__recorded_at"), "created_at"))
        .filter(quiet_since__lte=now - STALE_AFTER)
        .values_list("pk", "name", "movement_id", "recorder_role_id", "quiet_since")
    )
    if not measures:
        return 0
    holders: dict[int, set[int]] = defaultdict(set)
    for role_id, person_id in RoleAssignment.objects.filter(
        role_id__in={role_id for *_, role_id, _ in measures if role_id}, person__is_active=True
    ).values_list("role_id", "person_id"):
        holders[role_id].add(person_id)
    leads: dict[int, set[int]] = defaultdict(set)
    for movement_id, person_id in (
        Membership.objects.active_leads()
        .filter(movement_id__in={movement_id for _, _, movement_id, *_ in measures}, person__is_active=True)
        .values_list("movement_id", "person_id")
    ):
        leads[movement_id].add(person_id)
    drafts = []
    for measure_id, name, movement_id, role_id, quiet_since in measures:
        recipients = holders.get(role_id) or leads.get(movement_id, set())
        period = f"{quiet_since:%Y%m%d%H%M%S%f}"
        drafts.extend(
            Draft(
                Kind.MEASURE_STALE,
                person_id,
                f"measure_stale:m{measure_id}:{period}:u{person_id}",
                movement_id=movement_id,
                context={"measure": name},
            )
            for person_id in sorted(recipients)
        )
    return len(nudges_write(drafts=drafts))
