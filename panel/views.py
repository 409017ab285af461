from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from panel import selectors
from panel.forms import LockoutAuthenticationForm
from panel.generic import TenantDetailView, TenantListView
from panel.models import User


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True


class UserListView(TenantListView):
    model = User
    template_name = "panel/user_list.html"
    context_object_name = "users"

    def get_queryset(self):
        queryset = selectors.user_list(customer=self.customer)
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(username__icontains=query) | queryset.filter(email__icontains=query)
        return queryset


class UserDetailView(TenantDetailView):
    model = User
    template_name = "panel/user_detail.html"
    context_object_name = "account_user"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
