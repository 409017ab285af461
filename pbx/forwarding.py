"""Forwarding loops between extensions. Plain Python, no Django.

An extension that forwards to another which forwards back (10 → 11 → 10)
would bounce a caller around until the PBX gives up, so such a chain is
refused when it is saved. Every condition (no answer, busy, unavailable)
counts as an edge: the states that trigger them can all last, so a chain
mixing them loops just the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Graph = Mapping[str, Iterable[str]]


def find_cycle(graph: Graph, start: str | None = None) -> list[str] | None:
    """A forwarding loop as a path that ends where it starts, e.g. ["10", "11", "10"]; None without one.

    `graph` maps an extension to the extensions it forwards to. With `start`,
    only a loop through `start` counts (the one a change of `start` would
    create); otherwise any loop is reported.
    """
    edges = {node: list(targets) for node, targets in graph.items()}
    if start is not None:
        return _cycle_through(edges, start)
    finished: set[str] = set()
    for node in edges:
        if node not in finished:
            cycle = _cycle_from(edges, node, finished)
            if cycle:
                return cycle
    return None


def _cycle_through(edges: dict[str, list[str]], start: str) -> list[str] | None:
    """Depth-first search for a path from `start` back to `start`."""
    seen = {start}
    path = [start]
    stack = [iter(edges.get(start, ()))]
    while stack:
        target = next(stack[-1], None)
        if target is None:
            stack.pop()
            path.pop()
            continue
        if target == start:
            return [*path, start]
        if target not in seen:
            seen.add(target)
            path.append(target)
            stack.append(iter(edges.get(target, ())))
    return None


def _cycle_from(edges: dict[str, list[str]], root: str, finished: set[str]) -> list[str] | None:
    """Depth-first search from `root` for any node reached again while still on the current path."""
    path = [root]
    on_path = {root}
    stack = [iter(edges.get(root, ()))]
    while stack:
        target = next(stack[-1], None)
        if target is None:
            stack.pop()
            done = path.pop()
            on_path.discard(done)
            finished.add(done)
            continue
        if target in on_path:
            return [*path[path.index(target) :], target]
        if target not in finished:
            path.append(target)
            on_path.add(target)
            stack.append(iter(edges.get(target, ())))
    return None


def format_cycle(cycle: list[str]) -> str:
    """A loop for people: "10 → 11 → 10"."""
    return " → ".join(cycle)
