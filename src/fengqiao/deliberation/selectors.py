"""Queries of deliberation and the notice board, scoped to the communities the caller serves (as participation
defines it: the community's centre and the workers of its grids); a community neither serves answers like a
missing one. The public pages read through the ``public_*`` functions, opened by the community's QR token."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet

from fengqiao.core.actors import Caller, signed_in
from fengqiao.deliberation import workflow
from fengqiao.deliberation.models import Binding, Meeting, Notice, Option, Progress, Rating, Topic, Vote
from fengqiao.grids.models import GridNode
from fengqiao.participation import selectors as points
from fengqiao.participation.models import Participant
from fengqiao.people.models import Household


def _communities(actor: Caller, *, centre_only: bool = False) -> QuerySet[GridNode]:
    return points.communities_for(actor=actor, centre_only=centre_only)


def _scoped(qs: QuerySet, actor: Caller, *, centre_only: bool = False) -> QuerySet:  # type: ignore[type-arg]
    if not signed_in(actor):
        return qs.none()
    return qs.filter(community_path__in=_communities(actor, centre_only=centre_only).values("path"))


def topics_for(*, actor: Caller) -> QuerySet[Topic]:
    return _scoped(Topic.objects.select_related("community", "decision"), actor)


def topic_for(*, actor: Caller, code: str) -> Topic | None:
    return topics_for(actor=actor).filter(code=code).first()


def meetings_of(topic: Topic) -> QuerySet[Meeting]:
    return topic.meetings.annotate(present=Count("attendance")).order_by("at", "id")


def options_of(topic: Topic) -> QuerySet[Option]:
    return topic.options.order_by("position", "id")


def progress_of(topic: Topic) -> QuerySet[Progress]:
    return topic.progress.order_by("on", "id")


@dataclass(frozen=True)
class Tally:
    rows: list[tuple[Option, int]]
    households: int  # households that voted

    @property
    def leading(self) -> list[Option]:
        top = max((n for _o, n in self.rows), default=0)
        return [o for o, n in self.rows if n == top] if top else []


def tally(topic: Topic) -> Tally:
    """The count per option (households, never who): shown once the vote is closed."""
    counts = Counter(Vote.objects.filter(topic=topic).values_list("option_id", flat=True))
    rows = [(o, counts.get(o.pk, 0)) for o in options_of(topic)]
    return Tally(rows=rows, households=sum(counts.values()))


def rating_summary(topic: Topic) -> tuple[int, float | None]:
    found = Rating.objects.filter(topic=topic).aggregate(n=Count("id"), avg=Avg("score"))
    return int(found["n"] or 0), (round(float(found["avg"]), 1) if found["avg"] is not None else None)


def grid_paths(topic: Topic) -> list[str]:
    return [g.path for g in topic.grids.all()]


def in_grids(topic: Topic, household: Household) -> bool:
    return any(household.grid_path.startswith(p) for p in grid_paths(topic))


def community_grids(community: GridNode) -> QuerySet[GridNode]:
    """The grids a topic of ``community`` may name: the grids and micro-grids below it."""
    return GridNode.objects.filter(path__startswith=community.path).exclude(pk=community.pk).order_by("path")


# Households and their bound participants.


def binding_of(participant: Participant) -> Binding | None:
    return (
        Binding.objects.select_related("household__room__building")
        .filter(participant=participant, ended_at__isnull=True)
        .first()
    )


def may_bind_in(actor: Caller, household: Household) -> bool:
    """The grid staff of the household's grid, or the centre of its community."""
    if not signed_in(actor):
        return False
    return points.is_centre(actor, household.grid_path) or any(
        household.grid_path.startswith(p) for p in points.field_paths(actor)
    )


def households_for(*, actor: Caller, community: GridNode) -> QuerySet[Household]:
    """The households of ``community`` the actor may bind participants to."""
    qs = Household.objects.select_related("room__building", "grid").filter(grid_path__startswith=community.path)
    if not signed_in(actor):
        return qs.none()
    if points.is_centre(actor, community.path):
        return qs.order_by("grid_path", "id")
    from fengqiao.core import scoping

    return qs.filter(scoping.path_q(points.field_paths(actor), "grid_path")).order_by("grid_path", "id")


def bindings_for(*, actor: Caller) -> QuerySet[Binding]:
    return _scoped(Binding.objects.select_related("participant", "household__room__building", "bound_by"), actor)


def participants_of(*, actor: Caller, community: GridNode) -> QuerySet[Participant]:
    return points.participants_for(actor=actor).filter(scheme__community=community)


# The notice board.


def notices_for(*, actor: Caller) -> QuerySet[Notice]:
    return _scoped(Notice.objects.select_related("community", "published_by", "withdrawn_by"), actor)


def public_notices(community: GridNode) -> QuerySet[Notice]:
    return Notice.objects.filter(community=community, withdrawn_at__isnull=True).order_by("-published_at", "-id")


def public_topics(community: GridNode) -> QuerySet[Topic]:
    return Topic.objects.filter(community=community).select_related("decision").order_by("-raised_at", "-id")


def open_topics_count(community: GridNode) -> int:
    return Topic.objects.filter(community=community, state__in=workflow.OPEN_STATES).count()
