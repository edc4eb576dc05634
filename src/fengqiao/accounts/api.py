"""Who am I: the signed-in user's roles and jurisdiction."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    role_label: str
    node_code: str
    node_name: str
    department: str | None


class MeOut(Schema):
    username: str
    display_name: str
    phone_masked: str
    primary_role: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        display_name=user.display_name,  # type: ignore[union-attr]
        phone_masked=user.phone_masked,  # type: ignore[union-attr]
        primary_role=user.primary_role,  # type: ignore[union-attr]
        memberships=[
            MembershipOut(
                role=m.role,
                role_label=str(m.get_role_display()),
                node_code=m.node.code,
                node_name=m.node.name,
                department=m.department.name if m.department else None,
            )
            for m in user.active_memberships  # type: ignore[union-attr]
        ],
    )
