from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def dashboards_rollup() -> int:
    """Beat runs this hourly: roll up the complete days not rolled up yet, then recompute the nudge figures.
    Safe to run twice (each day, and each range's figures, is replaced)."""
    days = len(services.rollup_pending())
    services.nudge_figures_refresh()
    return days
