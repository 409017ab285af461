from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.views import generic

from panel import selectors
from panel.forms import LockoutAuthenticationForm
from panel.generic import CustomerRequiredMixin, TenantDetailView, TenantListView
from panel.models import User
from pbx.kamailio import selectors as kamailio_selectors
from recordings.push import selectors as push_selectors


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True


class DashboardView(CustomerRequiredMixin, generic.TemplateView):
    template_name = "panel/dashboard.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request") == "true":
            return ["panel/_live_now.html"]  # the "now" cards, refreshed every few seconds
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live"] = selectors.live_now(customer=self.customer)
        if self.request.headers.get("HX-Request") == "true":
            return context
        context["counts"] = selectors.dashboard_counts(customer=self.customer)
        context["push_warnings"] = push_selectors.push_warnings(customer=self.customer)
        context["sip_health_warnings"] = kamailio_selectors.health_warnings(customer=self.customer)
        return context


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
