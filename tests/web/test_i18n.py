"""French is complete: every message of every catalogue is translated, and pages render in it.

The platform's main catalogue is ``src/dnscert/locale``; an app may keep its own messages in
``<app>/locale`` (Django reads both), and each catalogue is held to the same rules.

Django merges the catalogues into one and the first that knows a message wins, so a message
translated two ways would show one app's word in another app: every catalogue must agree, and a
word with two meanings carries a context (``msgctxt``) instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from dnscert.directory.oncall import services as oncall
from dnscert.directory.oncall import views as oncall_views
from tests.oncall.factories import person, rota, shift
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


def test_it_translates_each_message_the_same_way_in_every_catalogue() -> None:
    conflicts = _conflicting_translations(ALL_CATALOGUES)
    assert conflicts == [], (
        f"{len(conflicts)} messages are translated differently by the apps (same meaning: use one"
        " translation; different meanings: give them a context):\n" + "\n".join(conflicts)
    )


def test_it_reports_a_message_two_catalogues_translate_differently(tmp_path: Path) -> None:
    first = _catalogue(
        tmp_path / "one" / "locale",
        ('msgid "Pages"', 'msgstr "Pages"'),
        ('msgid "Status"', 'msgstr "État"'),
        ('msgctxt "on-call"', 'msgid "Pages"', 'msgstr "Alertes"'),
        ('msgid "Open"', 'msgstr "Ouvert"'),
    )
    second = _catalogue(
        tmp_path / "two" / "locale",
        ('msgid "Pages"', 'msgstr "Alertes"'),
        ('msgid "Status"', 'msgstr "État"'),
        ('msgctxt "on-call"', 'msgid "Pages"', 'msgstr "Pagers"'),
        ("#, fuzzy", 'msgid "Open"', 'msgstr "Ouverte"'),
    )
    assert _conflicting_translations([first, second], root=tmp_path) == [
        "'Pages': one/locale='Pages', two/locale='Alertes'",
        "'Pages' (context 'on-call'): one/locale='Alertes', two/locale='Pagers'",
    ]


def _conflicting_translations(paths: list[Path], root: Path = Path(settings.BASE_DIR)) -> list[str]:
    """One line per message (keyed by context and msgid) that the catalogues translate apart."""
    translations: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for path in paths:
        app = str(path.parents[2].relative_to(root))
        for entry in polib.pofile(str(path)).translated_entries():
            forms = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
            translated = " | ".join(forms) if entry.msgid_plural else entry.msgstr
            translations[(entry.msgctxt or "", entry.msgid)][app] = translated
    return [
        f"{msgid!r}{f' (context {context!r})' if context else ''}: "
        + ", ".join(f"{app}={text!r}" for app, text in by_app.items())
        for (context, msgid), by_app in sorted(translations.items(), key=lambda item: item[0][::-1])
        if len(set(by_app.values())) > 1
    ]


def _catalogue(locale: Path, *entries: tuple[str, ...]) -> Path:
    path = locale / "fr" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    path.write_text(header + "".join("\n" + "\n".join(lines) + "\n" for lines in entries))
    return path


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


@pytest.mark.django_db
def test_it_calls_on_call_pages_alerts_and_keeps_pages_for_paging(
    client: Client, compiled_french: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    shift(rota("Main"), person("alice", "UTC"), now - timedelta(hours=1), now + timedelta(hours=5))
    for subject in ("Resolver down", "Zone expired"):
        oncall.page(subject=subject, body="", url="", severity="high")
    monkeypatch.setattr(oncall_views, "PAGE_SIZE", 1)
    login_verified(client, staff())
    html = client.get("/oncall/pages/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Alertes</h1>" in html
    assert ">Alertes</a>" in html
    assert '<nav class="pagination" aria-label="Pages">' in html
    assert "Suivante" in html


@pytest.mark.django_db
def test_it_tells_the_origin_of_an_audit_event_apart_from_a_start_date(
    client: Client, compiled_french: None
) -> None:
    login_verified(client, staff())
    html = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<th>Origine</th>" in html
    assert "<label>Du <input" in html
