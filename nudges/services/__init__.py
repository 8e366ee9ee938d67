"""Every write of the nudges app. Split by concern; import from here (`from nudges import services`).

- outbox: write rows in the caller's transaction, relay due rows to the workers, re-queue stuck claims;
- delivery: claim, send outside any transaction, mark sent (exactly once); unsubscribe links; resend;
- reading: in-app read state, preferences, one-click unsubscribe, acted-on;
- sweeps: the time-based kinds.
"""

from .delivery import UNSUBSCRIBE_SALT, Outcome, nudge_deliver, nudge_resend, unsubscribe_token, unsubscribe_url
from .outbox import Draft, nudges_relay, nudges_requeue_stuck, nudges_write
from .reading import (
    ANY_MOVEMENT,
    SUGGESTED_VERBS,
    nudge_mark_read,
    nudges_mark_acted_on,
    nudges_mark_all_read,
    preference_unsubscribe,
    preferences_update,
)
from .sweeps import (
    nudges_sweep_checkins,
    nudges_sweep_decision_due,
    nudges_sweep_find_a_sponsor,
    nudges_sweep_find_first_follower,
    nudges_sweep_open_roles,
    nudges_sweep_part,
    nudges_sweep_plan,
    nudges_sweep_sponsor_monthly,
    nudges_sweep_time_based,
    nudges_sweep_weekly_digest,
)

__all__ = [
    "ANY_MOVEMENT",
    "SUGGESTED_VERBS",
    "UNSUBSCRIBE_SALT",
    "Draft",
    "Outcome",
    "nudge_deliver",
    "nudge_mark_read",
    "nudge_resend",
    "nudges_mark_acted_on",
    "nudges_mark_all_read",
    "nudges_relay",
    "nudges_requeue_stuck",
    "nudges_sweep_checkins",
    "nudges_sweep_decision_due",
    "nudges_sweep_find_a_sponsor",
    "nudges_sweep_find_first_follower",
    "nudges_sweep_open_roles",
    "nudges_sweep_part",
    "nudges_sweep_plan",
    "nudges_sweep_sponsor_monthly",
    "nudges_sweep_time_based",
    "nudges_sweep_weekly_digest",
    "nudges_write",
    "preference_unsubscribe",
    "preferences_update",
    "unsubscribe_token",
    "unsubscribe_url",
]
