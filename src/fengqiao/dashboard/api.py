"""一张图 endpoints of the native API."""

from ninja import Router

router = Router(tags=["dashboard"])
