"""Sign-in pages. Lockout after repeated failures is django-axes' job; this view only renders."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from fengqiao.core.ratelimit import limit


@method_decorator(limit("login", "FENGQIAO_RATE_LOGIN"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
