"""URL map: pages, the admin, the API, uploaded files (authorised), the JavaScript translation catalogue."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import JavaScriptCatalog

from fengqiao.accounts.views import AdminLoginView
from fengqiao.api.api import api
from fengqiao.core import media
from fengqiao.grids.views import home

admin.site.site_header = gettext_lazy("枫桥 · 网格化治理平台")
admin.site.site_title = gettext_lazy("枫桥管理后台")
admin.site.index_title = gettext_lazy("数据管理")

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The djangojs catalogue for our static scripts (gettext/interpolate), loaded by base.html before them.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The admin signs in through the platform's own login: one throttle, one lockout, password age, second factor.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    # Uploaded files only through the authorising view; MEDIA_URL itself is never served (nor by nginx).
    path("files/<int:pk>/", media.serve, name="attachment_file"),
    path("files/<int:pk>/thumb/", media.serve, {"variant": "thumb"}, name="attachment_thumb"),
    path("api/v1/", api.urls),
    path("open311/v2/", include("fengqiao.events.open311_urls")),
    path("", include("fengqiao.accounts.urls")),
    path("grids/", include("fengqiao.grids.urls")),
    path("events/", include("fengqiao.events.urls")),
    path("disputes/", include("fengqiao.disputes.urls")),
    path("petitions/", include("fengqiao.petitions.urls")),
    path("participation/", include("fengqiao.participation.urls")),
    path("deliberation/", include("fengqiao.deliberation.urls")),
    path("dispatch/", include("fengqiao.dispatch.urls")),
    path("metrics/", include("fengqiao.metrics.urls")),
    path("dashboard/", include("fengqiao.dashboard.urls")),
    path("people/", include("fengqiao.people.urls")),
    path("", home, name="home"),
    path("", include("fengqiao.core.urls")),
]
