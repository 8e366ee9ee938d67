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
            models.CheckConstraint(condition=Q(founder_actions__lte=F("actions")), name="daily_movement_founder_within_total"),
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
            models.UniqueConstraint(fields=["day", "department"], name="daily_department_active_once", nulls_distinct=False),
        ]


class PersonLastActive(models.Model):
    """The newest rolled-up day on which a person was active, so "active in the last 365 days" is one row per person."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
