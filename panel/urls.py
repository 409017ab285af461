"""The panel's own pages under the "panel" namespace: the customer's users and API keys.

The project's root URLconf (centrala/urls.py) includes them next to the
log-in and password pages and the domain apps.
"""

from django.urls import path

from panel import views, views_api_tokens

app_name = "panel"

urlpatterns = [
    path("account/users/", views.UserListView.as_view(), name="users"),
    path("account/users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    *views_api_tokens.urlpatterns,
]
