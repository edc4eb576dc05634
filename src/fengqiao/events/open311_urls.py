from django.urls import re_path

from fengqiao.events import open311

urlpatterns = [
    re_path(r"^services\.(?P<fmt>\w+)$", open311.services_list, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+?)\.(?P<fmt>\w+)$", open311.service_definition, name="open311-service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", open311.requests_collection, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)\.(?P<fmt>\w+)$", open311.request_detail, name="open311-request"),
]
