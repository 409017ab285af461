"""Forwarding loops (pbx/forwarding.py, no database)."""

import pytest

from pbx.forwarding import find_cycle, format_cycle

pytestmark = pytest.mark.smoke


def test_no_forwards_no_loop():
    assert find_cycle({}) is None
    assert find_cycle({"10": [], "11": []}, start="10") is None


def test_a_chain_without_a_way_back_is_no_loop():
    graph = {"10": ["11"], "11": ["12"], "12": []}
    assert find_cycle(graph) is None
    assert find_cycle(graph, start="10") is None


def test_two_extensions_forwarding_to_each_other():
    assert find_cycle({"10": ["11"], "11": ["10"]}, start="10") == ["10", "11", "10"]


def test_a_longer_loop_is_shown_in_order():
    graph = {"10": ["11"], "11": ["12"], "12": ["10"]}
    assert find_cycle(graph, start="10") == ["10", "11", "12", "10"]
    assert find_cycle(graph, start="12") == ["12", "10", "11", "12"]


def test_an_extension_forwarding_to_itself():
    assert find_cycle({"10": ["10"]}, start="10") == ["10", "10"]


def test_several_targets_loop_through_any_of_them():
    # e.g. no answer → 11 (a dead end), busy → 12 which forwards back.
    graph = {"10": ["11", "12"], "11": [], "12": ["13"], "13": ["10"]}
    assert find_cycle(graph, start="10") == ["10", "12", "13", "10"]


def test_with_start_only_loops_through_start_count():
    graph = {"10": ["11"], "11": ["12"], "12": ["11"]}
    assert find_cycle(graph, start="10") is None
    assert find_cycle(graph) == ["11", "12", "11"]


def test_targets_without_forwards_of_their_own():
    assert find_cycle({"10": ["99"]}, start="10") is None
    assert find_cycle({"10": ["99"]}) is None


def test_long_chains_do_not_hit_the_recursion_limit():
    graph = {str(n): [str(n + 1)] for n in range(100, 5100)}
    graph["5100"] = ["100"]
    cycle = find_cycle(graph, start="100")
    assert cycle[0] == cycle[-1] == "100" and len(cycle) == 5002


def test_format_cycle():
    assert format_cycle(["10", "11", "10"]) == "10 → 11 → 10"
