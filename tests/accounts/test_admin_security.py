"""The Django admin cannot be used to escalate privileges, and the three administrators (三员分立) stay apart."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.core.models import Action
from tests.factories import make_user
from tests.permissions.admin_forms import form_body

PHONE = "13812345678"


@pytest.fixture
def people(tree) -> dict[str, Any]:
    street_a, street_b = tree["410105001"], tree["410105002"]
    grid_a, grid_b = tree["410105001001001"], tree["410105002001001"]
    return {
        "street_a": street_a,
        "grid_a": grid_a,
        "grid_b": grid_b,
        "dept_a": Department.objects.create(node=street_a, name="甲城管", code="A-U", kind="urban"),
        "dept_b": Department.objects.create(node=street_b, name="乙城管", code="B-U", kind="urban"),
        "dispatcher": make_user("disp", password=None, role=Role.DISPATCHER, node=street_a, is_staff=True),
        "sysadmin": make_user("sysadm", password=None, role=Role.ADMIN, node=street_a, is_staff=True),
        "secadmin": make_user("secadm", password=None, role=Role.SECURITY_ADMIN, node=street_a, is_staff=True),
        "auditor": make_user("audadm", password=None, role=Role.AUDIT_ADMIN, node=street_a, is_staff=True),
        "worker_a": make_user("wa", password=None, role=Role.GRID_WORKER, node=grid_a, phone=PHONE),
        "worker_b": make_user("wb", password=None, role=Role.GRID_WORKER, node=grid_b),
        "root": make_user("root", password=None, is_superuser=True, is_staff=True),
    }


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(obj: Any) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def refreshed(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- 1. privilege fields are the superuser's alone -------------------------------------------------------------------


def test_a_dispatcher_cannot_make_themself_superuser_through_the_admin(people):
    me = people["dispatcher"]
    client = as_user(me)
    body = form_body(as_user(people["root"]).get(change_url(me)).content.decode())
    body.update(is_superuser="on", is_staff="on", groups=[str(Group.objects.create(name="g").pk)])
    client.post(change_url(me), body)
    me = refreshed(me)
    assert not me.is_superuser
    assert not me.groups.exists()


@pytest.mark.parametrize("field", ["is_superuser", "is_staff", "groups", "user_permissions"])
def test_the_privilege_fields_are_absent_from_the_system_administrators_user_form(people, field):
    html = as_user(people["sysadmin"]).get(change_url(people["worker_a"])).content.decode()
    assert 'name="username"' in html
    assert f'name="{field}"' not in html


@pytest.mark.parametrize("field", ["is_superuser", "is_staff", "groups", "user_permissions"])
def test_the_superuser_still_sees_the_privilege_fields(people, field):
    html = as_user(people["root"]).get(change_url(people["worker_a"])).content.decode()
    assert f'name="{field}"' in html


def test_a_forged_post_with_privilege_fields_changes_nothing_but_the_allowed_fields(people):
    target = people["worker_a"]
    body = form_body(as_user(people["root"]).get(change_url(target)).content.decode())
    perm = Permission.objects.get(codename="change_user")
    body.update(
        full_name="新名字",
        is_superuser="on",
        is_staff="on",
        groups=[str(Group.objects.create(name="g").pk)],
        user_permissions=[str(perm.pk)],
    )
    response = as_user(people["sysadmin"]).post(change_url(target), body)
    assert response.status_code == 302
    target = refreshed(target)
    assert target.full_name == "新名字"
    assert (target.is_superuser, target.is_staff) == (False, False)
    assert not target.groups.exists() and not target.user_permissions.exists()


def test_a_new_account_made_by_the_system_administrator_has_no_privileges(people):
    body = {
        "username": "newbie",
        "password1": "Correct-horse-9-battery",
        "password2": "Correct-horse-9-battery",
        "usable_password": "true",
        "is_superuser": "on",
        "is_staff": "on",
    }
    response = as_user(people["sysadmin"]).post("/admin/accounts/user/add/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(username="newbie")
    assert (made.is_superuser, made.is_staff) == (False, False)
    assert Action.objects.filter(verb="user_create", object_id=str(made.pk)).exists()


# --- 1. users and memberships only inside the jurisdiction -----------------------------------------------------------


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


@pytest.mark.parametrize("suffix", ["change/", "password/", "history/"])
def test_a_user_outside_the_jurisdiction_answers_like_a_missing_one(people, suffix):
    client = as_user(people["sysadmin"])
    foreign = client.get(f"/admin/accounts/user/{people['worker_b'].pk}/{suffix}")
    missing = client.get(f"/admin/accounts/user/987654/{suffix}")
    assert foreign.status_code in (302, 404)
    assert _answer(foreign) == _answer(missing)


def test_the_system_administrator_cannot_reset_the_superusers_password(people):
    root = people["root"]
    body = {"password1": "Take-over-9-battery", "password2": "Take-over-9-battery", "usable_password": "true"}
    response = as_user(people["sysadmin"]).post(f"/admin/accounts/user/{root.pk}/password/", body)
    assert response.status_code == 404
    assert not refreshed(root).check_password("Take-over-9-battery")


def test_the_system_administrator_cannot_take_over_another_administrators_account(people):
    for other in ("secadmin", "auditor"):
        response = as_user(people["sysadmin"]).get(f"/admin/accounts/user/{people[other].pk}/password/")
        assert response.status_code == 404


def test_a_user_who_also_serves_beyond_the_editors_jurisdiction_is_out_of_reach(people, tree):
    wide = people["worker_a"]
    Membership.objects.create(user=wide, node=tree["410105"], role=Role.DISPATCHER)
    client = as_user(people["sysadmin"])
    assert _answer(client.get(change_url(wide))) == _answer(client.get("/admin/accounts/user/987654/change/"))


def test_a_password_reset_through_the_admin_is_audited_without_the_password(people):
    target = people["worker_a"]
    secret = "Reset-horse-9-battery"
    body = {"password1": secret, "password2": secret, "usable_password": "true"}
    response = as_user(people["sysadmin"]).post(f"/admin/accounts/user/{target.pk}/password/", body)
    assert response.status_code == 302
    assert refreshed(target).check_password(secret)
    row = Action.objects.get(verb="password_reset", object_id=str(target.pk))
    assert row.actor == people["sysadmin"]
    assert row.grid_path == people["grid_a"].path
    dumped = f"{row.note} {row.data} {row.object_repr}"
    assert secret not in dumped and "pbkdf2" not in dumped and "argon2" not in dumped


# --- 1. phones masked ------------------------------------------------------------------------------------------------


def test_the_user_list_and_form_show_the_phone_masked(people):
    client = as_user(people["sysadmin"])
    for url in ("/admin/accounts/user/", change_url(people["worker_a"])):
        html = client.get(url).content.decode()
        assert PHONE not in html, url
        assert "138****5678" in html, url


def test_a_new_phone_is_typed_in_and_a_blank_one_keeps_the_old(people):
    target = people["worker_a"]
    client = as_user(people["sysadmin"])
    body = form_body(client.get(change_url(target)).content.decode())
    assert body.get("new_phone", "") == ""
    assert client.post(change_url(target), body).status_code == 302
    assert refreshed(target).phone == PHONE
    body["new_phone"] = "13900001111"
    assert client.post(change_url(target), body).status_code == 302
    assert refreshed(target).phone == "13900001111"


# --- 1 and 2. memberships: only the security administrator grants, inside the jurisdiction ---------------------------

MEMBERSHIP_ADD = "/admin/accounts/membership/add/"


def grant(people: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {
        "user": str(people["worker_a"].pk),
        "node": str(people["grid_a"].pk),
        "role": Role.GRID_LEADER,
        "department": str(people["dept_a"].pk),
        "active": "on",
    }
    body.update({k: str(v) for k, v in over.items()})
    return body


@pytest.mark.parametrize("who", ["dispatcher", "sysadmin", "auditor"])
def test_only_the_security_administrator_grants_roles(people, who):
    response = as_user(people[who]).post(MEMBERSHIP_ADD, grant(people))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=people["worker_a"], role=Role.GRID_LEADER).exists()


def test_the_security_administrator_grants_a_role_inside_the_jurisdiction_and_it_is_audited(people):
    response = as_user(people["secadmin"]).post(MEMBERSHIP_ADD, grant(people))
    assert response.status_code == 302
    made = Membership.objects.get(user=people["worker_a"], role=Role.GRID_LEADER)
    row = Action.objects.get(verb="membership_grant", object_id=str(made.pk))
    assert row.actor == people["secadmin"] and row.data["role"] == Role.GRID_LEADER


def test_the_membership_form_offers_no_raw_ids(people):
    html = as_user(people["secadmin"]).get(MEMBERSHIP_ADD).content.decode()
    assert "vForeignKeyRawIdAdminField" not in html
    assert "admin-autocomplete" in html


@pytest.mark.parametrize(
    "field,forged",
    [("node", "grid_b"), ("department", "dept_b"), ("user", "worker_b")],
)
def test_a_forged_out_of_jurisdiction_id_is_refused_with_a_form_error(people, field, forged):
    response = as_user(people["secadmin"]).post(MEMBERSHIP_ADD, grant(people, **{field: people[forged].pk}))
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Membership.objects.filter(role=Role.GRID_LEADER).exists()


def test_the_autocomplete_offers_only_grids_of_the_jurisdiction(people):
    url = "/admin/autocomplete/?app_label=accounts&model_name=membership&field_name=node&term=网格"
    found = {r["text"].split("（")[0] for r in as_user(people["secadmin"]).get(url).json()["results"]}
    assert "甲一网格" in found and "乙一网格" not in found


def test_nobody_grants_themself_a_role(people):
    response = as_user(people["secadmin"]).post(MEMBERSHIP_ADD, grant(people, user=people["secadmin"].pk))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Membership.objects.filter(user=people["secadmin"], role=Role.GRID_LEADER).exists()


def test_a_user_is_told_they_cannot_change_their_own_roles():
    from fengqiao.accounts.admin import MembershipForm

    class Me:
        pk = 7
        is_superuser = False

    form = MembershipForm()
    form.actor = Me()
    form.cleaned_data = {"user": Me(), "role": Role.GRID_LEADER}
    with pytest.raises(ValidationError, match="不能为自己授予或修改角色"):
        form.clean()


def test_nobody_edits_their_own_membership(people):
    own = Membership.objects.get(user=people["secadmin"])
    client = as_user(people["secadmin"])
    body = {"node": str(people["street_a"].pk), "role": Role.SECURITY_ADMIN, "active": "on"}
    body["node"] = str(people["street_a"].parent_id)
    assert client.post(change_url(own), body).status_code == 403
    assert client.post(f"/admin/accounts/membership/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Membership.objects.get(pk=own.pk).node == people["street_a"]


def test_the_security_administrator_cannot_appoint_another_security_administrator(people):
    response = as_user(people["secadmin"]).post(MEMBERSHIP_ADD, grant(people, role=Role.SECURITY_ADMIN))
    assert response.status_code == 200
    assert not Membership.objects.filter(user=people["worker_a"], role=Role.SECURITY_ADMIN).exists()


def test_no_one_person_holds_two_of_the_three_administrator_roles(people):
    post = Membership.objects.get(user=people["worker_a"])
    Membership.objects.create(user=people["worker_a"], node=people["grid_a"], role=Role.AUDIT_ADMIN)
    body = {"node": str(post.node_id), "role": Role.ADMIN, "active": "on"}
    response = as_user(people["secadmin"]).post(change_url(post), body)
    assert response.status_code == 200
    assert "须由不同的人担任" in response.content.decode()
    assert Membership.objects.get(pk=post.pk).role == Role.GRID_WORKER


def test_even_the_superuser_keeps_the_three_administrators_apart(people):
    body = grant(people, user=people["auditor"].pk, role=Role.ADMIN, department="")
    response = as_user(people["root"]).post(MEMBERSHIP_ADD, body)
    assert response.status_code == 200
    assert "须由不同的人担任" in response.content.decode()


def test_a_membership_out_of_the_jurisdiction_answers_like_a_missing_one(people):
    foreign = Membership.objects.get(user=people["worker_b"])
    client = as_user(people["secadmin"])
    for suffix in ("change/", "delete/"):
        got = client.get(f"/admin/accounts/membership/{foreign.pk}/{suffix}")
        missing = client.get(f"/admin/accounts/membership/987654/{suffix}")
        assert got.status_code == 302
        assert _answer(got) == _answer(missing)


def test_revoking_a_role_is_audited(people):
    post = Membership.objects.get(user=people["worker_a"])
    response = as_user(people["secadmin"]).post(f"/admin/accounts/membership/{post.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=post.pk).exists()
    assert Action.objects.filter(verb="membership_revoke", object_id=str(post.pk)).exists()


# --- 2. the audit trail is the audit administrator's alone ----------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "sysadmin", "secadmin"])
def test_only_the_audit_administrator_reads_the_audit_trail(people, who):
    assert as_user(people[who]).get("/admin/core/action/").status_code == 403
    assert as_user(people["auditor"]).get("/admin/core/action/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/accounts/membership/", "/admin/grids/gridnode/", "/admin/events/event/"]
)
def test_the_audit_administrator_can_do_nothing_else(people, url):
    assert as_user(people["auditor"]).get(url).status_code == 403


def test_the_security_administrator_does_not_edit_business_data_or_accounts(people):
    client = as_user(people["secadmin"])
    assert client.get("/admin/events/event/").status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.post(change_url(people["worker_a"]), {"username": "x"}).status_code == 403


def test_the_audit_trail_cannot_be_edited_even_by_the_auditor(people):
    row = Action.objects.create(verb="x", content_type_id=1, object_id="1", grid_path=people["grid_a"].path)
    client = as_user(people["auditor"])
    assert client.get(change_url(row)).status_code == 200
    assert client.post(change_url(row), {"verb": "y"}).status_code == 403
    assert client.post(f"/admin/core/action/{row.pk}/delete/", {"post": "yes"}).status_code == 403


# --- 2. the superuser is for installation: every use is audited ------------------------------------------------------


def test_every_admin_request_of_the_superuser_is_audited(people):
    client = as_user(people["root"])
    before = Action.objects.filter(verb="superuser_use").count()
    client.get("/admin/")
    client.get("/admin/accounts/user/?q=13812345678")
    rows = list(Action.objects.filter(verb="superuser_use").order_by("id"))[before:]
    assert [r.data["path"] for r in rows] == ["/admin/", "/admin/accounts/user/"]
    assert all(r.actor == people["root"] for r in rows)
    assert "13812345678" not in str([r.data for r in rows])


def test_other_administrators_admin_requests_are_not_flagged_as_superuser_use(people):
    as_user(people["sysadmin"]).get("/admin/")
    assert not Action.objects.filter(verb="superuser_use").exists()


@pytest.mark.django_db
def test_the_security_administrator_resets_a_lost_second_factor_but_not_their_own(client, tree):
    from django.utils import timezone

    sec = make_user("sec2", role=Role.SECURITY_ADMIN, node=tree["410105"], is_staff=True, password=None)
    sec.totp_secret, sec.totp_confirmed_at = "JBSWY3DPEHPK3PXP", timezone.now()
    sec.save()
    leader = make_user("lead2", role=Role.LEADER, node=tree["410105001"], password=None)
    leader.totp_secret, leader.totp_confirmed_at = "JBSWY3DPEHPK3PXP", timezone.now()
    leader.save()
    sysadmin = make_user("sys2", role=Role.ADMIN, node=tree["410105"], is_staff=True, password=None)

    body = {"action": "reset_second_factor", "_selected_action": [leader.pk, sec.pk]}
    client.force_login(sysadmin)  # one step too low: accounts, not security
    client.post("/admin/accounts/user/", body)
    leader.refresh_from_db()
    assert leader.totp_confirmed_at is not None

    client.force_login(sec)
    client.post("/admin/accounts/user/", body)
    leader.refresh_from_db()
    sec.refresh_from_db()
    assert leader.totp_secret == "" and leader.totp_confirmed_at is None
    assert sec.totp_confirmed_at is not None  # nobody lifts their own second factor
    assert Action.objects.filter(verb="totp_reset", object_id=str(leader.pk), actor=sec).exists()
