from django.urls import path

from fengqiao.grids import views

app_name = "grids"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/map.json", views.map_json, name="map"),
]
