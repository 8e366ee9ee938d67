import argparse
import random

from django.core.management.base import BaseCommand

from demo.feedback import seed_feedback
from demo.large import LARGE, seed_large
from demo.movements import seed_movements
from demo.people import DEMO_LOGINS, DEMO_PASSWORD, seed_people
from demo.sponsors import seed_sponsors


class Command(BaseCommand):
    help = "Create a small believable demo organisation. Safe to run again: it adds only what is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help="small: the quick demo (default). large: 20,000 people and millions of rows, PostgreSQL only.",
        )
        parser.add_argument("--factor", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        rng = random.Random(42)
        if options["scale"] == "large":
            self.stdout.write("Seeding the large organisation (this takes a few minutes)…")
            counts = seed_large(write=self.stdout.write, scale=LARGE.scaled(options["factor"]))
            if counts:  # empty when it was already seeded
                self.stdout.write(
                    self.style.SUCCESS(
                        "Large organisation ready: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
                    )
                )
            return
        self.stdout.write("Seeding people and departments…")
        org = seed_people(rng=rng)
        self.stdout.write(f"  {org['created']} people created, {len(org['people']) + 3} in the demo.")
        self.stdout.write("Seeding movements…")
        self.stdout.write(f"  {seed_movements(org=org, rng=rng)} movements created.")
        seed_sponsors(org=org)
        self.stdout.write("Seeding feedback…")
        self.stdout.write(f"  {seed_feedback(org=org, rng=rng)} feedback posts created.")
        self.stdout.write(self.style.SUCCESS(f"Demo ready. Sign in with (password: {DEMO_PASSWORD}):"))
        for role, email in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<9} {email}")
