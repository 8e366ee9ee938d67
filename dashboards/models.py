"""Daily rollups of the activity log, so the dashboards read a few thousand rows, not millions.

The rollup task (dashboards.tasks.dashboards_rollup) fills complete UTC days in order; the selectors
read these rows for the rolled-up days and compute every later day (always including today) live
from activity.Activity. `RollupDay` marks which days are done: a day without any activity still
gets its marker, so "rolled through" is simply the newest marked day.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class RollupDay(models.Model):
    """A UTC day whose rollup rows are complete."""

    day = models.DateField(primary_key=True)
    rolled_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return str(self.day)


class DailyActivePerson(models.Model):
    """One row per person who did anything in the activity log on a UTC day (active = any activity row)."""

    day = models.DateField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actions = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "person"], name="daily_active_person_once"),
            models.CheckConstraint(condition=Q(actions__gte=1), name="daily_active_person_did_something"),
        ]
        indexes = [models.Index(fields=["person", "day"], name="daily_active_person_day")]


class DailyMovementActivity(models.Model):
    """Activity rows about a movement on a UTC day, and how many of them its founder did."""

    day = models.DateField()
    movement = models.ForeignKey("movements.Movement", on_delete=models.CASCADE, related_name="+")
    actions = models.PositiveIntegerField()
    founder_actions = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "movement"], name="daily_movement_activity_once"),
            models.CheckConstraint(
                condition=Q(founder_actions__lte=F("actions")), name="daily_movement_founder_within_total"
            ),
        ]
        indexes = [models.Index(fields=["movement", "day"], name="daily_movement_activity_day")]


class DailyDepartmentActive(models.Model):
    """People active on a UTC day, per department (the one they were in when the day was rolled up; NULL = none).

    Lets "people active per day" over a year read a few rows per day instead of one per active person.
    """

    day = models.DateField()
    department = models.ForeignKey("people.Department", null=True, on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department"], name="daily_department_active_once", nulls_distinct=False
            ),
        ]


class PersonLastActive(models.Model):
    """The newest rolled-up day on which a person was active, so "active in the last 365 days" is one row per person."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(db_index=True)


class NudgeFiguresRun(models.Model):
    """One computation of the nudge figures for the last `days` days starting `start` (see NudgeFigures)."""

    days = models.PositiveSmallIntegerField(primary_key=True)
    start = models.DateField()
    computed_at = models.DateTimeField()


class NudgeFigures(models.Model):
    """Nudges sent since a run's start, per kind and recipient's (current) department, as of the run.

    Grouping up to 500,000 nudges took 0.4-1.2 s per request at the large scale, and a nudge's read and
    acted-on marks change after it is sent, so a daily rollup would go stale. The hourly rollup task
    recomputes these rows for each range the dashboard offers; /dashboards/ reads them (a few thousand
    rows) and says when they were computed, and computes live when there is no run for today's range.
    """

    run = models.ForeignKey(NudgeFiguresRun, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(max_length=32)
    department = models.ForeignKey("people.Department", null=True, on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField()
    sent = models.PositiveIntegerField()
    read = models.PositiveIntegerField()
    acted = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "department"], name="nudge_figures_once", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=Q(people__lte=F("sent"), read__lte=F("sent"), acted__lte=F("sent")),
                name="nudge_figures_within_sent",
            ),
        ]
