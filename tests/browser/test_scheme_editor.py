"""Browser: a new user builds a call-flow scheme with the mouse, saves it, sees an error on an element, binds a number.

announcement → time condition → IVR → queue / voicemail, built by clicking the
green plus and dragging arrows from an element's exit to the next element.
"""

import re

import pytest
from playwright.sync_api import expect

from panel.testing import PASSWORD
from pbx import choices
from pbx.models import PhoneNumber, Scheme
from pbx.tests import factories as pbx_factories
from pbx.tests.audio_factory import make_wav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(customer):
    return {
        "office": pbx_factories.sip_account(customer, extension="10", name="Biuro", voicemail_enabled=True),
        "queue": pbx_factories.queue(customer, name="Sprzedaż", number="1000"),
        "number": pbx_factories.phone_number(customer, number="+48943401128", area="Polska > Koszalin"),
    }


def element_on_canvas(page, sid):
    return page.locator(f"#scheme-canvas .drawflow-node[data-sid='{sid}']")


def add_element(page, type_label):
    """Click the green plus, pick the type in the palette; the new element's settings open. Returns its sid."""
    before = set(page.locator("#scheme-canvas .drawflow-node").evaluate_all("els => els.map(e => e.dataset.sid)"))
    page.get_by_role("button", name="Dodaj element").click()
    page.locator("#scheme-palette").get_by_role("button", name=type_label).click()
    expect(page.locator("#scheme-side-title")).to_have_text(f"Ustawienia: {type_label}")
    after = set(page.locator("#scheme-canvas .drawflow-node").evaluate_all("els => els.map(e => e.dataset.sid)"))
    (sid,) = after - before
    return sid


def drag_arrow(page, from_sid, exit_number, to_sid):
    """Press the mouse on an element's exit (output port), move to another element's input port and release."""
    output = element_on_canvas(page, from_sid).locator(f".output_{exit_number}")
    target = element_on_canvas(page, to_sid).locator(".input_1")
    start = output.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def side_form(page):
    return page.locator("#scheme-form")


