"""python manage.py import_directory people.csv [--deactivate-missing]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.directory import COLUMNS, DirectoryFileError, import_directory


class Command(BaseCommand):
    help = f"Create, update and deactivate people from the directory's CSV export (columns: {','.join(COLUMNS)})."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file with a header row")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate active people with an employee id who are not in the file",
        )

    def handle(self, *args, path: str, deactivate_missing: bool, **options):
        csv_path = Path(path)
        if not csv_path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()
        try:
            with csv_path.open(newline="", encoding="utf-8-sig") as handle:
                report = import_directory(
                    handle,
                    deactivate_missing=deactivate_missing,
                    progress=lambda m: self.stderr.write(m),
                    photo_folder=csv_path.parent,
                )
        except DirectoryFileError as exc:
            raise CommandError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc
        if options["verbosity"] >= 2:
            for change in report.changes:
                self.stdout.write(change)
        for line, problem in report.errors:
            self.stderr.write(self.style.WARNING(f"line {line}: {problem} (row skipped)"))
        for line, problem in report.picture_problems:
            self.stderr.write(self.style.WARNING(f"line {line}: {problem} (picture left out, the row imported)"))
        summary = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in report.as_dict().items())
        self.stdout.write(summary)
        if report.changed_anything:
            self.stdout.write(self.style.SUCCESS(f"Directory imported in {time.monotonic() - started:.1f}s."))
        else:
            self.stdout.write(f"Nothing changed ({time.monotonic() - started:.1f}s).")
