from celery import shared_task

from . import pulses


@shared_task(acks_late=True)
def pulses_tick() -> int:
    """Beat runs it every ANONYMOUS_QUEUE_TICK_SECONDS: opens due pulses, publishes or rewrites their answers."""
    return pulses.pulses_tick()
