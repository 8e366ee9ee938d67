"""Operations: list due, stuck and failed nudges; resend one on purpose.

python manage.py nudges                 # the three lists
python manage.py nudges --resend 42     # clear nudge 42's delivery state and queue it again
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from nudges import selectors, services
from nudges.models import Nudge


class Command(BaseCommand):
    help = "List due, stuck and failed nudges, or resend one on purpose."

    def add_arguments(self, parser):
        parser.add_argument("--resend", type=int, metavar="ID", help="send this nudge again, even if it was sent")
        parser.add_argument("--limit", type=int, default=50, help="rows per list (default 50)")

    def handle(self, *args, resend: int | None = None, limit: int = 50, **options):
        if resend is not None:
            nudge = Nudge.objects.filter(pk=resend).first()
            if nudge is None:
                raise CommandError(f"No nudge with id {resend}.")
            services.nudge_resend(nudge=nudge)
            self.stdout.write(self.style.SUCCESS(f"Nudge {resend} ({nudge.dedupe_key}) is queued to be sent again."))
            return
        for title, queryset, stamp in (
            ("Due (waiting for a worker)", selectors.nudges_due(), "due_at"),
            ("Stuck (claimed, never finished)", selectors.nudges_stuck(), "claimed_at"),
            ("Failed (last attempt failed)", selectors.nudges_failed(), "due_at"),
        ):
            total = queryset.count()
            self.stdout.write(self.style.MIGRATE_HEADING(f"{title}: {total}"))
            for nudge in queryset[:limit]:
                error = f"  error: {nudge.last_error[:120]}" if nudge.last_error else ""
                self.stdout.write(
                    f"  #{nudge.pk} {nudge.kind} to {nudge.recipient.email} {stamp}={getattr(nudge, stamp):%Y-%m-%d %H:%M} "
                    f"attempts={nudge.attempts} key={nudge.dedupe_key}{error}"
                )
            if total > limit:
                self.stdout.write(f"  ... and {total - limit} more")
