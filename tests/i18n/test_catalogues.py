"""The shipped catalogues are complete and compiled: every msgid of the code (makemessages, run here) is in
de, fr, es and ar, none untranslated or fuzzy, plural forms as the language has them (Arabic six), the
placeholders kept (msgfmt --check), and the compiled .mo files say what the .po files say."""

import re
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from portal.management.commands.translations import catalogue_path, plural_count, shipped_languages

LANGUAGES = ["de", "fr", "es", "ar"]


def test_the_shipped_languages_are_the_four_of_the_issue():
    assert shipped_languages() == LANGUAGES
    assert settings.LANGUAGE_CODE == "en"


def test_every_message_of_the_code_is_translated_in_every_shipped_language():
    # Runs makemessages over the code: a new string without its translations fails here, listed by name.
    call_command("translations", check=True, verbosity=0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_compiles_cleanly_with_its_placeholders(language):
    assert shutil.which("msgfmt"), "gettext's msgfmt is needed (scripts/system-deps.sh installs it)"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue_path(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize(("language", "forms"), [("de", 2), ("fr", 2), ("es", 3), ("ar", 6)])
def test_plural_forms_are_the_languages_own(language, forms):
    catalogue = polib.pofile(str(catalogue_path(language)))
    assert plural_count(catalogue) == forms
    plurals = [entry for entry in catalogue if entry.msgid_plural]
    assert plurals and all(len(entry.msgstr_plural) == forms for entry in plurals)


def test_arabic_counts_use_all_six_forms():
    with translation.override("ar"):
        said = {n: translation.ngettext("%(n)d day", "%(n)d days", n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(set(said.values())) >= 5, said  # 0 and 100 may read alike ("%(n)d يوم")
    assert said[2] != said[3] != said[11]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    source = polib.pofile(str(catalogue_path(language)))
    compiled = polib.mofile(str(catalogue_path(language).with_suffix(".mo")))

    def translations(catalogue) -> dict:
        return {
            (entry.msgctxt, entry.msgid): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
            for entry in catalogue
            if entry.msgid and not entry.obsolete
        }

    assert translations(compiled) == translations(source), "run: uv run python manage.py translations"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_german_du_and_no_english_quotes_in_the_translations(language):
    catalogue = polib.pofile(str(catalogue_path(language)))
    texts = [entry.msgstr for entry in catalogue] + [f for e in catalogue for f in e.msgstr_plural.values()]
    if language == "de":
        informal = [t for t in texts if re.search(r"\b(du|dich|dir|dein|deine|deinen|euch)\b", t)]
        assert not informal, informal[:5]
    english_quotes = [t for t in texts if "“" in t and language in ("fr", "de")]
    assert not english_quotes or language == "de" and all("„" in t for t in english_quotes), english_quotes[:5]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_two_buttons_side_by_side_on_a_movement_page_read_differently(language):
    # "Follow" (join the movement) and "Watch" (hear about its news) sit next to each other.
    with translation.override(language):
        assert translation.gettext("Follow") != translation.gettext("Watch")
