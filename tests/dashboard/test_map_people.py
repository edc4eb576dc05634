"""The one map's base-data layers are counts per area, offered only to whoever may see them: key persons to the
leaders and the centre covering the area (never names or points), rentals, organisations, hazards and protective
facilities to whoever reads base data there; a handler gets none of them."""

from __future__ import annotations

from fengqiao.dashboard import selectors
from fengqiao.metrics import selectors as metrics
from fengqiao.people.models import Place
from tests.people.key_kit import at, key_category, key_listed, key_person, key_posts  # noqa: F401

PEOPLE_KEYS = {"key_persons", "key_overdue", "rentals", "organisations", "hazards", "protections"}


def test_a_leader_sees_key_person_counts_per_area_and_a_handler_sees_no_layer(tree, key_listed, key_posts):  # noqa: F811
    Place.objects.create(grid=tree["410105001001001"], kind="hydrant", layer=Place.Layer.PROTECTION, name="消防栓 1")
    Place.objects.create(grid=tree["410105001001001"], kind="hazmat", layer=Place.Layer.HAZARD, name="加气站")
    period = metrics.period_of("month", today=at(1).date())
    data = selectors.map_payload(actor=key_posts["leader"], code="410105", period=period, now=at(10))
    street_a = next(c for c in data["children"] if c["code"] == "410105001")
    street_b = next(c for c in data["children"] if c["code"] == "410105002")
    assert (street_a["figures"]["key_persons"], street_a["figures"]["key_overdue"]) == (1, 1)  # red: 7 days, now day 10
    assert street_b["figures"]["key_persons"] == 0
    assert (street_a["figures"]["hazards"], street_a["figures"]["protections"]) == (1, 1)
    assert {c["key"] for c in data["figure_choices"]} >= PEOPLE_KEYS
    assert "王小明" not in repr(data) and "410105199001011234" not in repr(data)

    handler = selectors.map_payload(actor=key_posts["handler"], code="410105", period=period, now=at(10))
    assert not PEOPLE_KEYS & {c["key"] for c in handler["figure_choices"]}
    assert all(not PEOPLE_KEYS & set(c["figures"]) for c in handler["children"])
