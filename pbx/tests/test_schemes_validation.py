"""The rules a scheme's graph must meet before it is saved (pbx.schemes.validation), each valid and invalid."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.utils import translation

from pbx.schemes.holidays_seed import seed_holidays
from pbx.schemes.spec import empty_graph
from pbx.schemes.validation import (
    OwnedObjects,
    check_ownership,
    clean_graph,
    loops_without_caller_input,
    validate_graph,
)

pytestmark = pytest.mark.smoke

PATH = "announcements/firmaabcde/" + "a" * 32 + ".mp3"
OWNED = OwnedObjects(
    sip_accounts=frozenset({10, 11}),
    voicemail_accounts=frozenset({10}),
    external_numbers=frozenset({20}),
    queues=frozenset({30}),
    rooms=frozenset(),
    announcements=frozenset({PATH}),
    extension_numbers={10: "10", 11: "11"},
)


def node(node_type, config=None, exits=None, label="", x=0, y=0):
    return {
        "type": node_type,
        "label": label,
        "config": config or {},
        "exits": exits or {},
        "position": {"x": x, "y": y},
    }


def full_graph():
    """announcement -> time condition -> (IVR -> queue / voicemail) or voicemail; every exit connected."""
    return {
        "start": "welcome",
        "nodes": {
            "welcome": node("announcement", {"greeting": "system", "text": "Dzień dobry"}, {"next": "hours"}),
            "hours": node(
                "time_condition",
                {
                    "hours": {"mon": [["08:00", "16:00"]], "sat": [["09:00", "12:00"], ["13:00", "24:00"]]},
                    "holidays": ["2026-12-24"],
                    "use_public_holidays": True,
                },
                {"matched": "menu", "unmatched": "mailbox"},
            ),
            "menu": node(
                "ivr",
                {"prompt": PATH, "options": ["1", "2"], "timeout_seconds": 5, "max_attempts": 3},
                {"1": "sales", "2": "office", "timeout": "menu_again", "invalid": "menu"},
            ),
            "menu_again": node("announcement", {"greeting": PATH, "text": ""}, {"next": "menu"}),
            "sales": node("queue", {"queue": 30}, {"timeout": "mailbox"}),
            "office": node(
                "extension",
                {"sip_account": 11, "ring_seconds": 20},
                {"no_answer": "mobile", "busy": "mailbox", "unavailable": "bye"},
            ),
            "mobile": node(
                "external", {"external_number": 20, "ring_seconds": 30}, {"no_answer": "bye", "failed": "bye"}
            ),
            "mailbox": node("voicemail", {"sip_account": 10}),
            "bye": node("hangup"),
        },
    }


def problems(graph, owned=OWNED):
    cleaned, report = validate_graph(graph, owned)
    return report


def test_a_complete_scheme_passes_and_is_stored_in_the_spec_format():
    cleaned, report = validate_graph(full_graph(), OWNED)
    assert report.ok, report.as_messages()
    assert cleaned["start"] == "welcome"
    assert cleaned["nodes"]["hours"]["config"]["hours"]["mon"] == [["08:00", "16:00"]]
    assert cleaned["nodes"]["hours"]["config"]["hours"]["tue"] == []
    assert cleaned["nodes"]["menu"]["exits"] == {
        "1": "sales",
        "2": "office",
        "timeout": "menu_again",
        "invalid": "menu",
    }
    assert set(cleaned["nodes"]["welcome"]) == {"type", "label", "config", "exits", "position"}


def test_the_empty_graph_of_a_new_scheme_is_valid():
    assert problems(empty_graph()).ok


def test_unknown_keys_and_stale_exits_are_dropped_not_stored():
    graph = full_graph()
    graph["nodes"]["welcome"]["drawflow_id"] = 7
    graph["nodes"]["welcome"]["config"]["colour"] = "red"
    graph["nodes"]["menu"]["exits"]["9"] = "bye"  # 9 is no longer an option
    cleaned, report = validate_graph(graph, OWNED)
    assert report.ok
    assert "drawflow_id" not in cleaned["nodes"]["welcome"]
    assert cleaned["nodes"]["welcome"]["config"] == {"greeting": "system", "text": "Dzień dobry"}
    assert "9" not in cleaned["nodes"]["menu"]["exits"]


# The graph as a whole


@pytest.mark.parametrize("raw", [None, [], "graph", {"nodes": []}, {"start": "a"}])
def test_unreadable_graph_is_refused(raw):
    cleaned, report = clean_graph(raw)
    assert cleaned is None and report.codes() == ["not_object"]


def test_a_scheme_without_elements_is_refused():
    assert clean_graph({"start": "a", "nodes": {}})[1].codes() == ["no_nodes"]


def test_too_many_elements_are_refused():
    nodes = {f"n{i}": node("hangup") for i in range(201)}
    assert clean_graph({"start": "n0", "nodes": nodes})[1].codes() == ["too_many"]


@pytest.mark.parametrize("start", [None, "missing", 5])
def test_the_start_must_be_an_element(start):
    graph = full_graph()
    graph["start"] = start
    report = problems(graph)
    assert "no_start" in report.codes()


# One element


def test_bad_identifier_type_label_and_config_are_refused_on_the_element():
    graph = full_graph()
    graph["nodes"]["bad id!"] = node("hangup")
    graph["nodes"]["strange"] = node("fax_machine")
    graph["nodes"]["long"] = node("hangup", label="x" * 101)
    graph["nodes"]["broken"] = "not an element"
    graph["nodes"]["config"] = {**node("hangup"), "config": ["x"]}
    report = problems(graph)
    assert "bad_node_id" in report.codes("bad id!")
    assert report.codes("strange") == ["bad_type"]
    assert "bad_label" in report.codes("long")
    assert report.codes("broken") == ["bad_node"]
    assert "bad_config" in report.codes("config")


def test_a_label_of_100_characters_is_fine():
    graph = full_graph()
    graph["nodes"]["bye"]["label"] = "x" * 100
    assert problems(graph).ok


def test_positions_are_coerced_quietly():
    graph = full_graph()
    graph["nodes"]["bye"]["position"] = {"x": "left", "y": 12.6}
    cleaned, report = validate_graph(graph, OWNED)
    assert report.ok
    assert cleaned["nodes"]["bye"]["position"] == {"x": 0, "y": 13}


# Exits


def test_an_unconnected_exit_is_refused_with_its_name():
    graph = full_graph()
    graph["nodes"]["office"]["exits"]["busy"] = None
    with translation.override("pl"):
        report = problems(graph)
        assert report.codes("office") == ["exit_unconnected"]
        assert "„zajęty”" in report.as_messages()["nodes"]["office"][0]


def test_a_missing_exit_key_counts_as_unconnected():
    graph = full_graph()
    del graph["nodes"]["menu"]["exits"]["2"]
    assert problems(graph).codes("menu") == ["exit_unconnected"]


def test_an_exit_to_a_missing_element_is_refused():
    graph = full_graph()
    graph["nodes"]["welcome"]["exits"]["next"] = "nowhere"
    report = problems(graph)
    assert "exit_missing_target" in report.codes("welcome")


def test_terminal_elements_have_no_exits_to_connect():
    graph = {"start": "a", "nodes": {"a": node("voicemail", {"sip_account": 10})}}
    assert problems(graph).ok


# Reachability


def test_an_element_not_reachable_from_the_start_is_refused():
    graph = full_graph()
    graph["nodes"]["orphan"] = node("hangup")
    report = problems(graph)
    assert report.codes("orphan") == ["unreachable"]
    assert report.codes("welcome") == []


def test_an_element_reached_only_through_an_ivr_key_is_reachable():
    graph = full_graph()
    assert "unreachable" not in problems(graph).codes("sales")


# Loops


def test_a_loop_without_an_ivr_is_refused_on_every_element_in_it():
    graph = full_graph()
    # The mobile's no-answer goes back to the office extension, which rings the mobile again: forever.
    graph["nodes"]["office"]["exits"]["no_answer"] = "mobile"
    graph["nodes"]["mobile"]["exits"]["no_answer"] = "office"
    report = problems(graph)
    assert report.codes("office") == ["loop_without_ivr"]
    assert report.codes("mobile") == ["loop_without_ivr"]
    assert report.codes("welcome") == []


def test_a_loop_through_an_ivr_is_allowed():
    graph = full_graph()  # menu -> menu_again -> menu, and menu's invalid exit back to itself
    assert problems(graph).ok


def test_an_element_leading_to_itself_without_caller_input_is_a_loop():
    graph = full_graph()
    graph["nodes"]["welcome"]["exits"]["next"] = "welcome"
    assert "loop_without_ivr" in problems(graph).codes("welcome")


def test_loop_finder_handles_long_chains_without_recursion():
    nodes = {f"n{i}": node("announcement", {"text": "x"}, {"next": f"n{i + 1}"}) for i in range(150)}
    nodes["n150"] = node("announcement", {"text": "x"}, {"next": "n0"})
    cleaned, _report = clean_graph({"start": "n0", "nodes": nodes})
    loops = loops_without_caller_input(cleaned)
    assert len(loops) == 1 and len(loops[0]) == 151


# Settings of each type


def config_problems(node_type, config, exits=None):
    graph = {"start": "a", "nodes": {"a": node(node_type, config, exits)}}
    for target in (exits or {}).values():
        graph["nodes"].setdefault(target, node("hangup"))
    cleaned, report = clean_graph(graph)
    return report.codes("a"), cleaned


def test_announcement_system_text_is_required_and_limited():
    assert config_problems("announcement", {"greeting": "system", "text": "Witamy"}, {"next": "b"})[0] == []
    assert config_problems("announcement", {"greeting": "system", "text": "  "}, {"next": "b"})[0] == ["text_required"]
    assert config_problems("announcement", {"greeting": "system", "text": "x" * 501}, {"next": "b"})[0] == [
        "text_too_long"
    ]
    assert config_problems("announcement", {"greeting": PATH}, {"next": "b"})[0] == []


@pytest.mark.parametrize("greeting", ["../../etc/passwd", "greetings/firmaabcde/10.mp3", 5, "announcements/x/y.mp3"])
def test_announcement_audio_must_be_system_or_an_uploaded_recording(greeting):
    assert "bad_audio" in config_problems("announcement", {"greeting": greeting, "text": "x"}, {"next": "b"})[0]


def ivr_config(**changes):
    return {"prompt": "system", "options": ["1"], "timeout_seconds": 5, "max_attempts": 2, **changes}


IVR_EXITS = {"1": "b", "timeout": "b", "invalid": "b"}


def test_ivr_options_timeout_and_attempts():
    codes, cleaned = config_problems(
        "ivr", ivr_config(options=["#", "1", "*", "0"]), {**IVR_EXITS, "#": "b", "*": "b", "0": "b"}
    )
    assert codes == []
    assert cleaned["nodes"]["a"]["config"]["options"] == ["1", "0", "*", "#"]
    assert config_problems("ivr", ivr_config(options=[]), IVR_EXITS)[0] == ["ivr_no_options"]
    assert config_problems("ivr", ivr_config(options=["A"]), IVR_EXITS)[0] == ["ivr_bad_option"]
    assert config_problems("ivr", ivr_config(options="12"), IVR_EXITS)[0] == ["ivr_bad_option"]
    assert config_problems("ivr", ivr_config(options=["1", "1"]), IVR_EXITS)[0] == ["ivr_duplicate_option"]
    assert config_problems("ivr", ivr_config(timeout_seconds=0), IVR_EXITS)[0] == ["number_range"]
    assert config_problems("ivr", ivr_config(timeout_seconds=60), IVR_EXITS)[0] == []
    assert config_problems("ivr", ivr_config(timeout_seconds=61), IVR_EXITS)[0] == ["number_range"]
    assert config_problems("ivr", ivr_config(max_attempts=6), IVR_EXITS)[0] == ["number_range"]
    assert config_problems("ivr", ivr_config(max_attempts=True), IVR_EXITS)[0] == ["number_range"]
    assert config_problems("ivr", ivr_config(max_attempts="3"), IVR_EXITS)[0] == []


def hours_config(hours, **changes):
    return {"hours": hours, "holidays": [], "use_public_holidays": False, **changes}


TC_EXITS = {"matched": "b", "unmatched": "b"}


def test_time_condition_hours():
    ok = hours_config({"mon": [["08:00", "12:00"], ["13:00", "24:00"]], "sun": []})
    assert config_problems("time_condition", ok, TC_EXITS)[0] == []
    assert config_problems("time_condition", hours_config({"mon": [["8:00", "12:00"]]}), TC_EXITS)[0] == [
        "bad_interval"
    ]
    assert config_problems("time_condition", hours_config({"mon": [["24:00", "24:00"]]}), TC_EXITS)[0] == [
        "bad_interval"
    ]
    assert config_problems("time_condition", hours_config({"tue": [["16:00", "08:00"]]}), TC_EXITS)[0] == [
        "interval_order"
    ]
    assert config_problems("time_condition", hours_config({"wed": [["08:00", "12:00"], ["11:00", "14:00"]]}), TC_EXITS)[
        0
    ] == ["interval_overlap"]
    assert config_problems("time_condition", hours_config({"thu": "08-16"}), TC_EXITS)[0] == ["bad_interval"]
    assert config_problems("time_condition", hours_config([["08:00", "16:00"]]), TC_EXITS)[0] == ["bad_hours"]
    too_many = [[f"{h:02d}:00", f"{h:02d}:30"] for h in range(7)]
    assert config_problems("time_condition", hours_config({"fri": too_many}), TC_EXITS)[0] == ["too_many_intervals"]


def test_time_condition_holidays_and_public_holiday_flag():
    codes, cleaned = config_problems(
        "time_condition", hours_config({}, holidays=["2026-12-25", "2026-01-01", "2026-12-25"]), TC_EXITS
    )
    assert codes == []
    assert cleaned["nodes"]["a"]["config"]["holidays"] == ["2026-01-01", "2026-12-25"]
    assert config_problems("time_condition", hours_config({}, holidays=["2026-02-30"]), TC_EXITS)[0] == ["bad_holiday"]
    assert config_problems("time_condition", hours_config({}, holidays="2026-01-01"), TC_EXITS)[0] == ["bad_holidays"]
    assert config_problems("time_condition", hours_config({}, holidays=["2026-01-01"] * 401), TC_EXITS)[0] == [
        "too_many_holidays"
    ]
    assert config_problems("time_condition", hours_config({}, use_public_holidays="yes"), TC_EXITS)[0] == ["bad_flag"]


@pytest.mark.parametrize(
    ("node_type", "config", "exits", "code"),
    [
        ("queue", {}, {"timeout": "b"}, "queue_required"),
        ("queue", {"queue": "abc"}, {"timeout": "b"}, "queue_required"),
        ("extension", {"ring_seconds": 30}, {"no_answer": "b", "busy": "b", "unavailable": "b"}, "extension_required"),
        ("external", {"ring_seconds": 30}, {"no_answer": "b", "failed": "b"}, "external_required"),
        ("voicemail", {"sip_account": 0}, {}, "voicemail_required"),
        ("conference", {}, {}, "room_required"),
    ],
)
def test_elements_that_name_an_object_need_one(node_type, config, exits, code):
    assert config_problems(node_type, config, exits)[0] == [code]


@pytest.mark.parametrize("ring", [4, 301, "x", None])
def test_ring_time_is_5_to_300_seconds(ring):
    exits = {"no_answer": "b", "busy": "b", "unavailable": "b"}
    assert config_problems("extension", {"sip_account": 1, "ring_seconds": ring}, exits)[0] == ["number_range"]


def test_ring_time_defaults_to_30_when_missing():
    exits = {"no_answer": "b", "failed": "b"}
    codes, cleaned = config_problems("external", {"external_number": 1}, exits)
    assert codes == [] and cleaned["nodes"]["a"]["config"]["ring_seconds"] == 30


# Ownership


def owned_problems(graph):
    cleaned, report = clean_graph(graph)
    assert report.ok, report.as_messages()
    check_ownership(cleaned, OWNED, report)
    return report


def test_forged_ids_of_another_customers_objects_are_refused_on_their_elements():
    graph = full_graph()
    graph["nodes"]["office"]["config"]["sip_account"] = 999
    graph["nodes"]["mobile"]["config"]["external_number"] = 999
    graph["nodes"]["sales"]["config"]["queue"] = 999
    graph["nodes"]["mailbox"]["config"]["sip_account"] = 999
    graph["nodes"]["menu"]["config"]["prompt"] = "announcements/drugafirma/" + "b" * 32 + ".mp3"
    report = owned_problems(graph)
    assert report.codes("office") == ["not_your_extension"]
    assert report.codes("mobile") == ["not_your_external"]
    assert report.codes("sales") == ["not_your_queue"]
    assert report.codes("mailbox") == ["not_your_extension"]
    assert report.codes("menu") == ["not_your_recording"]
    assert report.codes("welcome") == []


def test_voicemail_element_needs_the_extension_to_have_voicemail_on():
    graph = full_graph()
    graph["nodes"]["mailbox"]["config"]["sip_account"] = 11
    with translation.override("pl"):
        report = owned_problems(graph)
        assert report.codes("mailbox") == ["voicemail_off"]
        assert "11" in report.as_messages()["nodes"]["mailbox"][0]


def test_conference_elements_are_refused_while_there_are_no_rooms():
    graph = {"start": "a", "nodes": {"a": node("conference", {"room": 1})}}
    assert owned_problems(graph).codes("a") == ["no_rooms"]
    with_rooms = OwnedObjects(rooms=frozenset({1}))
    cleaned, report = validate_graph(graph, with_rooms)
    assert report.ok
    cleaned, report = validate_graph({"start": "a", "nodes": {"a": node("conference", {"room": 2})}}, with_rooms)
    assert report.codes("a") == ["not_your_room"]


def test_messages_are_translated_to_polish():
    graph = copy.deepcopy(full_graph())
    graph["nodes"]["orphan"] = node("hangup")
    with translation.override("pl"):
        messages = problems(graph).as_messages()
    assert messages["nodes"]["orphan"] == [
        "Żadne połączenie nie dotrze do tego elementu: połącz go strzałką z elementem za początkiem albo go usuń."
    ]


# Polish public holidays


def test_seed_covers_this_and_next_year():
    seeded = seed_holidays(date(2026, 3, 1))
    assert seeded[0] == "2026-01-01" and seeded[-1] == "2027-12-26"
    assert len(seeded) == 28
