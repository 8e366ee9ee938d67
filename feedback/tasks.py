from celery import shared_task

from . import publication, services


@shared_task(acks_late=True)
def record_anonymous_activity() -> int:
    """Beat runs it hourly; it writes only rows not yet written, so running it twice changes nothing."""
    return services.anonymous_activity_record()


@shared_task(acks_late=True)
def anonymous_queue_tick() -> int:
    """Beat runs it every minute: publishes the queued anonymous posts when allowed, else rewrites the queue."""
    return publication.anonymous_queue_tick()
