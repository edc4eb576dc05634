"""One page of a list in the API: ``limit`` (1–500, default 50) and ``offset``, validated before any query runs."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

M = TypeVar("M", bound=Model)


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)

    def page(self, rows: QuerySet[M]) -> QuerySet[M]:
        return rows[self.offset : self.offset + self.limit]
