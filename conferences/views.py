"""Telekonferencje: the rooms, each room's live view, and "add participant"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from billing.selectors import rate_for_number
from conferences import constants, selectors, services
from conferences.forms import ParticipantForm, RoomForm
from conferences.models import ConferenceRoom, DialOut
from panel.confirmation import CostConfirmationMixin, CostLine, CostStatement
from panel.generic import CustomerRequiredMixin, TenantDeleteView, add_service_errors
from pbx.numbering import format_number


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class AvailableMixin(CustomerRequiredMixin):
    """Without the teleconference service every page explains how to get it instead of showing its form.

    An object URL answers 404 for another customer's object first, whether the service is on or not.
    """

    owned_model = ConferenceRoom

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.customer is not None:
            if (
                "pk" in kwargs
                and not self.owned_model.objects.for_customer(request.customer).filter(pk=kwargs["pk"]).exists()
            ):
                raise Http404
            self.availability = selectors.availability(customer=request.customer)
            if not self.availability.available:
                return self.unavailable(request)
        return super().dispatch(request, *args, **kwargs)

    def unavailable(self, request):
        rooms = selectors.room_list(customer=request.customer).count()
        return render(
            request,
            "conferences/unavailable.html",
            {"availability": self.availability, "kept_rooms": rooms, "vat_rate": request.customer.vat_rate},
        )


class RoomObjectMixin:
    def get_room(self) -> ConferenceRoom:
        try:
            return selectors.room_get(customer=self.customer, pk=self.kwargs["pk"])
        except ConferenceRoom.DoesNotExist as missing:
            raise Http404 from missing


def _display(room: ConferenceRoom) -> ConferenceRoom:
    numbers = list(room.phone_numbers.all())
    room.display_phone_number = format_number(numbers[0].number) if numbers else ""
    return room


def _display_dial_out(dial_out: DialOut) -> DialOut:
    dial_out.display_number = format_number(dial_out.number) if dial_out.number.startswith("+") else dial_out.number
    return dial_out


class RoomListView(AvailableMixin, generic.ListView):
    template_name = "conferences/room_list.html"
    context_object_name = "rooms"
    paginate_by = 25

    def get_queryset(self):
        return selectors.room_list(customer=self.customer, query=self.request.GET.get("q", "").strip())

    def get_template_names(self):
        return ["conferences/_room_rows.html"] if _is_htmx(self.request) else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for room in context["rooms"]:
            _display(room)
        context["availability"] = self.availability
        context["refresh_seconds"] = constants.LIVE_REFRESH_SECONDS
        return context


class RoomFormMixin(AvailableMixin):
    template_name = "conferences/room_form.html"

    def form_kwargs(self, instance=None):
        kwargs = {
            "customer": self.customer,
            "limit": selectors.participant_limit(customer=self.customer),
            "instance": instance,
        }
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def save(self, form, room):
        data = {name: form.cleaned_data[name] for name in services.ROOM_FIELDS if name in form.cleaned_data}
        try:
            return services.room_save(
                customer=self.customer,
                room=room,
                phone_number=form.cleaned_data.get("phone_number"),
                greeting_upload=form.cleaned_data.get("greeting_upload"),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return None


class RoomCreateView(RoomFormMixin, generic.View):
    def get(self, request):
        return render(request, self.template_name, {"form": RoomForm(**self.form_kwargs())})

    def post(self, request):
        form = RoomForm(**self.form_kwargs(ConferenceRoom(customer=self.customer)))
        if form.is_valid():
            room = self.save(form, None)
            if room is not None:
                messages.success(request, _("Room %(name)s is ready.") % {"name": room.name})
                return redirect("conferences:room", pk=room.pk)
        return render(request, self.template_name, {"form": form})


class RoomUpdateView(RoomFormMixin, RoomObjectMixin, generic.View):
    def get(self, request, pk):
        room = _display(self.get_room())
        return render(request, self.template_name, {"form": RoomForm(**self.form_kwargs(room)), "room": room})

    def post(self, request, pk):
        room = _display(self.get_room())
        form = RoomForm(**self.form_kwargs(room))
        if form.is_valid() and self.save(form, room) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("conferences:room", pk=room.pk)
        room.refresh_from_db()
        return render(request, self.template_name, {"form": form, "room": _display(room)})


class RoomDeleteView(AvailableMixin, TenantDeleteView):
    model = ConferenceRoom
    template_name = "conferences/room_confirm_delete.html"
    context_object_name = "room"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["usages"] = services.room_usages(customer=self.customer, room=self.object)
        context["pending"] = selectors.pending_dial_outs(customer=self.customer, room=self.object).count()
        return context

    def form_valid(self, form):
        try:
            services.room_delete(customer=self.customer, room=self.object)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect("conferences:room_delete", pk=self.object.pk)
        messages.success(self.request, _("The room has been deleted."))
        return redirect("conferences:rooms")


class RoomDetailView(AvailableMixin, RoomObjectMixin, generic.View):
    """ "Zarządzaj salą": the room's numbers, who is in it now (refreshed), add participant, planned calls."""

    def get(self, request, pk):
        room = _display(self.get_room())
        context = {
            "room": room,
            "participants": selectors.live_participants(customer=self.customer, room=room),
            "events": selectors.recent_events(customer=self.customer, room=room),
            "refresh_seconds": constants.LIVE_REFRESH_SECONDS,
        }
        context["dial_outs"] = [
            _display_dial_out(dial_out) for dial_out in selectors.dial_out_list(customer=self.customer, room=room)[:20]
        ]
        if _is_htmx(request):
            part = "_dial_outs" if request.GET.get("part") == "dial_outs" else "_live"
            return render(request, f"conferences/{part}.html", context)
        context["form"] = ParticipantForm(customer=self.customer)
        return render(request, "conferences/room_detail.html", context)


