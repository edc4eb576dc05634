"""The world the permission matrix runs in: two streets, one user per role in street A, and one object of each kind
inside street A and outside it (street B)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.events import services as events
from fengqiao.events.models import Category, Extension, Source
from tests.factories import build_tree, make_user

PASSWORD = "correct-horse-9"
ROLES = ["anonymous", "worker", "gridleader", "informant", "handler", "mediator", "dispatcher", "leader", "admin"]


@dataclass
class World:
    tree: dict[str, Any]
    users: dict[str, User | None] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> {"in": obj, "out": obj}

    def obj(self, kind: str, side: str) -> Any:
        return self.objects[kind][side]


def build_world() -> World:
    from fengqiao.dispatch import services as dispatch
    from fengqiao.disputes import services as disputes
    from fengqiao.disputes.catalogue import load_catalogue
    from fengqiao.disputes.models import DisputeType, Organisation, Party
    from fengqiao.events.catalogue import load_catalogue as load_events

    load_events()
    load_catalogue()
    tree = build_tree()
    w = World(tree=tree)
    street_a, street_b = tree["410105001"], tree["410105002"]
    grid_a, grid_b = tree["410105001001001"], tree["410105002001001"]
    urban_a = Department.objects.create(node=street_a, name="甲街道城管", code="A-URB", kind="urban")
    urban_b = Department.objects.create(node=street_b, name="乙街道城管", code="B-URB", kind="urban")
    w.users["anonymous"] = None
    w.users["worker"] = make_user("p_worker", password=None, role=Role.GRID_WORKER, node=grid_a)
    w.users["gridleader"] = make_user("p_gridleader", password=None, role=Role.GRID_LEADER, node=grid_a)
    w.users["informant"] = make_user("p_informant", password=None, role=Role.INFORMANT, node=tree["410105001001001001"])
    handler = make_user("p_handler", password=None)
    Membership.objects.create(user=handler, node=street_a, role=Role.HANDLER, department=urban_a)
    w.users["handler"] = handler
    w.users["mediator"] = make_user("p_mediator", password=None, role=Role.MEDIATOR, node=street_a)
    w.users["dispatcher"] = make_user("p_dispatcher", password=None, role=Role.DISPATCHER, node=street_a, is_staff=True)
    w.users["leader"] = make_user("p_leader", password=None, role=Role.LEADER, node=street_a, is_staff=True)
    w.users["admin"] = make_user("p_admin", password=None, is_superuser=True, is_staff=True)
    dispatcher_b = make_user("p_dispatcher_b", password=None, role=Role.DISPATCHER, node=street_b)

    def event(grid: Any, dept: Any, who: Any) -> Any:
        e = events.report_event(
            actor=None, source=Source.RESIDENT, description="路灯不亮", grid=grid, reporter_phone="13800000000"
        )
        events.register_event(actor=who, event=e, category=Category.objects.get(code="0404"))
        events.route_event(actor=who, event=e, department=dept)
        return e

    w.objects["event"] = {
        "in": event(grid_a, urban_a, w.users["dispatcher"]),
        "out": event(grid_b, urban_b, dispatcher_b),
    }
    ev_in, ev_out = w.objects["event"]["in"], w.objects["event"]["out"]
    w.objects["extension"] = {
        side: Extension.objects.create(event=e, requested_by=w.users["admin"], hours=5, reason="x")
        for side, e in (("in", ev_in), ("out", ev_out))
    }
    from fengqiao.events import whistles

    w.objects["summons"] = {
        "in": whistles.blow_whistle(actor=w.users["dispatcher"], event=ev_in, departments=[urban_a])[0],
        "out": whistles.blow_whistle(actor=dispatcher_b, event=ev_out, departments=[urban_b])[0],
    }
    neighbours = DisputeType.objects.get(code="neighbours")
    Organisation.objects.create(name="甲社区调委会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"])

    def dispute(community: Any) -> Any:
        return disputes.submit_dispute(
            actor=None,
            source="qr",
            type=neighbours,
            summary="楼上邻居装修噪音扰民，多次沟通无果。",
            parties=[
                disputes.PartyData(role=Party.Role.APPLICANT, name="张三", phone="13800138000"),
                disputes.PartyData(role=Party.Role.RESPONDENT, name="李四", phone="13912345678"),
            ],
            grid=community,
        )

    w.objects["dispute"] = {"in": dispute(tree["410105001001"]), "out": dispute(tree["410105002001"])}
    w.objects["instruction"] = {
        "in": dispatch.send_instruction(actor=w.users["dispatcher"], title="防汛检查", nodes=[street_a]),
        "out": dispatch.send_instruction(actor=dispatcher_b, title="防汛检查", nodes=[street_b]),
    }
    w.objects["grid"] = {"in": grid_a, "out": grid_b}
    w.objects["community"] = {"in": tree["410105001001"], "out": tree["410105002001"]}
    w.objects["evidence"] = {side: _photo_on(w.obj("dispute", side)) for side in ("in", "out")}
    w.objects["event_photo"] = {side: _photo_on(w.obj("event", side)) for side in ("in", "out")}
    worker_b = make_user("p_worker_b", password=None, role=Role.GRID_WORKER, node=grid_b)
    _base_data(w, {"in": (grid_a, w.users["worker"]), "out": (grid_b, worker_b)})
    _party_links(w)
    _petitions(w, {"in": (grid_a, street_a, w.users["dispatcher"]), "out": (grid_b, street_b, dispatcher_b)})
    _oversight(w, {"in": (street_a, urban_a, w.users["dispatcher"]), "out": (street_b, urban_b, dispatcher_b)})
    _participation(w, {"in": w.users["dispatcher"], "out": dispatcher_b})
    _deliberation(w, {"in": w.users["dispatcher"], "out": dispatcher_b})
    return w


def _petitions(w: World, sides: dict[str, tuple[Any, Any, Any]]) -> None:
    """A petition in each street, registered by its centre, and a joint meeting of the street with one order."""
    from django.utils import timezone

    from fengqiao.petitions import services as petitions

    for side, (grid, street, centre) in sides.items():
        w.objects.setdefault("petition", {})[side] = petitions.register_petition(
            actor=centre,
            grid=grid,
            data=petitions.PetitionData(
                form="visit",
                name="王秀英",
                category="land",
                matter="征地补偿款未发放",
                received_on=timezone.localdate(),
            ),
        )
        office = Department.objects.create(node=street, name=f"{street.name}住建办", code=f"{street.code}-ZJ")
        meeting = petitions.hold_meeting(
            actor=centre,
            node=street,
            title="信访联席会议",
            held_on=timezone.localdate(),
            chair=centre,
            attendees=[],
            items=[petitions.ItemData(petition=w.obj("petition", side), decision="限期化解")],
            orders=[petitions.OrderData(department=office, task="答复信访人", due_on=timezone.localdate())],
        )
        w.objects.setdefault("petition_meeting", {})[side] = meeting
        w.objects.setdefault("petition_order", {})[side] = meeting.orders.get()
        leader = w.users["leader"] if side == "in" else make_user(f"p_leader_{side}", password=None)
        if side != "in":
            Membership.objects.create(user=leader, node=street, role=Role.LEADER)
        w.objects.setdefault("leader_case", {})[side] = petitions.assign_leader_case(
            actor=centre,
            leader=leader,
            plan="约谈信访人，联合化解",
            due_on=timezone.localdate(),
            petition=w.obj("petition", side),
            milestones=[petitions.MilestoneData(title="首次约谈", due_on=timezone.localdate())],
        )


def _oversight(w: World, sides: dict[str, tuple[Any, Any, Any]]) -> None:
    """A supervision order to each street's urban department and a 稳评 it decides, with one open condition."""
    from django.utils import timezone

    from fengqiao.petitions import risk, supervision

    for side, (street, department, centre) in sides.items():
        person = Membership.objects.filter(department=department).first()
        if person is None:  # street B's department has no handler in the world: give it one
            Membership.objects.create(
                user=make_user(f"p_handler_{side}", password=None),
                node=street,
                role=Role.HANDLER,
                department=department,
            )
            person = Membership.objects.get(department=department)
        w.objects.setdefault("supervision_order", {})[side] = supervision.issue_order(
            actor=centre, finding="占道经营整治不彻底", person=person.user, department=department
        )
        assessment = risk.register_assessment(actor=centre, node=street, matter="农贸市场搬迁", department=department)
        risk.add_condition(
            actor=centre, assessment=assessment, measure="走访商户", owner=centre, due_on=timezone.localdate()
        )
        w.objects.setdefault("risk_assessment", {})[side] = assessment


