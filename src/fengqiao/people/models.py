"""Base data of the grid (人地事物组织): buildings and rooms (地), households and persons (人) and where they live,
places and facilities (物), organisations (组织); key persons (重点人员) and their visits; rentals, tenants who
register by the unit's QR code, and the door credentials a gate controller checks.

Everything lives in its finest grid (``InGrid``) so one path prefix scopes it. Names, ID numbers, phones and home
addresses of persons are encrypted (``core.pii``) and found by keyed hash; a person is one row across grids, found
by the hash of their ID number, so a move keeps their history. Key-person records are need-to-know: they are read
only through ``people.selectors`` with the key-person permission, and every unmasked view is logged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii
from fengqiao.core.models import InGrid


def _path_field() -> models.CharField[str, str]:
    """``grid_path`` of the large base-data tables (persons, rooms, buildings): indexed once, by
    :func:`_path_index`, instead of :class:`InGrid`'s plain and ``_like`` twins; every write pays per index."""
    return models.CharField(_("网格路径"), max_length=255, editable=False)


def _path_index(name: str) -> models.Index:
    """The one path index: the pattern operator class serves scoping's prefix ``LIKE`` in any collation, and
    equality; nothing orders these tables by path alone over more than a page of one grid."""
    return models.Index(fields=["grid_path"], name=name, opclasses=["varchar_pattern_ops"])


