from django.urls import path

from callback import views

app_name = "callback"

urlpatterns = [
    path("", views.AuthorizedNumberListView.as_view(), name="authorized_numbers"),
    path("add/", views.AuthorizedNumberCreateView.as_view(), name="authorized_number_create"),
    path("<int:pk>/edit/", views.AuthorizedNumberUpdateView.as_view(), name="authorized_number_edit"),
    path("<int:pk>/delete/", views.AuthorizedNumberDeleteView.as_view(), name="authorized_number_delete"),
    path("history/", views.OrderListView.as_view(), name="orders"),
]
