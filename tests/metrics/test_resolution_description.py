"""The stored definition of 化解率 says what the figures count: resolved ÷ entered in the period."""

from __future__ import annotations

import importlib

from fengqiao.metrics.models import Indicator

step = importlib.import_module("fengqiao.metrics.migrations.0006_resolution_description")


class _Apps:
    def get_model(self, app: str, name: str):
        return Indicator


def test_an_old_default_description_is_rewritten_and_a_countys_own_is_kept(db):
    Indicator.objects.filter(code="resolution").delete()
    old = Indicator.objects.create(code="resolution", name="化解率", weight=10, description=step.OLD)
    step.forwards(_Apps(), None)
    old.refresh_from_db()
    assert old.description == step.NEW
    old.description = "本县口径：调解成功件数 ÷ 受理件数"
    old.save()
    step.forwards(_Apps(), None)
    old.refresh_from_db()
    assert old.description == "本县口径：调解成功件数 ÷ 受理件数"
