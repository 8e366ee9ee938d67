"""python manage.py erase_person <email>"""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from people.services import ERASED_NAME, person_erase


class Command(BaseCommand):
    help = (
        f'Erase a person: their name becomes "{ERASED_NAME}", their email and profile are removed, they cannot sign in.'
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, email: str, yes: bool, **options):
        person = User.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(f"No person with the email {email}.")
        if not yes:
            answer = input(f"Erase {person.name} <{person.email}>? This cannot be undone. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        person = person_erase(person=person)
        self.stdout.write(self.style.SUCCESS(f'Erased person #{person.pk}; they now appear as "{ERASED_NAME}".'))
