"""The native JSON API (django-ninja); its OpenAPI document is the contract."""

from ninja import NinjaAPI

api = NinjaAPI(title="fengqiao API", version="1", urls_namespace="api")