def _base_data(w: World, sides: dict[str, tuple[Any, Any]]) -> None:
    """A building, room, resident, place, organisation and a letting with one tenant's form in each street, made by
    the grid's own worker through the same commands the pages use."""
    from fengqiao.core.validators import id_check_digit
    from fengqiao.people import rentals, services
    from fengqiao.people.models import Organisation, Place, Residence

    def id_number(serial: int) -> str:
        first = f"41010519850307{serial:03d}"
        return first + id_check_digit(first)

    for n, (side, (grid, worker)) in enumerate(sides.items()):
        building = services.save_building(actor=worker, grid=grid, name=f"{n}号楼")
        room = services.save_room(actor=worker, building=building, unit="1单元", number="101")
        person = services.register_person(
            actor=worker,
            grid=grid,
            name="赵居民",
            id_number=id_number(10 + n),
            phone="13800000010",
            room=room,
            relation=Residence.Relation.RESIDENT,
        ).person
        let_room = services.save_room(actor=worker, building=building, unit="1单元", number="102")
        rental = rentals.register_rental(
            actor=worker,
            room=let_room,
            landlord_name="王房东",
            landlord_id_number=id_number(20 + n),
            landlord_phone="13800000020",
            max_tenants=4,
        )
        tenancy, secret = rentals.register_tenant(
            room_code=let_room.code,
            data=rentals.TenantForm(
                name="刘租客", id_number=id_number(30 + n), phone="13900000030", move_in=date.today(), consent=True
            ),
        )
        w.objects.setdefault("building", {})[side] = building
        w.objects.setdefault("room", {})[side] = room
        w.objects.setdefault("person", {})[side] = person
        w.objects.setdefault("residence", {})[side] = person.residences.get()
        w.objects.setdefault("let_room", {})[side] = let_room
        w.objects.setdefault("rental", {})[side] = rental
        w.objects.setdefault("tenancy", {})[side] = tenancy
        w.objects.setdefault("tenant_secret", {})[side] = secret
        w.objects.setdefault("place", {})[side] = services.save_place(
            actor=worker, grid=grid, kind=Place.Kind.values[0], name="消防栓"
        )
        w.objects.setdefault("organisation", {})[side] = services.save_organisation(
            actor=worker, grid=grid, kind=Organisation.Kind.values[0], name="甲乙商店"
        )


