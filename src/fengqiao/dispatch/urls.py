"""指挥调度 pages, mounted at /dispatch/."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.dispatch import views

app_name = "dispatch"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("stream/", views.stream, name="stream"),
    path("send/", views.send, name="send"),
    path("sent/", views.sent, name="sent"),
    path("i/<int:pk>/", views.detail, name="detail"),
    path("i/<int:pk>/ack/", views.acknowledge, name="acknowledge"),
    path("i/<int:pk>/complete/", views.complete, name="complete"),
    path("i/<int:pk>/track/", views.track, name="track"),
    path("i/<int:pk>/remind/", views.remind, name="remind"),
    path("n/<int:pk>/", views.open_notification, name="notification"),
    path("n/read-all/", views.read_all, name="read_all"),
    path("work/", views.work, name="work"),
    path("patrol/start/", views.patrol_start, name="patrol_start"),
    path("patrol/<int:pk>/end/", views.patrol_end, name="patrol_end"),
    path("duty/", views.duty, name="duty"),
    path("screening/", views.screening, name="screening"),
    path("screenings/", views.screenings, name="screenings"),
]
