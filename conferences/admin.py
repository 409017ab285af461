from django.contrib import admin

from conferences.models import ConferenceEvent, ConferenceLimit, ConferenceRoom, DialOut, Participant


@admin.register(ConferenceLimit)
class ConferenceLimitAdmin(admin.ModelAdmin):
    list_display = ("customer", "max_participants")
    list_filter = ("max_participants",)
    search_fields = ("customer__name", "customer__prefix")
    autocomplete_fields = ("customer",)


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    readonly_fields = ("channel", "number", "joined_at", "left_at", "via")
    can_delete = False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("number", "room", "joined_at", "left_at", "via")
    list_filter = ("via",)
    search_fields = ("number", "channel", "room__number", "room__customer__prefix")
    readonly_fields = ("room", "channel", "number", "joined_at", "left_at", "via")


@admin.register(ConferenceRoom)
class ConferenceRoomAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "customer", "max_participants", "created_at")
    list_filter = ("greeting_kind", "customer")
    search_fields = ("name", "number", "customer__name", "customer__prefix")
    inlines = [ParticipantInline]


@admin.register(ConferenceEvent)
class ConferenceEventAdmin(admin.ModelAdmin):
    list_display = ("at", "customer", "room_number", "kind", "number", "reason", "event_id")
    list_filter = ("kind",)
    search_fields = ("event_id", "number", "room_number", "customer__prefix")
    readonly_fields = [field.name for field in ConferenceEvent._meta.fields]


@admin.register(DialOut)
class DialOutAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "room", "number", "scheduled_for", "status", "call_id")
    list_filter = ("status",)
    search_fields = ("number", "call_id", "customer__prefix")
