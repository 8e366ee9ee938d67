# The Nudges issue adds the outbox (Nudge) and preferences here.
