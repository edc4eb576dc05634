"""Documents offices print and file: the mediation agreement (调解协议书) as PDF and .docx, the referral letter,
and the community's QR poster (一码解纠纷) as a printable PDF.

PDFs embed a Chinese font found through ``FENGQIAO_CJK_FONT`` (a path, optionally ``path#index`` for a face in a
.ttc collection) or the first of the usual Debian fonts that exists; without one they fail with a clear message.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fengqiao.core.fonts import cjk_font
from fengqiao.disputes.models import Agreement, Dispute, Party, Signature
from fengqiao.disputes.online import png_of


def _pdf() -> Any:
    from fpdf import FPDF

    path, index = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(22, 20, 22)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_font("cjk", size=12)
    pdf.set_title("fengqiao")
    pdf.set_creator("fengqiao")
    return pdf


def _para(pdf: Any, text: str, *, size: float = 12, align: str = "L", gap: float = 2) -> None:
    from fpdf.enums import WrapMode, XPos, YPos

    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.6, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


def _party_line(p: Party) -> str:
    parts = [f"{p.get_role_display()}：{p.name}"]
    if p.id_number:
        label = _("统一社会信用代码") if p.kind == Party.Kind.ORGANISATION else _("身份证号")
        parts.append(f"{label}：{p.id_number}")
    if p.phone:
        parts.append(_("电话：%(p)s") % {"p": p.phone})
    if p.address:
        parts.append(_("住址：%(a)s") % {"a": p.address})
    return "，".join(parts)


def _org_name(dispute: Dispute) -> str:
    return dispute.organisation.name if dispute.organisation else _("人民调解委员会")


def _sections(agreement: Agreement) -> list[tuple[str, str]]:
    return [
        (_("纠纷主要事实、争议事项"), agreement.facts),
        (_("经调解，当事人自愿达成如下协议"), agreement.terms),
        (_("履行方式、时限"), agreement.performance),
    ]


def _closing(agreement: Agreement) -> str:
    count = agreement.dispute.parties.count() + 1
    return _(
        "本协议一式 %(n)s 份，当事人、人民调解委员会各持一份。经双方当事人签名（盖章）、人民调解员签名并加盖"
        "人民调解委员会印章之日起生效。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。"
    ) % {"n": count}


def _drawn_signature(pdf: Any, party: Party, signature: Signature) -> None:
    """A signature drawn on the party's phone: the image, then who, when, from where and its digest's head."""
    _para(pdf, _("%(role)s（签名）：（%(name)s）") % {"role": party.get_role_display(), "name": party.name}, gap=1)
    height = 18
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png_of(signature)), x=pdf.l_margin + 10, y=pdf.get_y(), h=height)
    pdf.set_y(pdf.get_y() + height + 1)
    _para(
        pdf,
        _("电子签名时间：%(t)s  IP：%(ip)s  SHA-256：%(h)s")
        % {
            "t": timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S"),
            "ip": signature.ip or "—",
            "h": signature.sha256[:16],
        },
        size=9,
        gap=3,
    )


def agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement in the standard form: parties, facts, agreed terms, performance, signatures."""
    d = agreement.dispute
    pdf = _pdf()
    pdf.add_page()
    _para(pdf, _org_name(d), size=13, align="C", gap=1)
    _para(pdf, _("人民调解协议书"), size=20, align="C", gap=4)
    _para(pdf, _("编号：%(c)s-%(v)s") % {"c": d.tracking_code, "v": agreement.version}, size=10, align="R")
    for party in d.parties.all():
        _para(pdf, _party_line(party), size=12, gap=1)
    pdf.ln(3)
    for title, body in _sections(agreement):
        _para(pdf, title + "：", size=13, gap=1)
        _para(pdf, body, size=12, gap=4)
    _para(pdf, _closing(agreement), size=11, gap=8)
    drawn = {s.party_id: s for s in agreement.signatures.all()}
    for party in d.parties.all():
        signature = drawn.get(party.pk)
        if signature is None:
            _para(
                pdf,
                _("%(role)s（签名）：____________  （%(name)s）")
                % {"role": party.get_role_display(), "name": party.name},
            )
        else:
            _drawn_signature(pdf, party, signature)
    mediator = d.mediator.user.display_name if d.mediator else ""
    _para(pdf, _("人民调解员（签名）：____________  （%(m)s）") % {"m": mediator}, gap=6)
    _para(pdf, _("%(org)s（盖章）") % {"org": _org_name(d)}, align="R", gap=1)
    _para(pdf, date_format(timezone.localtime(agreement.created_at), "DATE_FORMAT"), align="R")
    return bytes(pdf.output())