class Building(InGrid):
    """楼栋 / 自建房: a building in a (micro-)grid; its rooms carry the households."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("住宅楼")
        SELF_BUILT = "self_built", _("自建房")
        COMMERCIAL = "commercial", _("商业楼宇")
        MIXED = "mixed", _("商住混合")
        PUBLIC = "public", _("公共建筑")

    grid_path = _path_field()
    code = models.CharField(_("楼栋编码"), max_length=40)  # unique below, without a _like twin
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.RESIDENTIAL)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    estate = models.CharField(_("小区"), max_length=100, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["grid_path", "name"]
        indexes = [_path_index("people_building_path")]
        constraints = [models.UniqueConstraint(fields=["code"], name="people_building_code_unique")]

    def __str__(self) -> str:
        return self.name


class Room(InGrid):
    """房屋: one dwelling or shop unit in a building (单元、室). Its ``code`` is printed on the door QR card."""

    class Use(models.TextChoices):
        OWNER = "owner", _("自住")
        RENTED = "rented", _("出租")
        VACANT = "vacant", _("空置")
        BUSINESS = "business", _("经营")

    grid_path = _path_field()
    # No index of its own: the unique (building, unit, number) leads with it.
    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="rooms", db_index=False
    )
    code = models.CharField(_("房屋编码"), max_length=40)  # unique below, without a _like twin
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    number = models.CharField(_("室号"), max_length=20)
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("用途"), max_length=10, choices=Use.choices, default=Use.OWNER)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building", "unit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "number"], name="people_room_unique_in_building"),
            models.UniqueConstraint(fields=["code"], name="people_room_code_unique"),
        ]
        indexes = [_path_index("people_room_path")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.unit}{self.number}"


class Person(InGrid):
    """人: one natural person, once, whatever grid they live in now (found by the keyed hash of their ID number)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("户籍人口")
        RESIDENT = "resident", _("常住人口")
        FLOATING = "floating", _("流动人口")
        OVERSEAS = "overseas", _("境外人员")

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")
        UNKNOWN = "", _("未知")

    grid_path = _path_field()
    name = pii.EncryptedTextField(_("姓名"))
    id_number = pii.EncryptedTextField(_("身份证号"), blank=True, index_field="id_index")
    id_index = models.CharField(max_length=64, blank=True, editable=False)
    phone = pii.EncryptedTextField(_("联系电话"), blank=True, index_field="phone_index")
    phone_index = models.CharField(max_length=64, blank=True, editable=False)  # indexed below, without a _like twin
    address = pii.EncryptedTextField(_("户籍地址"), blank=True)
    kind = models.CharField(_("人口类别"), max_length=10, choices=Kind.choices, default=Kind.RESIDENT)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Erased at the person's request (PIPL art. 47): identifiers blanked, name replaced, the row kept for the cases.
    erased_at = models.DateTimeField(_("删除（匿名化）时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["grid_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_index"], condition=~Q(id_index=""), name="people_person_one_per_id")
        ]
        indexes = [_path_index("people_person_path"), models.Index(fields=["phone_index"], name="people_person_phone")]

    def __str__(self) -> str:
        return self.name_masked

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_index = pii.blind_index(self.id_number) if self.id_number else ""
        self.phone_index = pii.blind_index(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def name_masked(self) -> str:
        return (self.name[:1] + "*" * (len(self.name) - 1)) if len(self.name) > 1 else self.name

    @property
    def id_masked(self) -> str:
        return pii.mask(self.id_number)

    @property
    def phone_masked(self) -> str:
        return pii.mask(self.phone)


class Household(InGrid):
    """户: the people who live together in a room, with its head."""

    room = models.ForeignKey(Room, verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="households")
    head = models.ForeignKey(
        Person, verbose_name=_("户主"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return str(self.room)


class Residence(models.Model):
    """Who lives in or owns which room, and since when; a move ends one row and starts another."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("产权人")
        RESIDENT = "resident", _("居住")
        TENANT = "tenant", _("租住")
        FAMILY = "family", _("家庭成员")

    # No single-column indexes: (person, until) and (room, until) lead with them.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences", db_index=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="residences", db_index=False)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    since = models.DateField(_("起始日期"), default=timezone.localdate)
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("居住关系")
        verbose_name_plural = _("居住关系")
        indexes = [models.Index(fields=["room", "until"]), models.Index(fields=["person", "until"])]

    def __str__(self) -> str:
        return f"{self.person} {self.room}"


class Place(InGrid):
    """物: a place or facility on the map. ``layer`` sorts it into the seeds' three maps (hazards, protection,
    services)."""

    class Kind(models.TextChoices):
        HYDRANT = "hydrant", _("消防栓")
        EXTINGUISHER = "extinguisher", _("微型消防站")
        AED = "aed", _("AED 急救设备")
        SHELTER = "shelter", _("应急避难场所")
        CAMERA = "camera", _("视频监控")
        GAS_STATION = "gas_station", _("加油加气站")
        HAZMAT = "hazmat", _("危化品场所")
        FLOOD = "flood", _("易涝点")
        SHOP = "shop", _("九小场所")
        OTHER = "other", _("其他")

    class Layer(models.TextChoices):
        HAZARD = "hazard", _("风险隐患")
        PROTECTION = "protection", _("防护设施")
        SERVICE = "service", _("公共服务")

    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    layer = models.CharField(_("图层"), max_length=10, choices=Layer.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    checked_at = models.DateTimeField(_("最近检查"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("场所设施")
        verbose_name_plural = _("场所设施")
        ordering = ["grid_path", "layer", "name"]

    def __str__(self) -> str:
        return self.name


class Organisation(InGrid):
    """组织: an enterprise, school, shop, social organisation or property company, with its contact person."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医疗机构")
        SHOP = "shop", _("个体工商户")
        SOCIAL = "social", _("社会组织")
        PROPERTY = "property", _("物业服务企业")
        PUBLIC = "public", _("机关事业单位")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=150)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = pii.EncryptedTextField(_("联系人"), blank=True)
    contact_phone = pii.EncryptedTextField(_("联系电话"), blank=True, index_field="contact_phone_index")
    contact_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["grid_path", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.contact_phone_index = pii.blind_index(self.contact_phone) if self.contact_phone else ""
        super().save(*args, **kwargs)


class Risk(models.TextChoices):
    RED = "red", _("红色（高风险）")
    YELLOW = "yellow", _("黄色（中风险）")
    BLUE = "blue", _("蓝色（低风险）")


class KeyCategory(models.Model):
    """A kind of key person a county configures, with how often each risk level is visited and how long records
    are kept once the person leaves the category."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    red_days = models.PositiveSmallIntegerField(_("红色走访周期（天）"), default=7)
    yellow_days = models.PositiveSmallIntegerField(_("黄色走访周期（天）"), default=30)
    blue_days = models.PositiveSmallIntegerField(_("蓝色走访周期（天）"), default=90)
    retention_days = models.PositiveIntegerField(_("解除后保留期限（天）"), default=3 * 365)
    purpose = models.CharField(_("处理目的"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("重点人员类别")
        verbose_name_plural = _("重点人员类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class KeyPerson(InGrid):
    """重点人员: a person in a category, with a risk level, a responsible worker and a visit clock (``visit_due_at``,
    declared in ``people.clocks`` on the case core)."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="key_records")
    category = models.ForeignKey(KeyCategory, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+")
    risk = models.CharField(_("风险等级"), max_length=6, choices=Risk.choices, default=Risk.BLUE)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任网格员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_persons",
    )
    note = pii.EncryptedTextField(_("情况说明"), blank=True)
    state = models.CharField(_("状态"), max_length=10, default="active", db_index=True)
    since = models.DateField(_("列管日期"), default=timezone.localdate)
    ended_at = models.DateTimeField(_("解除列管时间"), null=True, blank=True)
    last_visit_at = models.DateTimeField(_("最近走访"), null=True, blank=True)
    visit_due_at = models.DateTimeField(_("走访期限"), null=True, blank=True, db_index=True)
    # When the visit clock turns orange ("nearly due"), kept by core.deadlines beside the due time.
    visit_warn_at = models.DateTimeField(_("走访临期时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["grid_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"], condition=Q(state="active"), name="people_one_active_key_record"
            )
        ]
        indexes = [models.Index(fields=["worker", "state", "visit_due_at"])]

    def __str__(self) -> str:
        return f"{self.category} {self.person}"


class KeyVisit(models.Model):
    """A visit to a key person (走访帮扶); queued offline like every field write (``idempotency_key``)."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="visits")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    # The deadline this visit answered: a visit is on time when made by it (duty compliance counts these).
    due_at = models.DateTimeField(_("应走访期限"), null=True, blank=True, editable=False)
    met = models.BooleanField(_("见到本人"), default=True)
    note = pii.EncryptedTextField(_("走访情况"))
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("重点人员走访")
        verbose_name_plural = _("重点人员走访")
        ordering = ["-visited_at"]

    def __str__(self) -> str:
        return f"{self.key_person} {self.visited_at:%Y-%m-%d}"


class Rental(InGrid):
    """出租房屋: a room its landlord lets; tenants register against it by the room's QR code."""

    room = models.ForeignKey(Room, verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="rentals")
    landlord = models.ForeignKey(Person, verbose_name=_("房东"), on_delete=models.PROTECT, related_name="lettings")
    max_tenants = models.PositiveSmallIntegerField(_("核定居住人数"), default=4)
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("停租时间"), null=True, blank=True)
    # The micro-grid's group (微网格群) QR a verified tenant is shown, as an image URL or join link.
    group_link = models.CharField(_("微网格群二维码链接"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("出租房屋")
        verbose_name_plural = _("出租房屋")
        constraints = [
            models.UniqueConstraint(fields=["room"], condition=Q(ended_at__isnull=True), name="people_one_open_rental")
        ]

    def __str__(self) -> str:
        return str(self.room)


class Tenancy(InGrid):
    """A tenant's registration (流动人口登记) by the room's QR code, verified by the grid worker."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待核验")
        VERIFIED = "verified", _("已核验")
        REJECTED = "rejected", _("未通过")
        ENDED = "ended", _("已退租")

    rental = models.ForeignKey(Rental, verbose_name=_("出租房屋"), on_delete=models.PROTECT, related_name="tenancies")
    person = models.ForeignKey(Person, verbose_name=_("租户"), on_delete=models.PROTECT, related_name="tenancies")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED, db_index=True)
    move_in = models.DateField(_("入住日期"), default=timezone.localdate)
    move_out = models.DateField(_("退租日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    # The secret of the tenant's own status page (core.receipts): only its keyed hash is kept.
    secret_index = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("租户登记")
        verbose_name_plural = _("租户登记")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.person} {self.rental}"


class Gate(InGrid):
    """A gate controller (门禁) of an estate; it polls the credential API or receives a webhook, with its API key."""

    name = models.CharField(_("名称"), max_length=100)
    key_index = models.CharField(max_length=64, unique=True, editable=False)
    webhook_url = models.URLField(_("推送地址"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("门禁")
        verbose_name_plural = _("门禁")

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """A door credential issued to a verified tenant; revoked when the tenancy ends or after a quiet spell
    (``FENGQIAO_CREDENTIAL_IDLE_DAYS`` without an entry or exit)."""

    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="credentials")
    grid_path = models.CharField(max_length=255, db_index=True, editable=False)  # the estate the gates guard
    token_index = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近通行"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True, db_index=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("门禁凭证")
        verbose_name_plural = _("门禁凭证")
        indexes = [models.Index(fields=["revoked_at", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.tenancy} {self.issued_at:%Y-%m-%d}"


class Passage(models.Model):
    """One entry or exit a gate reports for a credential."""

    class Direction(models.TextChoices):
        IN = "in", _("进")
        OUT = "out", _("出")

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="passages")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="passages")
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("通行记录")
        verbose_name_plural = _("通行记录")
        indexes = [models.Index(fields=["credential", "at"])]

    def __str__(self) -> str:
        return f"{self.credential} {self.direction} {self.at:%Y-%m-%d %H:%M}"