class ParticipantAddView(AvailableMixin, RoomObjectMixin, CostConfirmationMixin, generic.FormView):
    """The green arrow: call a number into the room now or at a set time (an outside number shows its rate first)."""

    form_class = ParticipantForm
    template_name = "conferences/participant_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["room"] = _display(self.get_room())
        return context

    def get_success_url(self) -> str:
        return reverse("conferences:room", kwargs={"pk": self.kwargs["pk"]})

    def form_valid(self, form):
        self.room = self.get_room()
        if form.internal:
            return self.confirmed(form)
        self.rate = rate_for_number(customer=self.customer, number=form.cleaned_data["number"])
        if self.rate is None:
            form.add_error(
                "number",
                _("Calls to %(number)s are not in your tariff. Please contact us.")
                % {"number": format_number(form.cleaned_data["number"])},
            )
            return self.form_invalid(form)
        if self.request.POST.get("confirm") == "yes":  # agreed to the rate just checked above
            return self.confirmed(form)
        return super().form_valid(form)

    def confirmed(self, form):
        number, at = form.cleaned_data["number"], form.cleaned_data.get("at")
        try:
            services.dial_out_request(customer=self.customer, room=self.room, number=number, at=at)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        shown = format_number(number) if number.startswith("+") else number
        if at is None:
            messages.success(self.request, _("Calling %(number)s into the room now.") % {"number": shown})
        else:
            messages.success(
                self.request,
                _("%(number)s will be called into the room at %(time)s.")
                % {"number": shown, "time": at.astimezone().strftime("%Y-%m-%d %H:%M")},
            )
        return redirect(self.get_success_url())

    def get_cost_statement(self, form) -> CostStatement:
        number = format_number(form.cleaned_data["number"])
        return CostStatement(
            title=_("Cost of calling %(number)s into the room") % {"number": number},
            rates=[CostLine(self.rate.destination, self.rate.price_per_minute, per_minute=True)],
            vat_rate=self.customer.vat_rate,
            notes=[
                _("Phone number: %(number)s, destination: %(destination)s.")
                % {"number": number, "destination": self.rate.destination},
                _("I agree that each minute of this call is charged to my balance by my tariff at the rate shown."),
            ],
        )


class DialOutCancelView(AvailableMixin, generic.View):
    owned_model = DialOut

    def get(self, request, pk):
        dial_out = get_object_or_404(DialOut.objects.for_customer(self.customer).select_related("room"), pk=pk)
        return render(request, "conferences/dial_out_confirm_cancel.html", {"dial_out": dial_out})

    def post(self, request, pk):
        dial_out = get_object_or_404(DialOut.objects.for_customer(self.customer), pk=pk)
        try:
            services.dial_out_cancel(customer=self.customer, dial_out=dial_out)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The planned call has been cancelled."))
        if dial_out.room_id is None:
            return redirect("conferences:rooms")
        return redirect("conferences:room", pk=dial_out.room_id)
