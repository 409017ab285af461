"""Where the engine's questions get their answers: defaults, a script (the tracer, tests) or a seeded RNG.

The engine asks when it cannot know: does extension 10 answer, which key the
caller presses, who answers in the queue, is the PIN right. Each question has
a stable key (e.g. "ext.10", "ivr.3.n2", repeated asks get ".2", ".3"), its
options and a default. An answer outside the options counts as no answer and
the engine takes the default.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from pbx.routing.model import Question


class Answers:
    """Every question gets its default answer."""

    def answer(self, question: Question) -> str | None:
        return question.default


class ScriptedAnswers(Answers):
    """Answers by question key; questions not in the script get their default."""

    def __init__(self, answers: Mapping[str, str]) -> None:
        self.answers = dict(answers)

    def answer(self, question: Question) -> str | None:
        return self.answers.get(question.key, question.default)


class KindAnswers(Answers):
    """One answer per question kind, e.g. {"extension": "no_answer"}; other kinds get their default."""

    def __init__(self, answers: Mapping[str, str]) -> None:
        self.answers = dict(answers)

    def answer(self, question: Question) -> str | None:
        return self.answers.get(question.kind, question.default)


class RandomAnswers(Answers):
    """Random answers from a seeded RNG, optionally weighted per question kind: {"extension": {"answer": 7, ...}}."""

    def __init__(self, rng: random.Random, weights: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.rng = rng
        self.weights = weights or {}

    def answer(self, question: Question) -> str | None:
        weights = self.weights.get(question.kind)
        if weights:
            options = [option for option in question.options if weights.get(option, 0) > 0]
            if options:
                return self.rng.choices(options, [weights[option] for option in options])[0]
        return self.rng.choice(question.options)
