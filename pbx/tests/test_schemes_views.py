"""Moje centralki: list, create, rename, the editor page, saving a graph, binding numbers, deleting, recordings."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pbx import choices
from pbx.models import Scheme
from pbx.schemes.spec import empty_graph
from pbx.tests import factories
from pbx.tests.audio_factory import make_ogg, make_wav

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A fresh media directory per test, so recordings uploaded by one test are not listed in another."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def objects(customer, other_customer):
    return {
        "office": factories.sip_account(customer, extension="10", name="Biuro", voicemail_enabled=True),
        "queue": factories.queue(customer, name="Sprzedaż", number="1000"),
        "mobile": factories.external_number(customer, number="+48501222333", description="Jan"),
        "koszalin": factories.phone_number(customer, number="+48943401128", area="Polska > Koszalin"),
        "warszawa": factories.phone_number(customer, number="+48223001122"),
        "foreign_extension": factories.sip_account(other_customer, extension="10", name="Obcy"),
        "foreign_number": factories.phone_number(other_customer, number="+48123005566"),
    }


@pytest.fixture
def scheme(customer):
    return factories.scheme(customer, name="Infolinia")


def node(node_type, config=None, exits=None, label=""):
    return {
        "type": node_type,
        "label": label,
        "config": config or {},
        "exits": exits or {},
        "position": {"x": 10, "y": 20},
    }


def valid_graph(objects):
    return {
        "start": "welcome",
        "nodes": {
            "welcome": node(
                "announcement", {"greeting": "system", "text": "Dzień dobry"}, {"next": "menu"}, "Powitanie"
            ),
            "menu": node(
                "ivr",
                {"prompt": "system", "options": ["1"], "timeout_seconds": 5, "max_attempts": 2},
                {"1": "sales", "timeout": "mailbox", "invalid": "menu_again"},
            ),
            "menu_again": node("announcement", {"greeting": "system", "text": "Spróbuj jeszcze raz"}, {"next": "menu"}),
            "sales": node("queue", {"queue": objects["queue"].pk}, {"timeout": "mailbox"}),
            "mailbox": node("voicemail", {"sip_account": objects["office"].pk}),
        },
    }


def save(client, scheme, graph):
    return client.post(
        reverse("pbx:scheme_save", kwargs={"pk": scheme.pk}),
        data=json.dumps({"graph": graph}),
        content_type="application/json",
    )


# List, create, rename


@pytest.mark.smoke
def test_list_shows_name_bound_numbers_element_count_and_searches(client_user, customer, objects, scheme):
    objects["koszalin"].route_kind = choices.RouteKind.SCHEME
    objects["koszalin"].route_scheme = scheme
    objects["koszalin"].save()
    factories.scheme(customer, name="Biuro po godzinach")
    url = reverse("pbx:schemes")
    page = client_user.get(url).content.decode()
    assert "<h1" in page and "Moje centralki" in page
    assert "Infolinia" in page and "+48 943 401 128" in page and "Biuro po godzinach" in page
    assert "Dodaj schemat" in page
    assert re.search(r'<td class="num">1</td>', page)
    found = client_user.get(url, {"q": "943 401"}).content.decode()
    assert "Infolinia" in found and "Biuro po godzinach" not in found
    assert "Biuro po godzinach" in client_user.get(url, {"q": "godzin"}).content.decode()
    assert "Żaden schemat nie pasuje." in client_user.get(url, {"q": "nic"}).content.decode()


def test_list_is_paginated_and_shows_only_own_schemes(client_user, customer, other_customer):
    for index in range(27):
        factories.scheme(customer, name=f"Schemat {index:02d}")
    factories.scheme(other_customer, name="Cudzy schemat")
    first = client_user.get(reverse("pbx:schemes")).content.decode()
    assert first.count('data-testid="scheme-row"') == 25
    assert "Cudzy schemat" not in first
    second = client_user.get(reverse("pbx:schemes"), {"page": 2}).content.decode()
    assert second.count('data-testid="scheme-row"') == 2


def test_create_a_scheme_with_a_name_opens_the_editor(client_user, customer):
    response = client_user.post(reverse("pbx:scheme_create"), {"name": "  Infolinia  "})
    scheme = Scheme.objects.get(customer=customer)
    assert response.status_code == 302 and response.url == reverse("pbx:scheme_editor", kwargs={"pk": scheme.pk})
    assert scheme.name == "Infolinia"
    assert scheme.graph == empty_graph()


def test_create_refuses_an_empty_or_taken_name(client_user, customer, scheme):
    page = client_user.post(reverse("pbx:scheme_create"), {"name": "infolinia"}).content.decode()
    assert "Masz już schemat o nazwie infolinia" in page
    assert client_user.post(reverse("pbx:scheme_create"), {"name": ""}).status_code == 200
    assert Scheme.objects.for_customer(customer).count() == 1


def test_another_customer_may_use_the_same_name(client_other, scheme, other_customer):
    client_other.post(reverse("pbx:scheme_create"), {"name": "Infolinia"})
    assert Scheme.objects.for_customer(other_customer).filter(name="Infolinia").exists()


def test_rename(client_user, customer, scheme):
    factories.scheme(customer, name="Biuro")
    url = reverse("pbx:scheme_rename", kwargs={"pk": scheme.pk})
    assert "Masz już schemat o nazwie Biuro" in client_user.post(url, {"name": "Biuro"}).content.decode()
    client_user.post(url, {"name": "Infolinia główna"})
    scheme.refresh_from_db()
    assert scheme.name == "Infolinia główna"


# The editor page


def test_editor_page_embeds_the_graph_and_only_the_customers_objects(client_user, objects, scheme):
    page = client_user.get(reverse("pbx:scheme_editor", kwargs={"pk": scheme.pk})).content.decode()
    assert "Schemat Infolinia" in page
    assert "Dodaj element" in page and "bi-plus-circle" in page and "btn-success" in page
    assert "Zapisz schemat" in page
    assert f"{reverse('pbx:tracer')}?scheme={scheme.pk}" in page and "Sprawdź trasę" in page
    assert reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk}) in page and "bi-gear" in page
    assert "vendor/drawflow/drawflow.min.js" in page and "js/scheme_editor.js" in page
    objects_json = json.loads(re.search(r'id="scheme-objects"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [item["id"] for item in objects_json["extensions"]] == [objects["office"].pk]
    assert objects_json["extensions"][0]["label"] == "10 – Biuro (firmaabcde_10)"
    assert [item["id"] for item in objects_json["queues"]] == [objects["queue"].pk]
    assert [item["id"] for item in objects_json["external_numbers"]] == [objects["mobile"].pk]
    assert objects_json["rooms"] == []
    config = json.loads(re.search(r'id="scheme-editor-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert config["types"]["extension"]["exit_labels"] == {
        "no_answer": "brak odpowiedzi",
        "busy": "zajęty",
        "unavailable": "niedostępny",
    }
    assert config["types"]["time_condition"]["exit_labels"] == {"matched": "w godzinach", "unmatched": "poza godzinami"}
    assert config["types"]["announcement"]["label"] == "Zapowiedź"
    assert "2027-12-25" in config["defaults"]["holidays"] or "2026-12-25" in config["defaults"]["holidays"]


def test_editor_without_javascript_lists_the_elements_and_their_exits(client_user, objects, scheme):
    save(client_user, scheme, valid_graph(objects))
    page = client_user.get(reverse("pbx:scheme_editor", kwargs={"pk": scheme.pk})).content.decode()
    assert "Edycja schematu wymaga JavaScriptu" in page
    listing = page[page.index('data-testid="scheme-elements"') :]
    assert listing.index("Zapowiedź</span>: Powitanie") < listing.index("Menu IVR") < listing.index("Kolejka")
    assert "klawisz 1 → Kolejka" in listing
    assert "dalej → Menu IVR" in listing
    assert "Sprzedaż (1000)" in listing
    assert "Początek" in listing


# Saving the graph


@pytest.mark.smoke
def test_saving_a_valid_graph_stores_it_in_the_spec_format(client_user, objects, scheme):
    graph = valid_graph(objects)
    graph["nodes"]["welcome"]["drawflow"] = {"id": 3}
    response = save(client_user, scheme, graph)
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["message"] == "Schemat został zapisany."
    scheme.refresh_from_db()
    assert scheme.graph["start"] == "welcome"
    assert "drawflow" not in scheme.graph["nodes"]["welcome"]
    assert scheme.graph["nodes"]["menu"]["exits"] == {"1": "sales", "timeout": "mailbox", "invalid": "menu_again"}
    assert client_user.get(reverse("pbx:scheme_save", kwargs={"pk": scheme.pk})).json()["graph"] == scheme.graph


def test_saving_an_invalid_graph_returns_errors_per_element_and_saves_nothing(client_user, objects, scheme):
    graph = valid_graph(objects)
    graph["nodes"]["sales"]["exits"]["timeout"] = None
    graph["nodes"]["orphan"] = node("hangup")
    response = save(client_user, scheme, graph)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["message"] == "Nie zapisano: popraw elementy zaznaczone na czerwono."
    assert body["errors"]["sales"] == [
        "Wyjście „przekroczony czas” nie jest połączone: przeciągnij z niego strzałkę do następnego "
        "elementu (aby zakończyć tam połączenie, połącz je z elementem „Rozłącz”)."
    ]
    assert list(body["errors"]["orphan"]) and "welcome" not in body["errors"]
    scheme.refresh_from_db()
    assert scheme.graph == empty_graph()


def test_a_forged_id_of_another_customers_extension_is_an_error_on_its_element(client_user, objects, scheme):
    graph = valid_graph(objects)
    graph["nodes"]["mailbox"]["config"]["sip_account"] = objects["foreign_extension"].pk
    body = save(client_user, scheme, graph).json()
    assert body["errors"] == {"mailbox": ["Tego numeru wewnętrznego nie ma na Twoim koncie. Wybierz jeden ze swoich."]}
    scheme.refresh_from_db()
    assert scheme.graph == empty_graph()


def test_a_conference_element_names_only_the_customers_rooms(client_user, customer, other_customer, objects, scheme):
    from conferences.models import ConferenceRoom

    room = ConferenceRoom.objects.create(customer=customer, name="Zarząd", pin="4545", number="*7556")
    foreign = ConferenceRoom.objects.create(customer=other_customer, name="Obca sala", pin="4545", number="*7557")
    page = client_user.get(reverse("pbx:scheme_editor", kwargs={"pk": scheme.pk})).content.decode()
    objects_json = json.loads(re.search(r'id="scheme-objects"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert objects_json["rooms"] == [{"id": room.pk, "label": "Zarząd (*7556)"}]
    graph = valid_graph(objects)
    graph["nodes"]["sales"] = node("conference", {"room": foreign.pk})
    body = save(client_user, scheme, graph).json()
    assert body["errors"] == {"sales": ["Tej sali telekonferencyjnej nie ma na Twoim koncie. Wybierz jedną ze swoich."]}
    graph["nodes"]["sales"] = node("conference", {"room": room.pk})
    assert save(client_user, scheme, graph).json()["ok"] is True


def test_graph_level_problems_are_reported_apart(client_user, objects, scheme):
    graph = valid_graph(objects)
    graph["start"] = None
    body = save(client_user, scheme, graph).json()
    assert body["graph_errors"] == [
        "Oznacz jeden element jako początek („Początek”): tam połączenia wchodzą do schematu."
    ]


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"[1, 2]", b'{"nodes": {}}', b"null"])
def test_malformed_json_is_a_400_with_a_clear_message(client_user, scheme, body):
    response = client_user.post(
        reverse("pbx:scheme_save", kwargs={"pk": scheme.pk}), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Nie udało się odczytać danych z edytora")
    scheme.refresh_from_db()
    assert scheme.graph == empty_graph()


@pytest.mark.parametrize("graph", [None, [], "x", {"start": "a", "nodes": {"a": None}}, {"nodes": {"a": {"type": 1}}}])
def test_a_graph_of_the_wrong_shape_is_a_400_not_a_500(client_user, scheme, graph):
    response = save(client_user, scheme, graph)
    assert response.status_code == 400 and response.json()["ok"] is False


def test_save_needs_a_logged_in_customer(client, scheme):
    response = save(client, scheme, empty_graph())
    assert response.status_code == 302


# Binding numbers ("powiąż numer")


def test_bind_page_lists_own_numbers_with_their_current_route(client_user, objects, scheme):
    objects["warszawa"].route_kind = choices.RouteKind.QUEUE
    objects["warszawa"].route_queue = objects["queue"]
    objects["warszawa"].save()
    page = client_user.get(reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk})).content.decode()
    assert "Powiąż numery ze schematem Infolinia" in page
    assert "+48 943 401 128" in page and "+48 223 001 122" in page
    assert "+48 123 005 566" not in page
    assert "Kolejka: Sprzedaż" in page


def test_bind_and_unbind_numbers(client_user, objects, scheme):
    url = reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk})
    koszalin, warszawa = objects["koszalin"], objects["warszawa"]
    warszawa.route_kind = choices.RouteKind.EXTENSION
    warszawa.route_sip = objects["office"]
    warszawa.save()
    response = client_user.post(url, {"numbers": [koszalin.pk, warszawa.pk]})
    assert response.status_code == 302
    for number in (koszalin, warszawa):
        number.refresh_from_db()
        assert (number.route_kind, number.route_scheme_id, number.route_sip_id) == ("scheme", scheme.pk, None)
    page = client_user.get(url).content.decode()
    assert page.count("checked") == 2

    client_user.post(url, {"numbers": [warszawa.pk]})
    koszalin.refresh_from_db()
    warszawa.refresh_from_db()
    assert (koszalin.route_kind, koszalin.route_scheme_id) == ("none", None)
    assert warszawa.route_kind == "scheme"

    client_user.post(url, {})
    warszawa.refresh_from_db()
    assert (warszawa.route_kind, warszawa.route_scheme_id) == ("none", None)


def test_binding_leaves_numbers_of_other_schemes_alone(client_user, customer, objects, scheme):
    other = factories.scheme(customer, name="Biuro")
    objects["warszawa"].route_kind = choices.RouteKind.SCHEME
    objects["warszawa"].route_scheme = other
    objects["warszawa"].save()
    client_user.post(reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk}), {"numbers": [objects["koszalin"].pk]})
    objects["warszawa"].refresh_from_db()
    assert objects["warszawa"].route_scheme_id == other.pk


def test_a_forged_number_of_another_customer_is_a_form_error(client_user, objects, scheme):
    response = client_user.post(
        reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk}),
        {"numbers": [objects["koszalin"].pk, objects["foreign_number"].pk]},
    )
    assert response.status_code == 200
    assert "Tego numeru nie ma na Twoim koncie." in response.content.decode()
    objects["foreign_number"].refresh_from_db()
    objects["koszalin"].refresh_from_db()
    assert objects["foreign_number"].route_kind == "none" and objects["koszalin"].route_kind == "none"


def test_the_editor_shows_the_bound_numbers(client_user, objects, scheme):
    client_user.post(reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk}), {"numbers": [objects["koszalin"].pk]})
    page = client_user.get(reverse("pbx:scheme_editor", kwargs={"pk": scheme.pk})).content.decode()
    assert "Powiązane numery:" in page and "+48 943 401 128" in page


# Deleting


def test_delete_is_refused_while_numbers_are_bound(client_user, objects, scheme):
    client_user.post(reverse("pbx:scheme_bind", kwargs={"pk": scheme.pk}), {"numbers": [objects["koszalin"].pk]})
    url = reverse("pbx:scheme_delete", kwargs={"pk": scheme.pk})
    page = client_user.get(url).content.decode()
    assert "Tego schematu nie można usunąć" in page and "+48 943 401 128" in page
    assert 'type="submit"' not in page.split("<main", 1)[1].split("</main>")[0]
    response = client_user.post(url, follow=True)
    assert "Schemat jest nadal powiązany z numerami, więc nie został usunięty." in response.content.decode()
    assert Scheme.objects.filter(pk=scheme.pk).exists()


def test_delete_after_confirmation(client_user, objects, scheme):
    url = reverse("pbx:scheme_delete", kwargs={"pk": scheme.pk})
    page = client_user.get(url).content.decode()
    assert "Usunąć schemat Infolinia z jego 1 elementem?" in page
    assert Scheme.objects.filter(pk=scheme.pk).exists()
    response = client_user.post(url)
    assert response.status_code == 302 and response.url == reverse("pbx:schemes")
    assert not Scheme.objects.filter(pk=scheme.pk).exists()


def test_delete_clears_a_stale_link_of_a_number_forwarded_elsewhere(client_user, objects, scheme):
    objects["koszalin"].route_scheme = scheme  # route_kind stays "none"
    objects["koszalin"].save()
    client_user.post(reverse("pbx:scheme_delete", kwargs={"pk": scheme.pk}))
    assert not Scheme.objects.filter(pk=scheme.pk).exists()


# Recordings of announcements


def upload(client, scheme, content, name="powitanie.wav"):
    return client.post(
        reverse("pbx:scheme_announcement_upload", kwargs={"pk": scheme.pk}),
        {"file": SimpleUploadedFile(name, content, content_type="audio/wav")},
    )


def test_upload_a_recording_use_it_in_an_announcement_and_play_it(client_user, customer, objects, scheme):
    response = upload(client_user, scheme, make_wav(1.0))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert re.fullmatch(r"announcements/firmaabcde/[0-9a-f]{32}\.mp3", body["path"])
    assert default_storage.exists(body["path"])
    listed = client_user.get(reverse("pbx:scheme_announcement_upload", kwargs={"pk": scheme.pk})).json()
    assert [item["path"] for item in listed["announcements"]] == [body["path"]]

    audio = client_user.get(body["url"])
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/mpeg"
    assert b"".join(audio.streaming_content)[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")

    graph = valid_graph(objects)
    graph["nodes"]["welcome"]["config"] = {"greeting": body["path"], "text": ""}
    assert save(client_user, scheme, graph).status_code == 200


def test_a_refused_recording_is_a_clear_400_and_nothing_is_stored(client_user, scheme):
    response = upload(client_user, scheme, make_ogg(), name="nagranie.ogg")
    assert response.status_code == 400
    assert response.json()["error"] == "To nie jest nagranie WAV ani MP3. Można wgrać tylko pliki WAV lub MP3."
    assert client_user.get(reverse("pbx:scheme_announcement_upload", kwargs={"pk": scheme.pk})).json() == {
        "announcements": []
    }
    assert upload(client_user, scheme, b"", name="pusty.wav").status_code == 400
    missing = client_user.post(reverse("pbx:scheme_announcement_upload", kwargs={"pk": scheme.pk}))
    assert missing.status_code == 400 and missing.json()["ok"] is False


def test_another_customers_recording_cannot_be_played_or_used(client_user, client, customer, other_user, scheme):
    body = upload(client_user, scheme, make_wav(1.0)).json()
    file_id = body["path"].rsplit("/", 1)[1].removesuffix(".mp3")
    other_scheme = factories.scheme(other_user.customer, name="Obcy")
    client.force_login(other_user)
    url = reverse("pbx:scheme_announcement_audio", kwargs={"pk": other_scheme.pk, "file_id": file_id})
    assert client.get(url).status_code == 404
    graph = {
        "start": "a",
        "nodes": {"a": node("announcement", {"greeting": body["path"]}, {"next": "b"}), "b": node("hangup")},
    }
    errors = save(client, other_scheme, graph).json()["errors"]
    assert errors == {"a": ["Tego nagrania nie ma na Twoim koncie. Wgraj je ponownie."]}


def test_an_unknown_recording_is_404(client_user, scheme):
    for file_id in ("0" * 32, "not-a-recording"):
        url = reverse("pbx:scheme_announcement_audio", kwargs={"pk": scheme.pk, "file_id": file_id})
        assert client_user.get(url).status_code == 404
