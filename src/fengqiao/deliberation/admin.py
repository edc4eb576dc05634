"""Deliberation in the admin: records the pages write (topics, votes, bindings, notices), for the superuser to read;
every change goes through the pages and their services, which audit it."""

from __future__ import annotations

from django.contrib import admin

from fengqiao.core.admin import ReadOnlyAdmin
from fengqiao.deliberation.models import (
    Attendance,
    Binding,
    Meeting,
    Notice,
    Option,
    Progress,
    Rating,
    Topic,
    Vote,
)


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "community", "state", "raised_at", "answer_on", "decided_at", "done_at"]
    list_filter = ["state"]
    search_fields = ["code", "title"]


@admin.register(Option)
class OptionAdmin(ReadOnlyAdmin):
    list_display = ["topic", "label", "position"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["topic", "kind", "at", "place"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "participant", "recorded_at", "points"]


@admin.register(Binding)
class BindingAdmin(ReadOnlyAdmin):
    list_display = ["participant", "household", "bound_at", "ended_at"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["topic", "option", "household", "at"]


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = ["topic", "on", "note"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["topic", "household", "score", "at"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "community", "publisher", "published_at", "withdrawn_at"]
    list_filter = ["category"]
    search_fields = ["title"]
