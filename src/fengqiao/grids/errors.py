"""Stable error codes of the grid tree."""

from __future__ import annotations

from fengqiao.core.errors import ErrorCode


class GridErrorCode(ErrorCode):
    INVALID_GRID = "invalid_grid", "Grid data (codes, levels, boundaries) has problems; the message lists them."