def agreement_docx(agreement: Agreement) -> bytes:
    """The same agreement as an editable Word document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = agreement.dispute
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    doc.add_paragraph(_org_name(d)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("人民调解协议书"))
    run.bold = True
    run.font.size = Pt(20)
    doc.add_paragraph(
        _("编号：%(c)s-%(v)s") % {"c": d.tracking_code, "v": agreement.version}
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for party in d.parties.all():
        doc.add_paragraph(_party_line(party))
    for heading, body in _sections(agreement):
        doc.add_paragraph().add_run(heading + "：").bold = True
        for line in body.splitlines() or [""]:
            doc.add_paragraph(line)
    doc.add_paragraph(_closing(agreement))
    for party in d.parties.all():
        doc.add_paragraph(
            _("%(role)s（签名）：____________  （%(name)s）") % {"role": party.get_role_display(), "name": party.name}
        )
    mediator = d.mediator.user.display_name if d.mediator else ""
    doc.add_paragraph(_("人民调解员（签名）：____________  （%(m)s）") % {"m": mediator})
    doc.add_paragraph(_("%(org)s（盖章）") % {"org": _org_name(d)}).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph(
        date_format(timezone.localtime(agreement.created_at), "DATE_FORMAT")
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _referral_party_line(p: Party) -> str:
    """What the receiving court or commission needs to identify a party and open its own file: role, kind and full
    name. Phones and ID numbers stay out of the letter; they travel in the case file under the receiver's rules."""
    return f"{p.get_role_display()}（{p.get_kind_display()}）：{p.name}"


def referral_pdf(dispute: Dispute) -> bytes:
    """移送函, printed for the receiving body: the stored text (parties masked) and the parties in full."""
    pdf = _pdf()
    pdf.add_page()
    _para(pdf, _("矛盾纠纷移送函"), size=20, align="C", gap=6)
    for line in dispute.referral_letter.splitlines():
        _para(pdf, line, gap=2)
    pdf.ln(2)
    _para(pdf, _("当事人："), gap=1)
    for party in dispute.parties.all():
        _para(pdf, _referral_party_line(party), gap=1)
    pdf.ln(8)
    _para(pdf, _org_name(dispute), align="R", gap=1)
    when = dispute.concluded_at or timezone.now()
    _para(pdf, date_format(timezone.localtime(when), "DATE_FORMAT"), align="R")
    return bytes(pdf.output())


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def poster_pdf(*, community: str, url: str) -> bytes:
    """The printable 一码解纠纷 poster for one community."""
    pdf = _pdf()
    pdf.add_page()
    pdf.ln(10)
    _para(pdf, _("一码解纠纷"), size=36, align="C", gap=4)
    _para(pdf, community, size=20, align="C", gap=6)
    _para(pdf, _("邻里纠纷、物业矛盾、欠薪讨薪、婚姻家庭……扫一扫，专人上门调解"), size=13, align="C", gap=6)
    size = 110
    pdf.image(io.BytesIO(qr_png(url)), x=(pdf.w - size) / 2, y=pdf.get_y(), w=size, h=size)
    pdf.set_y(pdf.get_y() + size + 6)
    _para(pdf, _("微信或手机浏览器扫码 · 无需登录 · 凭查询码随时查看办理进度"), size=12, align="C", gap=2)
    _para(pdf, url, size=9, align="C", gap=6)
    _para(pdf, _("小事不出村，大事不出镇，矛盾不上交"), size=14, align="C")
    return bytes(pdf.output())


def feedback_pdf(dispute: Dispute) -> bytes:
    """结果反馈函, printed for the referring body: the stored letter (parties masked) and the parties in full."""
    pdf = _pdf()
    pdf.add_page()
    _para(pdf, _("矛盾纠纷办理结果反馈函"), size=20, align="C", gap=6)
    for line in dispute.feedback_letter.splitlines():
        _para(pdf, line, gap=2)
    pdf.ln(2)
    _para(pdf, _("当事人："), gap=1)
    for party in dispute.parties.all():
        _para(pdf, _referral_party_line(party), gap=1)
    pdf.ln(8)
    _para(pdf, _org_name(dispute), align="R", gap=1)
    when = dispute.concluded_at or dispute.closed_at or timezone.now()
    _para(pdf, date_format(timezone.localtime(when), "DATE_FORMAT"), align="R")
    return bytes(pdf.output())
