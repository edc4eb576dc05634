"""一张图."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.dashboard import views

app_name = "dashboard"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.map_page, name="map"),
    path("bigscreen/", views.bigscreen, name="bigscreen"),
    path("feed/", views.feed, name="feed"),
]
