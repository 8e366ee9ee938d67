"""The Celery app, configured from Django settings (CELERY_* names)."""

import logging
import os
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbiz.settings")

app = Celery("socialbiz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _log_tasks(sender, **kwargs):
    """Log each task's name, id, outcome and duration (never its arguments)."""

    logger = logging.getLogger("socialbiz.task")
    started: dict[str, float] = {}

    @task_prerun.connect(weak=False)
    def before(task_id=None, task=None, **rest):
        started[task_id] = time.perf_counter()

    @task_postrun.connect(weak=False)
    def after(task_id=None, task=None, state=None, **rest):
        began = started.pop(task_id, None)
        logger.info(
            "task",
            extra={
                "task": task.name,
                "task_id": task_id,
                "state": state,
                "duration_ms": round((time.perf_counter() - began) * 1000, 1) if began else None,
            },
        )
