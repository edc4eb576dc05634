from django.urls import path

from fengqiao.core import monitoring, views

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("metrics", monitoring.metrics, name="metrics"),
]
