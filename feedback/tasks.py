from celery import shared_task

from . import services


@shared_task(acks_late=True)
def record_anonymous_activity() -> int:
    """Beat runs it hourly; it writes only rows not yet written, so running it twice changes nothing."""
    return services.anonymous_activity_record()