def _party_links(w: World) -> None:
    """A live private link for the applicant of each side's case (the token is what the SMS carries)."""
    from datetime import timedelta

    from django.utils import timezone

    from fengqiao.disputes.models import Party, PartyLink
    from fengqiao.disputes.online import _token_index

    for side in ("in", "out"):
        party = w.obj("dispute", side).parties.get(role=Party.Role.APPLICANT)
        token = f"matrix-party-link-{side}"
        PartyLink.objects.create(
            party=party,
            token_index=_token_index(token),
            created_by=w.users["admin"],
            expires_at=timezone.now() + timedelta(days=7),
        )
        w.objects.setdefault("party", {})[side] = party
        w.objects.setdefault("party_token", {})[side] = token


def _photo_on(target: Any) -> Any:
    """An attachment row on ``target``; every world shares one tiny stored image, written once."""
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from fengqiao.core.models import Attachment

    name = "attachments/permission-matrix/photo.png"
    if not default_storage.exists(name):
        out = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
        default_storage.save(name, ContentFile(out.getvalue()))
    return Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        file=name,
        thumbnail=name,
        sha256="0" * 64,
    )


def _participation(w: World, centres: dict[str, Any]) -> None:
    """Each community's points scheme with a rule, a resident (and their personal code) and one award."""
    import datetime as dt

    from django.utils import timezone

    from fengqiao.participation import services as points

    for side, centre in centres.items():
        scheme = points.open_scheme(actor=centre, community=w.obj("community", side))
        rule = points.add_rule(
            actor=centre, scheme=scheme, label="参与治安巡逻", points=10, confirmer="grid", period="day", limit=5
        )
        participant, code = points.register_participant(
            scheme=scheme,
            data=points.ParticipantForm(
                name="周志愿", phone="13700000001", kind="resident", party_unit="", consent=True
            ),
        )
        w.objects.setdefault("points_scheme", {})[side] = scheme
        w.objects.setdefault("points_participant", {})[side] = participant
        w.objects.setdefault("points_code", {})[side] = code
        w.objects.setdefault("points_entry", {})[side] = points.award(actor=centre, participant=participant, rule=rule)
        # A patrol slot tomorrow in the community's first grid (grid A inside), and a volunteer team.
        grid = w.obj("grid", side)
        starts = timezone.now() + dt.timedelta(days=1)
        w.objects.setdefault("points_task", {})[side] = points.post_task(
            actor=centre,
            scheme=scheme,
            data=points.TaskForm(
                kind="patrol",
                title="夜间巡逻",
                place="",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                places=10,
                grid=grid,
                rule=rule,
            ),
        )
        w.objects.setdefault("points_team", {})[side] = points.add_team(
            actor=centre, scheme=scheme, name="红袖章巡逻队", kind="patrol"
        )


