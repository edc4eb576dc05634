"""Dispute mediation (矛盾纠纷多元化解): the type catalogue, mediation organisations and mediators, cases and the
records around them (parties, sessions, updates, agreements), and the library of typical cases.

A case lives in its finest grid (``InGrid``). The "13710" deadlines are stored on the case when their clocks start
(``assign_due_at``, ``update_due_at``, ``close_due_at``, ``revisit_due_at``); the clocks are declared in
``disputes.clocks`` and the colour and its label are never stored: ``core.deadlines`` computes them in SQL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core import pii
from fengqiao.core.models import InGrid


class Industry(models.TextChoices):
    """The fields industry mediation organisations serve (行业性专业性调解, 行业枫桥)."""

    PROPERTY = "property", _("物业")
    MEDICAL = "medical", _("医疗")
    TRAFFIC = "traffic", _("交通事故")
    LABOUR = "labour", _("劳资")
    FAMILY = "family", _("婚姻家庭")
    CONSUMER = "consumer", _("消费")


class MediatorKind(models.TextChoices):
    """What a mediator is: each tier of a ladder names the kinds it needs and refuses the others."""

    PEOPLE = "people", _("人民调解员")
    ELDER = "elder", _("五老乡贤")
    POLICE = "police", _("警务助理（民警）")
    LAWYER = "lawyer", _("律师")
    JUDGE = "judge", _("法官")
    JUSTICE = "justice", _("司法所调解员")
    INDUSTRY = "industry", _("行业调解员")
    OFFICIAL = "official", _("部门干部")


class DisputeType(models.Model):
    """One kind of dispute, with its own "13710" clocks (editable catalogue)."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    industry = models.CharField(_("对口行业调解"), max_length=12, choices=Industry.choices, blank=True)
    # Empty: the county's clock (settings.FENGQIAO_DISPUTE_CLOCKS); a value here wins for this type only.
    assign_hours = models.FloatField(
        _("分配时限（小时）"), null=True, blank=True, help_text=_("留空则按全县统一时限。")
    )
    first_update_hours = models.FloatField(
        _("首次更新时限（小时）"), null=True, blank=True, help_text=_("留空则按全县统一时限。")
    )
    close_days = models.FloatField(_("办结时限（天）"), null=True, blank=True, help_text=_("留空则按全县统一时限。"))
    revisit_days = models.FloatField(_("回访时限（天）"), null=True, blank=True, help_text=_("留空则按全县统一时限。"))
    # The escalation ladder this type climbs (disputes.tiers.ladders); empty: the county's default ladder.
    ladder = models.CharField(_("调解层级体系"), max_length=20, blank=True, help_text=_("留空则按全县默认层级。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("纠纷类型")
        verbose_name_plural = _("纠纷类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A mediation organisation: a committee, an industry organisation, a named studio, or the expert pool."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("村（社区）人民调解委员会")
        TOWNSHIP = "township", _("乡镇（街道）人民调解委员会")
        INDUSTRY = "industry", _("行业性专业性调解组织")
        STUDIO = "studio", _("个人调解工作室")
        EXPERTS = "experts", _("调解专家库（老行专）")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    industry = models.CharField(_("行业"), max_length=12, choices=Industry.choices, blank=True)
    node = models.ForeignKey(
        "grids.GridNode", verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="mediation_organisations"
    )
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    specialties = models.ManyToManyField(DisputeType, verbose_name=_("擅长类型"), blank=True, related_name="+")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")
        ordering = ["node_path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="disputes_org_unique_name_per_node")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


class Mediator(models.Model):
    """A member of a mediation organisation; the organisation's area is the area they serve."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="mediator_posts"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("调解组织"), on_delete=models.CASCADE, related_name="members"
    )
    kind = models.CharField(_("调解员类别"), max_length=10, choices=MediatorKind.choices, default=MediatorKind.PEOPLE)
    title = models.CharField(_("身份"), max_length=50, blank=True, help_text=_("如：专职调解员、律师、退休法官"))
    specialties = models.ManyToManyField(DisputeType, verbose_name=_("擅长类型"), blank=True, related_name="+")
    is_expert = models.BooleanField(_("调解专家"), default=False)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="disputes_mediator_unique_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class Source(models.TextChoices):
    QR = "qr", _("扫码自助（一码解纠纷）")
    GRID = "grid", _("网格员排查")
    WALK_IN = "walk_in", _("来访（中心窗口）")
    POLICE = "police", _("警调对接")
    COURT = "court", _("诉调对接")
    PETITION = "petition", _("访调对接")
    HOTLINE = "hotline", _("热线")
    PROCURATORATE = "procuratorate", _("检调对接")
    EVENT = "event", _("事件转入")


# The channels whose sender has its own reference number and is told the outcome (反馈).
REFERRING_SOURCES = (Source.POLICE, Source.COURT, Source.PETITION, Source.HOTLINE, Source.PROCURATORATE)


class Referrer(models.Model):
    """A body that hands disputes in (court, police station, petition office, hotline, procuratorate) and is told
    the outcome: by a feedback letter and, when it has a receiving system, by a signed call to ``callback_url``."""

    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("对接渠道"), max_length=16, choices=Source.choices)
    node = models.ForeignKey(
        "grids.GridNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="dispute_referrers"
    )
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    callback_url = models.URLField(_("结果回传地址"), blank=True)
    # The shared secret that signs each callback (HMAC); encrypted at rest like any secret.
    callback_secret = pii.EncryptedTextField(_("回传签名密钥"), blank=True)
    # The API client (events.ApiClient) key digest this body posts with; empty: entered by hand only.
    api_key_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)

    jurisdiction_path_field = "node_path"

    class Meta:
        verbose_name = _("移交单位")
        verbose_name_plural = _("移交单位")
        ordering = ["node_path", "source", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="disputes_referrer_unique_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.node_path = self.node.path
        super().save(*args, **kwargs)


class Risk(models.TextChoices):
    """红黄蓝: how fast and how high a case goes."""

    RED = "red", _("红色（高风险）")
    YELLOW = "yellow", _("黄色（中风险）")
    BLUE = "blue", _("蓝色（一般）")


class Referral(models.TextChoices):
    COURT = "court", _("人民法院")
    ARBITRATION = "arbitration", _("仲裁委员会")
    LABOUR_ARBITRATION = "labour_arbitration", _("劳动人事争议仲裁委员会")


class Dispute(InGrid):
    """One dispute case, from intake to closure, with every time point kept."""

    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True)
    # Keyed hash of the secret shown once to the applicant (core.receipts): the tracking code alone only reads.
    applicant_secret_index = models.CharField(max_length=64, blank=True, editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    # The sender's own reference (the event's tracking code for 事件转入): one case per reference and source.
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True, db_index=True)
    referrer = models.ForeignKey(
        Referrer, verbose_name=_("移交单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # A probable repeat of an earlier case with the same party and type (flagged, never merged automatically).
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("疑似重复"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    type = models.ForeignKey(DisputeType, verbose_name=_("纠纷类型"), on_delete=models.PROTECT, related_name="cases")
    summary = models.TextField(_("纠纷简要情况"))
    claim = models.TextField(_("当事人诉求"), blank=True)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=2)
    is_group = models.BooleanField(_("群体性纠纷"), default=False)
    risk = models.CharField(_("风险等级"), max_length=6, choices=Risk.choices, default=Risk.BLUE)
    risk_reason = models.CharField(_("风险研判理由"), max_length=200, blank=True)
    address = models.CharField(_("纠纷发生地"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, default="submitted", db_index=True)
    # The ladder is fixed when the case is entered (from its type), so a later catalogue change never renames a tier.
    ladder = models.CharField(_("调解层级体系"), max_length=20, blank=True)
    tier = models.PositiveSmallIntegerField(_("调解层级"), default=0)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("调解组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # 包案领导 and 一案一策 for red-risk and group disputes; the leader's supervision is in LeaderNote.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_disputes",
    )
    plan = models.TextField(_("化解方案（一案一策）"), blank=True)
    alerted_at = models.DateTimeField(_("红色预警通报时间"), null=True, blank=True)
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("调解员"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.TextField(_("调解结果"), blank=True)
    decline_reason = models.TextField(_("拒绝理由"), blank=True)
    referral_to = models.CharField(_("转交机构"), max_length=20, choices=Referral.choices, blank=True)
    referral_letter = models.TextField(_("移送函"), blank=True)
    confirmation_outcome = models.TextField(_("司法确认结果"), blank=True)
    revisit_note = models.TextField(_("回访情况"), blank=True)
    stars = models.PositiveSmallIntegerField(_("评价星级"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    feedback_letter = models.TextField(_("结果反馈函"), blank=True)
    feedback_sent_at = models.DateTimeField(_("结果反馈时间"), null=True, blank=True)
    # Time points (全过程记录办理时间节点).
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now, db_index=True)
    registered_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    first_update_at = models.DateTimeField(_("首次更新时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    first_session_at = models.DateTimeField(_("首次调解时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)  # resolved, referred or withdrawn
    confirmation_requested_at = models.DateTimeField(_("申请司法确认时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("司法确认时间"), null=True, blank=True)
    revisited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # Deadlines ("13710"): the colour is computed from these and "now", never stored.
    assign_due_at = models.DateTimeField(_("分配期限"), null=True, blank=True)
    update_due_at = models.DateTimeField(_("首次更新期限"), null=True, blank=True)
    close_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    revisit_due_at = models.DateTimeField(_("回访期限"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-entered_at"]
        indexes = [
            models.Index(fields=["grid_path", "state"]),
            models.Index(fields=["state", "close_due_at"]),
            models.Index(fields=["mediator", "state"]),
            models.Index(fields=["type", "entered_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~models.Q(source_ref=""), name="dispute_one_per_source_ref"
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def state_label(self) -> str:
        from fengqiao.disputes.workflow import STATES

        return str(STATES.get(self.state, self.state))

    @property
    def tier_name(self) -> str:
        from fengqiao.disputes.tiers import tier

        return tier(self.tier, self.ladder).name

    def audit_masks(self) -> dict[str, str]:
        """Each party's name, phone and ID number with its masked form: audit rows about the case (core.audit)
        refer to parties by these, never in full; the full values stay encrypted in the party rows."""
        masks: dict[str, str] = {}
        for p in self.parties.all():
            if p.kind == Party.Kind.PERSON and p.name:
                masks[p.name] = p.name_masked
            if p.phone:
                masks[p.phone] = p.phone_masked
            if p.id_number:
                masks[p.id_number] = p.id_masked
        return masks

    def applicants(self) -> list[Party]:
        return [p for p in self.parties.all() if p.role == Party.Role.APPLICANT]

    def respondents(self) -> list[Party]:
        return [p for p in self.parties.all() if p.role == Party.Role.RESPONDENT]


class Party(models.Model):
    """当事人: an applicant or respondent, a person or an organisation. Names, phones and ID numbers are encrypted."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("单位")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = pii.EncryptedTextField(_("姓名/名称"))
    phone = pii.EncryptedTextField(_("联系电话"), blank=True, index_field="phone_index")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number = pii.EncryptedTextField(_("身份证号/统一社会信用代码"), blank=True, index_field="id_index")
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["role", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name_masked}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = pii.blind_index(self.phone) if self.phone else ""
        self.id_index = pii.blind_index(self.id_number) if self.id_number else ""
        super().save(*args, **kwargs)

    @property
    def name_masked(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.name
        return (self.name[:1] + "*" * (len(self.name) - 1)) if len(self.name) > 1 else self.name

    @property
    def phone_masked(self) -> str:
        return pii.mask(self.phone)

    @property
    def id_masked(self) -> str:
        return pii.mask(self.id_number)


class PanelSeat(models.Model):
    """A seat on the panel (1 lead + N: a judge, a judicial-office mediator, lawyers, elders) a case is given to."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="panel")
    mediator = models.ForeignKey(Mediator, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="seats")
    lead = models.BooleanField(_("主调"), default=False)
    seated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("合议调解成员")
        verbose_name_plural = _("合议调解成员")
        ordering = ["-lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "mediator"], name="disputes_one_seat_each"),
            models.UniqueConstraint(fields=["dispute"], condition=models.Q(lead=True), name="disputes_one_panel_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} {self.mediator}"


class LeaderNote(models.Model):
    """包案领导督办: what the responsible leader did or ordered on a red-risk or group dispute."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="leader_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("督办意见"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("领导督办")
        verbose_name_plural = _("领导督办")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute} {self.at:%Y-%m-%d}"


class Session(models.Model):
    """调解记录: one mediation session."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online = models.BooleanField(_("线上远程调解"), default=False)
    # An existing video service's room (腾讯会议, 移动微法院 ...): parties join by their private link, which records it.
    meeting_link = models.URLField(_("视频会议链接"), blank=True)
    participants = models.CharField(_("参加人员"), max_length=500)
    notes = models.TextField(_("调解情况"))
    tier = models.PositiveSmallIntegerField(_("调解层级"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute} {self.held_at:%Y-%m-%d}"


class Update(models.Model):
    """进度更新: a note the mediator posts; the applicant sees that it happened (not its text)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("内容"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("进度更新")
        verbose_name_plural = _("进度更新")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute} {self.at:%Y-%m-%d %H:%M}"


class Agreement(models.Model):
    """调解协议书, versioned: each edit is a new version; the signed scan is attached to its version."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField(_("版本"))
    facts = models.TextField(_("纠纷主要事实、争议事项"))
    terms = models.TextField(_("达成协议的内容"))
    performance = models.TextField(_("履行方式、时限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(_("签署扫描件上传时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = _("调解协议书")
        ordering = ["dispute", "-version"]
        constraints = [models.UniqueConstraint(fields=["dispute", "version"], name="disputes_agreement_version")]

    def __str__(self) -> str:
        return f"{self.dispute} v{self.version}"


class PartyLink(models.Model):
    """A party's private link (sent by SMS): join an online session, sign statements and the agreement on the phone.
    Only the token's keyed hash is stored; the link works until ``expires_at`` or until it is revoked."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="links")
    token_index = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("当事人链接")
        verbose_name_plural = _("当事人链接")

    def __str__(self) -> str:
        return f"{self.party} {self.created_at:%Y-%m-%d}"


class Attendance(models.Model):
    """Who joined an online session, when and from where (the party's link records it)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="attendances")
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("线上调解签到")
        verbose_name_plural = _("线上调解签到")
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["session", "party"], name="disputes_one_attendance_each")]

    def __str__(self) -> str:
        return f"{self.session} {self.party}"


class Signature(models.Model):
    """A party's drawn signature on a statement or an agreement version, with time and address; the image (a PNG
    data URL) is encrypted at rest. Signing an agreement version again is refused."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("调解协议书")
        STATEMENT = "statement", _("调解笔录")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    kind = models.CharField(_("签署内容"), max_length=10, choices=Kind.choices)
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    image = pii.EncryptedTextField(_("签名图像"))
    sha256 = models.CharField(max_length=64, editable=False)  # of the image, printed under it in the PDF
    signed_at = models.DateTimeField(_("签署时间"), default=timezone.now)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("当事人签名")
        verbose_name_plural = _("当事人签名")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "party"],
                condition=models.Q(agreement__isnull=False),
                name="disputes_sign_agreement_once",
            ),
            models.UniqueConstraint(
                fields=["session", "party"],
                condition=models.Q(session__isnull=False),
                name="disputes_sign_session_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.signed_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """One delivery of a case's outcome to the body that referred it: the signed callback, retried until it lands."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="feedbacks")
    referrer = models.ForeignKey(Referrer, on_delete=models.PROTECT, related_name="feedbacks")
    event = models.CharField(_("反馈事项"), max_length=20)  # concluded, confirmed ...
    payload = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("结果回传")
        verbose_name_plural = _("结果回传")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["dispute", "event"], name="disputes_feedback_once_per_event")]

    def __str__(self) -> str:
        return f"{self.dispute} {self.event}"


class CaseStudy(models.Model):
    """示范调解指引: a typical case with its points of dispute, legal basis and approach."""

    type = models.ForeignKey(DisputeType, verbose_name=_("纠纷类型"), on_delete=models.PROTECT, related_name="studies")
    title = models.CharField(_("标题"), max_length=100)
    facts = models.TextField(_("基本案情"))
    points = models.TextField(_("争议焦点"))
    legal_basis = models.TextField(_("法律依据"))
    approach = models.TextField(_("调解要点"))
    published = models.BooleanField(_("发布"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("示范调解指引")
        verbose_name_plural = _("示范调解指引")
        ordering = ["type__order", "-created_at"]

    def __str__(self) -> str:
        return self.title