def test_build_save_see_an_error_bind_a_number(logged_in_page, live_server, setup):
    page = logged_in_page
    page.set_viewport_size({"width": 1400, "height": 1200})

    # Menu: Wirtualna Centrala > Moje centralki, then a new scheme.
    page.locator("#main-menu").get_by_role("button", name="Wirtualna Centrala", exact=True).click()
    page.locator("#main-menu").get_by_role("link", name="Moje centralki", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje centralki")
    page.get_by_role("link", name="Dodaj schemat").click()
    page.get_by_label("Nazwa schematu").fill("Infolinia")
    page.get_by_role("button", name="Utwórz schemat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schemat Infolinia")
    expect(page.locator("#scheme-editor-app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#scheme-canvas .drawflow-node")).to_have_count(1)  # the "Rozłącz" start element
    hangup = "start"

    # Build the elements with the green plus, editing each in the side form.
    welcome = add_element(page, "Zapowiedź")
    side_form(page).get_by_label("Etykieta na schemacie").fill("Powitanie")
    side_form(page).get_by_label("Treść zapowiedzi").fill("Dzień dobry, tu firma ABCDE.")
    side_form(page).get_by_role("button", name="Ustaw jako początek").click()
    expect(element_on_canvas(page, welcome)).to_contain_text("Początek")
    expect(element_on_canvas(page, welcome)).to_contain_text("Powitanie")

    hours = add_element(page, "Warunek czasowy")
    expect(element_on_canvas(page, hours)).to_contain_text("pn–pt 08:00–16:00")
    side_form(page).get_by_label("Sobota: Dodaj przedział").click()
    side_form(page).get_by_label("Sobota od").fill("09:00")
    side_form(page).get_by_label("Sobota do").fill("12:00")
    expect(element_on_canvas(page, hours)).to_contain_text("sob 09:00–12:00")

    menu = add_element(page, "Menu IVR")
    side_form(page).get_by_label("Etykieta na schemacie").fill("Wybór działu")
    side_form(page).get_by_label("2", exact=True).uncheck()  # only key 1 stays: exits 1, no choice, wrong choice
    expect(element_on_canvas(page, menu).locator(".outputs .output")).to_have_count(3)

    sales = add_element(page, "Kolejka")
    side_form(page).get_by_label("Kolejka").select_option(label="Sprzedaż (1000)")
    expect(element_on_canvas(page, sales)).to_contain_text("Sprzedaż (1000)")

    mailbox = add_element(page, "Poczta głosowa")
    side_form(page).get_by_label("Poczta głosowa numeru wewnętrznego").select_option(label="10 – Biuro (firmaabcde_10)")
    expect(page.locator("#scheme-canvas .drawflow-node")).to_have_count(6)

    # Connect them by dragging arrows from the exits; the queue's exit stays unconnected for now.
    drag_arrow(page, welcome, 1, hours)  # dalej
    drag_arrow(page, hours, 1, menu)  # w godzinach
    drag_arrow(page, hours, 2, mailbox)  # poza godzinami
    drag_arrow(page, menu, 1, sales)  # klawisz 1
    drag_arrow(page, menu, 2, mailbox)  # brak wyboru
    drag_arrow(page, menu, 3, hangup)  # błędny wybór
    expect(page.locator("#scheme-canvas .connection")).to_have_count(6)

    # Saving shows the problem on the queue element, and nothing is saved.
    page.get_by_role("button", name="Zapisz schemat").click()
    expect(page.locator("#scheme-status")).to_have_text("Nie zapisano: popraw elementy zaznaczone na czerwono.")
    expect(element_on_canvas(page, sales)).to_have_class(re.compile(r"\bhas-error\b"))
    expect(element_on_canvas(page, sales).locator(".scheme-node-errors")).to_contain_text(
        "Wyjście „przekroczony czas” nie jest połączone"
    )
    expect(page.locator("#scheme-canvas .drawflow-node.has-error")).to_have_count(1)
    assert Scheme.objects.get().graph["start"] == "start"

    # Connect it and save again.
    drag_arrow(page, sales, 1, mailbox)
    page.get_by_role("button", name="Zapisz schemat").click()
    expect(page.locator("#scheme-status")).to_have_text("Schemat został zapisany.")
    expect(page.locator("#scheme-canvas .drawflow-node.has-error")).to_have_count(0)

    scheme = Scheme.objects.get()
    nodes = scheme.graph["nodes"]
    assert scheme.graph["start"] == welcome
    assert nodes[welcome]["exits"] == {"next": hours}
    assert nodes[hours]["exits"] == {"matched": menu, "unmatched": mailbox}
    assert nodes[hours]["config"]["hours"]["sat"] == [["09:00", "12:00"]]
    assert nodes[menu]["exits"] == {"1": sales, "timeout": mailbox, "invalid": hangup}
    assert nodes[sales]["config"] == {"queue": setup["queue"].pk}
    assert nodes[mailbox]["config"] == {"sip_account": setup["office"].pk}

    # Reloading shows the same scheme.
    page.reload()
    expect(page.locator("#scheme-editor-app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#scheme-canvas .drawflow-node")).to_have_count(6)
    expect(page.locator("#scheme-canvas .connection")).to_have_count(7)
    expect(element_on_canvas(page, welcome)).to_contain_text("Początek")
    expect(element_on_canvas(page, menu)).to_contain_text("Wybór działu")
    expect(element_on_canvas(page, sales)).to_contain_text("Sprzedaż (1000)")
    expect(element_on_canvas(page, menu).locator(".output_1")).to_have_attribute("title", "klawisz 1")

    # The gear: bind the scheme to a number.
    page.get_by_role("link", name="Powiąż numer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Powiąż numery ze schematem Infolinia")
    page.get_by_label("+48 943 401 128").check()
    page.get_by_role("button", name="Zapisz powiązane numery").click()
    expect(page.get_by_role("alert")).to_contain_text("Połączenia na +48 943 401 128 trafiają teraz do schematu")
    expect(page.get_by_test_id("bound-numbers")).to_contain_text("+48 943 401 128")
    number = PhoneNumber.objects.get()
    assert (number.route_kind, number.route_scheme_id) == (choices.RouteKind.SCHEME, scheme.pk)


def test_upload_a_recording_for_an_announcement_and_delete_an_element(
    logged_in_page, live_server, customer, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # no recordings left by other tests
    page = logged_in_page
    page.set_viewport_size({"width": 1400, "height": 1100})
    scheme = pbx_factories.scheme(customer, name="Nagrania")
    page.goto(f"{live_server.url}/pbx/schemes/{scheme.pk}/")
    expect(page.locator("#scheme-editor-app")).to_have_attribute("data-ready", "true")

    welcome = add_element(page, "Zapowiedź")
    recording = tmp_path / "powitanie.wav"
    recording.write_bytes(make_wav(1.0))
    side_form(page).get_by_label("Wgraj nagranie (WAV lub MP3, do 10 MB i 5 minut)").set_input_files(recording)
    expect(side_form(page).get_by_role("status")).to_have_text("Nagranie zostało wgrane i wybrane.")
    player = side_form(page).locator("audio")
    expect(player).to_have_count(1)
    assert page.request.get(live_server.url + player.get_attribute("src")).status == 200
    expect(side_form(page).get_by_label("Co usłyszy dzwoniący").locator("option:checked")).to_contain_text("Nagranie 1")
    side_form(page).get_by_role("button", name="Ustaw jako początek").click()

    # An element added by mistake is deleted from its side form (after confirming).
    extra = add_element(page, "Numer zewnętrzny")
    expect(side_form(page)).to_contain_text("Nie masz jeszcze żadnego")
    page.once("dialog", lambda dialog: dialog.accept())
    side_form(page).get_by_role("button", name="Usuń element").click()
    expect(element_on_canvas(page, extra)).to_have_count(0)

    drag_arrow(page, welcome, 1, "start")
    page.get_by_role("button", name="Zapisz schemat").click()
    expect(page.locator("#scheme-status")).to_have_text("Schemat został zapisany.")
    scheme.refresh_from_db()
    greeting = scheme.graph["nodes"][welcome]["config"]["greeting"]
    assert re.fullmatch(r"announcements/firmaabcde/[0-9a-f]{32}\.mp3", greeting)
    assert set(scheme.graph["nodes"]) == {welcome, "start"}


def test_without_javascript_the_scheme_is_a_list_and_binding_works(browser, live_server, user, customer, setup):
    scheme = pbx_factories.scheme(
        customer,
        name="Infolinia",
        graph={
            "start": "a",
            "nodes": {
                "a": {
                    "type": "announcement",
                    "label": "Powitanie",
                    "config": {"greeting": "system", "text": "Witamy"},
                    "exits": {"next": "b"},
                    "position": {"x": 0, "y": 0},
                },
                "b": {"type": "hangup", "label": "", "config": {}, "exits": {}, "position": {"x": 300, "y": 0}},
            },
        },
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/pbx/schemes/{scheme.pk}/")
    expect(page.get_by_role("note")).to_contain_text("Edycja schematu wymaga JavaScriptu")
    elements = page.get_by_test_id("scheme-elements").get_by_role("listitem")
    expect(elements.first).to_contain_text("Zapowiedź: Powitanie")
    expect(elements.first).to_contain_text("dalej → Rozłącz")
    expect(page.get_by_role("button", name="Zapisz schemat")).to_be_hidden()

    page.get_by_role("link", name="Powiąż numer").click()
    page.get_by_label("+48 943 401 128").check()
    page.get_by_role("button", name="Zapisz powiązane numery").click()
    expect(page.get_by_test_id("bound-numbers")).to_contain_text("+48 943 401 128")
    context.close()
