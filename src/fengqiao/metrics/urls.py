"""考核评价."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.metrics import views

app_name = "metrics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("ranking/", views.ranking, name="ranking"),
    path("efficiency/", views.efficiency, name="efficiency"),
    path("reports/", views.report_list, name="reports"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/<str:kind>/", views.report_download, name="report_download"),
    path("export/events.xlsx", views.export_events, name="export_events"),
]