def _deliberation(w: World, centres: dict[str, Any]) -> None:
    """In each community a topic about its grid taken through every step by its centre and its points resident (bound
    to a household of the grid), and a notice on its board."""
    from django.utils import timezone

    from fengqiao.deliberation import services as deliberation
    from fengqiao.people.models import Building, Household, Room

    for side, centre in centres.items():
        community, grid, resident = w.obj("community", side), w.obj("grid", side), w.obj("points_participant", side)
        building = Building.objects.create(grid=grid, code=f"YS-{side}", name="议事楼")
        room = Room.objects.create(grid=grid, building=building, code=f"YS-{side}-101", number="101")
        deliberation.bind(actor=centre, participant=resident, household=Household.objects.create(grid=grid, room=room))
        topic = deliberation.raise_topic(
            actor=centre, community=community, title="加装电梯", body="3号楼加装电梯", grids=[grid]
        )
        deliberation.accept(actor=centre, topic=topic)
        meeting = deliberation.add_meeting(
            actor=centre, topic=topic, kind="offline", at=timezone.now(), place="阳光议事厅"
        )
        deliberation.record_attendance(actor=centre, meeting=meeting, participant=resident)
        deliberation.set_options(actor=centre, topic=topic, labels=["同意", "不同意"])
        deliberation.open_vote(actor=centre, topic=topic)
        deliberation.vote(participant=resident, topic=topic, option=topic.options.first())
        deliberation.decide(actor=centre, topic=topic, text="同意加装")
        deliberation.start(actor=centre, topic=topic, carry_on=timezone.localdate())
        deliberation.add_progress(actor=centre, topic=topic, note="施工队进场")
        deliberation.finish(actor=centre, topic=topic)
        deliberation.rate(participant=resident, topic=topic, score=5)
        w.objects.setdefault("topic", {})[side] = topic
        w.objects.setdefault("notice", {})[side] = deliberation.publish_notice(
            actor=centre, community=community, category="finance", title="财务收支", body="收入 12 万元"
        )
