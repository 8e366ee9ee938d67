from celery import shared_task

from . import pulses, reminders


@shared_task(acks_late=True)
def pulses_tick() -> int:
    """Beat runs it every ANONYMOUS_QUEUE_TICK_SECONDS: opens due pulses, publishes or rewrites their answers."""
    return pulses.pulses_tick()


@shared_task(acks_late=True)
def stale_measures_tick() -> int:
    """Beat runs it hourly: nudges who records a hand-recorded measure left without a value for two weeks."""
    return reminders.measures_stale_nudge()
