"""French is complete: every message of every catalogue is translated, and pages render in it.

The platform's main catalogue is ``src/dnscert/locale``; an app may keep its own messages in
``<app>/locale`` (Django reads both), and each catalogue is held to the same rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from tests.personas import login_verified, staff

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
ALL_CATALOGUES = sorted(Path(settings.BASE_DIR).glob("**/locale/fr/LC_MESSAGES/django.po"))


@pytest.fixture
def compiled_french() -> None:
    """Pages can only render in French once the catalogue is compiled (``make messages``)."""
    if not COMPILED.exists() or COMPILED.stat().st_mtime < CATALOGUE.stat().st_mtime:
        pytest.fail(f"{COMPILED} is missing or older than the .po: run `dnscert compilemessages`")


@pytest.fixture(
    scope="module",
    params=ALL_CATALOGUES,
    ids=[str(path.relative_to(settings.BASE_DIR)) for path in ALL_CATALOGUES],
)
def french(request: pytest.FixtureRequest) -> polib.POFile:
    return polib.pofile(str(request.param))


def test_it_has_a_main_french_catalogue_with_messages() -> None:
    assert CATALOGUE in ALL_CATALOGUES
    assert len(polib.pofile(str(CATALOGUE))) > 100


def test_it_compiles_every_french_catalogue() -> None:
    stale = [
        str(path)
        for path in ALL_CATALOGUES
        if not path.with_suffix(".mo").exists()
        or path.with_suffix(".mo").stat().st_mtime < path.stat().st_mtime
    ]
    assert stale == [], f"run `make messages`: not compiled or stale: {stale}"


def test_it_translates_every_french_message(french: polib.POFile) -> None:
    untranslated = [entry.msgid for entry in french.untranslated_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated msgids: {untranslated[:20]}"


def test_it_has_no_fuzzy_french_message(french: polib.POFile) -> None:
    fuzzy = [entry.msgid for entry in french.fuzzy_entries()]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy msgids: {fuzzy[:20]}"


def test_it_keeps_placeholders_in_french_messages(french: polib.POFile) -> None:
    broken = [
        entry.msgid
        for entry in french.translated_entries()
        if entry.msgstr and _placeholders(entry.msgid) != _placeholders(entry.msgstr)
    ]
    assert broken == []


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}", text))


@pytest.mark.django_db
def test_it_renders_the_public_home_in_french_for_a_french_browser(
    client: Client, compiled_french: None
) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Nos services" in html
    assert "Point de contact 24h/24, 7j/7" in html


@pytest.mark.django_db
def test_it_switches_language_with_the_language_form(client: Client, compiled_french: None) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert "Nos services" in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert "Our services" in response.content.decode()


@pytest.mark.django_db
def test_it_renders_the_staff_home_in_french(client: Client, compiled_french: None) -> None:
    login_verified(client, staff())
    html = client.get("/home/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Accueil" in html
    assert "Journal d\u2019audit" in html
