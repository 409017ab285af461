"""pbx.registry: what conferences and callback plug into the PBX core, and how registering behaves."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from pbx import registry
from pbx.choices import RouteKind


@pytest.fixture
def empty(monkeypatch):
    """A registry with nothing in it, for the duration of one test."""
    for name, value in (
        ("dial_plan", []),
        ("route_targets", {}),
        ("scheme_objects", {}),
        ("dial_in_callers", []),
        ("routing_parts", []),
    ):
        monkeypatch.setattr(registry, name, value)
    return registry


def rooms(*, customer):
    return []


def other_rooms(*, customer):
    return []


def test_the_installed_apps_fill_in_every_hook():
    from callback import selectors as callback_selectors
    from conferences import selectors as conference_selectors

    assert conference_selectors.room_dial_plan in registry.dial_plan
    assert registry.route_targets[RouteKind.CONFERENCE].choices is conference_selectors.room_choices
    assert registry.scheme_objects["conference"] is conference_selectors.room_choices
    assert registry.dial_in_callers == [callback_selectors.authorized_number_list]
    assert {conference_selectors.room_routing_part, callback_selectors.dial_in_routing_part} <= set(
        registry.routing_parts
    )


def test_ready_run_again_registers_nothing_twice():
    before = (list(registry.dial_plan), dict(registry.route_targets), list(registry.routing_parts))
    apps.get_app_config("conferences").ready()
    apps.get_app_config("callback").ready()
    assert (registry.dial_plan, registry.route_targets, registry.routing_parts) == before
    assert len(registry.dial_in_callers) == 1


def test_the_same_hook_twice_is_kept_once(empty):
    empty.register_dial_plan(rooms)
    empty.register_dial_plan(rooms)
    empty.register_scheme_objects("conference", rooms)
    empty.register_scheme_objects("conference", rooms)
    assert empty.dial_plan == [rooms]
    assert empty.scheme_objects == {"conference": rooms}


def test_another_hook_under_a_taken_key_is_refused(empty):
    empty.register_route_target(registry.RouteTarget(kind=RouteKind.CONFERENCE, label="Sale", choices=rooms))
    with pytest.raises(ImproperlyConfigured):
        empty.register_route_target(registry.RouteTarget(kind=RouteKind.CONFERENCE, label="Sale", choices=other_rooms))
    empty.register_scheme_objects("conference", rooms)
    with pytest.raises(ImproperlyConfigured):
        empty.register_scheme_objects("conference", other_rooms)
    empty.register_dial_in_callers(rooms)
    with pytest.raises(ImproperlyConfigured):
        empty.register_dial_in_callers(other_rooms)


@pytest.mark.django_db
def test_without_any_app_plugged_in_the_pbx_leaves_their_objects_out(empty, customer):
    from conferences.models import ConferenceRoom
    from pbx.selectors.dial_plan import dial_plan
    from pbx.selectors.routing import load_config

    ConferenceRoom.objects.create(customer=customer, name="Sala", pin="4545", number="*55")
    assert "*55" not in dial_plan(customer=customer)
    config = load_config(customer=customer)
    assert (config.conference_rooms, config.authorized_numbers, config.service_number) == ({}, {}, "")


@pytest.mark.django_db
def test_two_apps_filling_in_the_same_field_of_the_routing_snapshot_is_an_error(empty, customer):
    from pbx.selectors.routing import load_config

    empty.register_routing_part(lambda *, customer: {"service_number": "+48799366599"})
    empty.register_routing_part(lambda *, customer: {"service_number": "+48221234567"})
    with pytest.raises(ImproperlyConfigured):
        load_config(customer=customer)
