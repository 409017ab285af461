"""Call queues ("Wirtualna Centrala > Kolejki"): settings, agents and their ring order."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.generic.detail import SingleObjectMixin

from panel.generic import (
    TenantCreateView,
    TenantDeleteView,
    TenantDetailView,
    TenantListView,
    TenantObjectMixin,
    TenantUpdateView,
    add_service_errors,
)
from pbx.forms.queues import QueueAgentAddForm, QueueAgentMoveForm, QueueAgentRemoveForm, QueueForm
from pbx.models import Queue
from pbx.selectors import queues as selectors
from pbx.services import queues as services


class QueueListView(TenantListView):
    model = Queue
    template_name = "pbx/queue_list.html"
    context_object_name = "queues"

    def get_queryset(self):
        return selectors.queue_list(customer=self.customer, query=self.request.GET.get("q", ""))


class QueueFormMixin:
    model = Queue
    form_class = QueueForm
    template_name = "pbx/queue_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def form_valid(self, form):
        try:
            self.object = services.queue_save(customer=self.customer, queue=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": self.object.name})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse("pbx:queue_detail", kwargs={"pk": self.object.pk})


class QueueCreateView(QueueFormMixin, TenantCreateView):
    success_message = gettext_lazy("Queue %(name)s was created. Now add its agents.")

    def get_initial(self):
        return {"number": selectors.queue_number_suggestion(customer=self.customer)}

    def get_success_url(self):
        return reverse("pbx:queue_agents", kwargs={"pk": self.object.pk})


class QueueUpdateView(QueueFormMixin, TenantUpdateView):
    success_message = gettext_lazy("Queue %(name)s was saved.")


class QueueDetailView(TenantDetailView):
    model = Queue
    template_name = "pbx/queue_detail.html"
    context_object_name = "queue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = self.object
        context["static_agents"] = selectors.queue_static_agents(customer=self.customer, queue=queue)
        context["dynamic_agents"] = selectors.queue_dynamic_agents(customer=self.customer, queue=queue)
        context["routing_numbers"] = selectors.queue_routing_numbers(customer=self.customer, queue=queue)
        return context


class QueueDeleteView(TenantDeleteView):
    model = Queue
    template_name = "pbx/queue_confirm_delete.html"
    context_object_name = "queue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["routing_numbers"] = selectors.queue_routing_numbers(customer=self.customer, queue=self.object)
        context["scheme_usages"] = selectors.queue_scheme_usages(customer=self.customer, queue=self.object)
        return context

    def form_valid(self, form):
        try:
            services.queue_delete(customer=self.customer, queue=self.object)
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
            return redirect("pbx:queue_delete", pk=self.object.pk)
        messages.success(self.request, _("Queue %(name)s was deleted.") % {"name": self.object.name})
        return redirect("pbx:queues")


class QueueAgentsView(TenantObjectMixin, SingleObjectMixin, generic.TemplateView):
    """The agents of a queue: add, remove and change the ring order (drag and drop or Move up / Move down)."""

    model = Queue
    template_name = "pbx/queue_agents.html"
    context_object_name = "queue"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def form_kwargs(self) -> dict:
        return {"customer": self.customer, "queue": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = self.object
        context.setdefault("add_form", QueueAgentAddForm(**self.form_kwargs()))
        context["static_agents"] = selectors.queue_static_agents(customer=self.customer, queue=queue)
        context["dynamic_agents"] = selectors.queue_dynamic_agents(customer=self.customer, queue=queue)
        context["order_url"] = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        action = request.POST.get("action")
        if action == "add":
            return self.add()
        if action == "move":
            return self.move()
        if action == "remove":
            return self.remove()
        messages.error(request, _("Unknown action."))
        return self.back()

    def back(self, anchor: str = ""):
        return HttpResponseRedirect(reverse("pbx:queue_agents", kwargs={"pk": self.object.pk}) + anchor)

    def add(self):
        form = QueueAgentAddForm(self.request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                agent = services.queue_agent_add(
                    customer=self.customer,
                    queue=self.object,
                    sip=form.cleaned_data["sip"],
                    external=form.cleaned_data["external"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("%(agent)s was added to the queue.") % {"agent": agent})
                return self.back()
        return self.render_to_response(self.get_context_data(add_form=form), status=400)

    def move(self):
        form = QueueAgentMoveForm(self.request.POST, **self.form_kwargs())
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
            return self.back()
        agent = form.cleaned_data["agent"]
        services.queue_agent_move(customer=self.customer, agent=agent, direction=form.cleaned_data["direction"])
        messages.success(self.request, _("The ring order was saved."))
        return self.back(f"#agent-{agent.pk}")

    def remove(self):
        form = QueueAgentRemoveForm(self.request.POST, **self.form_kwargs())
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
            return self.back()
        agent = form.cleaned_data["agent"]
        services.queue_agent_remove(customer=self.customer, agent=agent)
        messages.success(self.request, _("%(agent)s was removed from the queue.") % {"agent": agent})
        return self.back()


class QueueAgentsOrderView(TenantObjectMixin, SingleObjectMixin, generic.View):
    """JSON endpoint of the drag-and-drop list: GET the ring order, POST a new one (a list of agent ids).

    The body is form-encoded (`order=3&order=1&order=2`) or JSON (`{"order": [3, 1, 2]}`).
    """

    model = Queue

    def get(self, request, *args, **kwargs):
        queue = self.get_object()
        return JsonResponse({"order": selectors.queue_agent_order(customer=self.customer, queue=queue)})

    def post(self, request, *args, **kwargs):
        queue = self.get_object()
        try:
            agent_ids = self.parse_order(request)
        except ValueError:
            message = _("The new order could not be read. Nothing was changed.")
            return JsonResponse({"ok": False, "error": message}, status=400)
        try:
            services.queue_agents_reorder(customer=self.customer, queue=queue, agent_ids=agent_ids)
        except ValidationError as error:
            return JsonResponse({"ok": False, "error": " ".join(error.messages)}, status=400)
        return JsonResponse(
            {
                "ok": True,
                "message": _("The ring order was saved."),
                "order": selectors.queue_agent_order(customer=self.customer, queue=queue),
            }
        )

    @staticmethod
    def parse_order(request) -> list[int]:
        if request.content_type == "application/json":
            payload = json.loads(request.body or b"null")
            values = payload.get("order") if isinstance(payload, dict) else None
        else:
            values = request.POST.getlist("order")
        if not isinstance(values, list):
            raise ValueError("the order must be a list")
        ids = []
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
                ids.append(value)
            elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
                ids.append(int(value))
            else:
                raise ValueError("an agent id must be a whole number")
        return ids


urlpatterns = [
    path("queues/", QueueListView.as_view(), name="queues"),
    path("queues/new/", QueueCreateView.as_view(), name="queue_create"),
    path("queues/<int:pk>/", QueueDetailView.as_view(), name="queue_detail"),
    path("queues/<int:pk>/edit/", QueueUpdateView.as_view(), name="queue_edit"),
    path("queues/<int:pk>/delete/", QueueDeleteView.as_view(), name="queue_delete"),
    path("queues/<int:pk>/agents/", QueueAgentsView.as_view(), name="queue_agents"),
    path("queues/<int:pk>/agents/order/", QueueAgentsOrderView.as_view(), name="queue_agents_order"),
]
