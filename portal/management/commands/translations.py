"""Keep the shipped catalogues (locale/<lang>/LC_MESSAGES/django.po) in step with the code.

    manage.py translations            refresh every catalogue from the code (makemessages), then compile
    manage.py translations --check    fail when a msgid of the code is missing from a shipped catalogue, or
                                      an entry is untranslated, fuzzy, or has the wrong number of plural forms

`make test` runs the check (tests/project/test_translations.py), so a new string cannot ship untranslated.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
SOURCE_LANGUAGE = "en"  # the msgids are English
# Everything that is not the portal's own code or templates.
IGNORE = [".venv", "node_modules", "tests", "docs", "scripts", "static", "staticfiles", "media"]


def shipped_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def extract(into: Path, *, verbosity: int = 0) -> polib.POFile:
    """Every msgid of the code as a fresh, untranslated catalogue (makemessages into a scratch folder)."""
    with override_settings(LOCALE_PATHS=[into]):
        # The shipped locale/ is ignored too: makemessages would otherwise prefer it to the scratch folder.
        ignore = [*IGNORE, "locale", into.name]
        call_command("makemessages", locale=["en"], ignore_patterns=ignore, no_obsolete=True, verbosity=verbosity)
    return polib.pofile(str(into / "en" / "LC_MESSAGES" / "django.po"))


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def plural_count(catalogue: polib.POFile) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    return int(found.group(1)) if found else 2


def problems(language: str, wanted: set[tuple[str, str, str]]) -> list[str]:
    path = catalogue_path(language)
    if not path.exists():
        return [f"{language}: no catalogue at {path.relative_to(ROOT)}"]
    catalogue = polib.pofile(str(path))
    found: list[str] = []
    have = {_key(entry) for entry in catalogue if not entry.obsolete}
    for key in sorted(wanted - have):
        found.append(f"{language}: missing msgid {key[1]!r}")
    forms = plural_count(catalogue)
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{language}: fuzzy {entry.msgid!r}")
        if entry.msgid_plural:
            if len(entry.msgstr_plural) != forms or not all(entry.msgstr_plural.values()):
                found.append(f"{language}: {forms} plural forms needed for {entry.msgid!r}")
        elif not entry.msgstr:
            found.append(f"{language}: untranslated {entry.msgid!r}")
    return found


class Command(BaseCommand):
    help = "Refresh the translation catalogues from the code, or --check that they are complete."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report what is missing; change nothing.")

    def handle(self, *args, check: bool = False, verbosity: int = 1, **options):
        if check:
            # Directly inside the project: makemessages writes each file's messages to the first locale
            # path whose parent holds the file, so the scratch folder must sit beside locale/ to get them.
            scratch = Path(tempfile.mkdtemp(prefix=".messages-check-", dir=ROOT))
            try:
                wanted = {_key(entry) for entry in extract(scratch)}
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            found = [line for language in shipped_languages() for line in problems(language, wanted)]
            if found:
                shown = "\n".join(found[:40]) + (f"\n… and {len(found) - 40} more" if len(found) > 40 else "")
                raise CommandError(f"{len(found)} translation problem(s):\n{shown}")
            if verbosity:
                self.stdout.write(f"{len(wanted)} messages, translated in {', '.join(shipped_languages())}.")
            return
        if verbosity:
            self.stdout.write("Refreshing the catalogues from the code (makemessages) …")
        call_command(
            "makemessages", locale=shipped_languages(), ignore_patterns=IGNORE, no_obsolete=True, verbosity=verbosity
        )
        call_command("compilemessages", locale=shipped_languages(), ignore_patterns=IGNORE, verbosity=verbosity)
