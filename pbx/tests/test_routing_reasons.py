"""The engine's reasons in words: every code has a sentence, and every sentence has its Polish translation."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from pbx.routing import Question, Step, StepKind, reasons
from pbx.routing.holidays import public_holidays
from pbx.routing.model import QuestionKind

pytestmark = pytest.mark.smoke

ENGINE = Path(reasons.__file__).with_name("engine.py").read_text()
TIMECOND = Path(reasons.__file__).with_name("timecond.py").read_text()


def test_every_reason_code_the_engine_uses_has_a_sentence():
    codes = set(re.findall(r'StepKind\.\w+,\s*"([a-z_.]+)"', ENGINE))
    codes |= set(re.findall(r'"(time\.[a-z_]+)"', TIMECOND))
    codes |= set(re.findall(r'code = "([a-z_.]+)"', ENGINE))
    codes |= set(re.findall(r'"([a-z]+\.[a-z_]+)" if', ENGINE)) | set(re.findall(r'else "([a-z]+\.[a-z_]+)"', ENGINE))
    codes |= {f"queue.ring.{strategy}" for strategy in reasons.STRATEGIES}
    assert len(codes) > 100
    missing = sorted(code for code in codes if code not in reasons.REASONS)
    assert not missing


def all_msgids() -> list[str]:
    msgids = [
        *reasons.REASONS.values(),
        *reasons.STEP_TITLES.values(),
        *reasons.OUTCOME_TITLES.values(),
        *reasons.WEEKDAYS.values(),
        *reasons.CONDITIONS.values(),
        *reasons.STRATEGIES.values(),
        *reasons.EXITS.values(),
        *reasons.QUESTIONS.values(),
        *reasons.ELEMENT_KINDS.values(),
        *(label for labels in reasons.OPTIONS.values() for label in labels.values()),
        *public_holidays(2026).values(),
    ]
    msgids += [value for name, value in vars(reasons).items() if name.isupper() and isinstance(value, str)]
    return sorted(set(msgids))


@pytest.mark.parametrize("msgid", all_msgids())
def test_every_sentence_has_a_polish_translation(msgid):
    with translation.override("pl"):
        translated = translation.gettext(msgid)
    if msgid in ("%(amount)s zł/min",):
        return
    assert translated != msgid
    assert sorted(re.findall(r"%\((\w+)\)s", translated)) == sorted(re.findall(r"%\((\w+)\)s", msgid))


def test_a_step_in_polish_with_money_and_numbers():
    step = Step(
        StepKind.REFUSED,
        "out.rate_too_high",
        {
            "number": "+8613912345678",
            "destination": "Reszta świata",
            "price": Decimal("1.99"),
            "limit": Decimal("1.00"),
            "own": False,
        },
    )
    with translation.override("pl"):
        text = reasons.render_step(step, translation.gettext, lambda value: f"{value:.3f}".replace(".", ","))
    assert text == (
        "Reszta świata kosztuje 1,990 zł/min, więcej niż globalna maksymalna stawka 1,000 zł/min, "
        "więc połączenie zostaje odrzucone."
    )


def test_time_reasons_name_the_weekday_and_the_holiday():
    step = Step(
        StepKind.TIME,
        "time.public_holiday",
        {"label": "", "element": "time_condition", "weekday": "mon", "at": datetime(2026, 4, 6, 10, 0)},
    )
    step = Step(step.kind, step.code, {**step.params, "holiday": "Easter Monday", "hours": (), "interval": None})
    with translation.override("pl"):
        text = reasons.render_step(step, translation.gettext)
    assert text == (
        "Element „Warunek czasowy”: 2026-04-06 10:00 to dzień ustawowo wolny od pracy (Poniedziałek Wielkanocny), "
        "więc warunek nie jest spełniony."
    )


def test_unknown_code_renders_as_itself():
    assert reasons.render_step(Step(StepKind.HANGUP, "something.new")) == "something.new"


def test_questions_and_options_in_words():
    question = Question(
        "ext.10.2", QuestionKind.EXTENSION, ("answer", "no_answer", "busy", "unavailable"), "answer",
        {"extension": "10 Sekretariat"}, occurrence=2,
    )  # fmt: skip
    ivr = Question("ivr.1.n2", QuestionKind.IVR, ("1", "invalid", "timeout"), "1", {"label": ""})
    queue = Question("queue.1", QuestionKind.QUEUE, ("ext.10", "nobody"), "ext.10", {"agents": (("ext.10", "10 Ala"),)})
    with translation.override("pl"):
        gettext = translation.gettext
        assert reasons.question_label(question, gettext) == "Czy numer wewnętrzny 10 Sekretariat odbiera? (2. raz)"
        assert reasons.option_label(question, "busy", gettext) == "Zajęty (prowadzi inną rozmowę)"
        assert reasons.question_label(ivr, gettext) == "Który klawisz naciska dzwoniący w menu „Menu IVR”?"
        assert reasons.option_label(ivr, "1", gettext) == "Klawisz 1"
        assert reasons.option_label(queue, "ext.10", gettext) == "10 Ala"
        assert reasons.option_label(queue, "nobody", gettext) == "Nikt (wszyscy zajęci lub nie odbierają)"
