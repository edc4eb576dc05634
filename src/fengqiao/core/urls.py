from django.urls import path

from fengqiao.core import monitoring, pwa, views

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("metrics", monitoring.metrics, name="metrics"),
    # The phone app: served from the root so the service worker's scope is the whole site.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
]
