from django.urls import path

from conferences import views

app_name = "conferences"

urlpatterns = [
    path("", views.RoomListView.as_view(), name="rooms"),
    path("add/", views.RoomCreateView.as_view(), name="room_create"),
    path("<int:pk>/", views.RoomDetailView.as_view(), name="room"),
    path("<int:pk>/edit/", views.RoomUpdateView.as_view(), name="room_edit"),
    path("<int:pk>/delete/", views.RoomDeleteView.as_view(), name="room_delete"),
    path("<int:pk>/participants/add/", views.ParticipantAddView.as_view(), name="participant_add"),
    path("calls/<int:pk>/cancel/", views.DialOutCancelView.as_view(), name="dial_out_cancel"),
]
