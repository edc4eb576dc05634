"""考核评价 endpoints of the native API."""

from ninja import Router

router = Router(tags=["metrics"])
