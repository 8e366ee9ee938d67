"""Run the anonymous-post queue's tick by hand, or every minute where there is no Celery beat (`make run`)."""

import time

from django.core.management.base import BaseCommand

from feedback import publication


class Command(BaseCommand):
    help = "Publish queued anonymous posts when the crowd and the time allow (else rewrite and vacuum the queue)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="keep running, one tick every N seconds")

    def handle(self, *args, every: int = 0, **options):
        while True:
            published = publication.anonymous_queue_tick()
            self.stdout.write(f"published {published} anonymous post(s); {publication.queued_count()} waiting")
            if not every:
                return
            time.sleep(every)
