"""Sprawdź trasę połączenia: follow a call through the customer's PBX, step by step, with the reasons.

One GET form: the call (a number and a caller, an extension and what it
dials, or an authorized number calling the callback service number), the
date and time, and one choice per question the engine asked on the previous
run (does extension 10 answer, which key the caller presses). The
engine runs on a snapshot of the customer's own configuration with those
answers (defaults for the rest), and the page shows the path, the questions it
asked and, for a scheme, the elements it went through. `?scheme=<id>` (the
editor's "Sprawdź trasę") follows a call straight into that scheme.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views import View

from panel.generic import CustomerRequiredMixin
from panel.templatetags.panel_tags import money
from pbx.forms.tracer import INCOMING, TracerForm
from pbx.routing import RouteResult, RoutingConfig, ScriptedAnswers, StepKind, route
from pbx.routing.reasons import element_label, option_label, outcome_title, question_label, render_step, step_title
from pbx.selectors.routing import load_config

ANSWER_PREFIX = "a-"
CALL_FIELDS = ("direction", "phone_number", "scheme", "caller", "extension", "dialled", "authorized", "date", "time")

STEP_ICONS = {
    StepKind.CALL: "telephone-inbound",
    StepKind.ROUTE: "signpost-split",
    StepKind.PLAY: "megaphone",
    StepKind.IVR: "grid-3x3-gap",
    StepKind.TIME: "clock",
    StepKind.RING: "bell",
    StepKind.QUEUE: "people",
    StepKind.CHECK: "shield-check",
    StepKind.FEATURE: "star",
    StepKind.ANSWERED: "telephone-fill",
    StepKind.VOICEMAIL: "voicemail",
    StepKind.HANGUP: "telephone-x",
    StepKind.REFUSED: "slash-circle",
}
OUTCOME_STYLES = {
    StepKind.ANSWERED: "success",
    StepKind.VOICEMAIL: "info",
    StepKind.HANGUP: "secondary",
    StepKind.REFUSED: "danger",
}


def _per_minute(value) -> str:
    return money(value, 3)


class TracerView(CustomerRequiredMixin, View):
    template_name = "pbx/tracer.html"

    def get(self, request, *args, **kwargs):
        form = self.build_form()
        context = {"form": form, "traced": False}
        if form.is_bound and form.is_valid():
            config = load_config(customer=self.customer)
            submitted = {
                key.removeprefix(ANSWER_PREFIX): value
                for key, value in request.GET.items()
                if key.startswith(ANSWER_PREFIX)
            }
            result = route(config, form.call(), ScriptedAnswers(submitted))
            context.update(self.trace_context(form, config, result, submitted))
        return render(request, self.template_name, context)

    def build_form(self) -> TracerForm:
        params = self.request.GET
        if "direction" in params:
            return TracerForm(params, customer=self.customer)
        initial = TracerForm.initial_values()
        if params.get("scheme"):
            # From the scheme editor: follow a call into the scheme right away, now.
            data = {
                "direction": INCOMING,
                "scheme": params["scheme"],
                "date": initial["date"].isoformat(),
                "time": initial["time"].strftime("%H:%M"),
                "caller": params.get("caller", ""),
            }
            return TracerForm(data, customer=self.customer)
        return TracerForm(initial=initial, customer=self.customer)

    def trace_context(self, form: TracerForm, config: RoutingConfig, result: RouteResult, submitted: dict) -> dict:
        steps = [
            {
                "kind": step.kind,
                "icon": STEP_ICONS.get(step.kind, "dot"),
                "title": step_title(step, gettext),
                "text": render_step(step, gettext, _per_minute),
                "seconds": step.seconds,
                "node": step.node or "",
                "scheme": step.scheme,
                "final": step.kind in StepKind.FINAL,
            }
            for step in result.steps
        ]
        questions = []
        for asked in result.questions:
            question = asked.question
            raw = submitted.get(question.key)
            questions.append(
                {
                    "name": ANSWER_PREFIX + question.key,
                    "id": "answer-" + str(len(questions)),
                    "label": question_label(question, gettext),
                    "options": [
                        (option, option_label(question, option, gettext), option == asked.answer)
                        for option in question.options
                    ],
                    "error": raw is not None and asked.defaulted,
                }
            )
        scheme = form.cleaned_data.get("scheme")
        scheme_id = scheme.pk if scheme else (result.visited[0].scheme if result.visited else None)
        visited = result.visited_nodes(scheme_id) if scheme_id is not None else []
        graph = config.schemes[scheme_id].graph if scheme_id in config.schemes else {}
        graph_nodes = graph.get("nodes") if isinstance(graph, dict) else None
        graph_nodes = graph_nodes if isinstance(graph_nodes, dict) else {}
        return {
            "traced": True,
            "result": result,
            "steps": steps,
            "questions": questions,
            "outcome_title": outcome_title(result.outcome, gettext),
            "outcome_text": steps[-1]["text"],
            "outcome_style": OUTCOME_STYLES.get(result.outcome, "secondary"),
            "scheme_id": scheme_id,
            "scheme_name": config.schemes[scheme_id].name if scheme_id in config.schemes else "",
            "visited_labels": [element_label(graph_nodes.get(node, {}), node, gettext) for node in visited],
            "visited_json": json.dumps(visited),
            "reset_url": self.reset_url(),
        }

    def reset_url(self) -> str:
        """The same call with every answer back to its default."""
        query = {key: self.request.GET[key] for key in CALL_FIELDS if self.request.GET.get(key)}
        return f"{reverse('pbx:tracer')}?{urlencode(query)}"


urlpatterns = [
    path("tracer/", TracerView.as_view(), name="tracer"),
]
