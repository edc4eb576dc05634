"""Spreadsheets of persons for the import and export tests: valid ID numbers, the template's columns."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fengqiao.core.validators import id_check_digit
from fengqiao.people.importer import HEADERS

SURNAMES = "王李张刘陈杨黄赵吴周"


def id_number(n: int, *, born: dt.date = dt.date(1980, 1, 1), male: bool | None = None) -> str:
    """A valid ID number, distinct for each ``n`` below 1,000,000 (the day of birth and sequence vary with it)."""
    day = born + dt.timedelta(days=n // 1000)
    seq = n % 1000
    if male is not None:
        seq = seq - seq % 2 + (1 if male else 0)
    first17 = f"410105{day:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def person_row(n: int, grid: str, **overrides: Any) -> list[Any]:
    number = overrides.pop("id_number", None) or id_number(n)
    values = {
        "姓名": SURNAMES[n % len(SURNAMES)] + "某" + str(n % 97),
        "公民身份号码": number,
        "性别": "",
        "出生日期": "",
        "联系电话": f"139{n:08d}",
        "户籍地址": f"郑州市金水区{n % 50}号",
        "所属网格编码": grid,
        "现居住楼栋": f"{n % 7 + 1}号楼",
        "单元": f"{n % 3 + 1}单元",
        "室号": str(100 + n % 300),
        "与房屋关系": "居住",
        "人口类别": "常住人口",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def workbook(rows: Iterable[Sequence[Any]], *, headers: Sequence[str] = HEADERS) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员信息")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "persons.xlsx"  # type: ignore[attr-defined]
    return out


# Kinds of bad row, each with the column the error must name.
BAD_KINDS: list[tuple[dict[str, Any], str]] = [
    ({"公民身份号码": "41010519800101001"}, "公民身份号码"),  # 17 digits
    ({"姓名": ""}, "姓名"),
    ({"联系电话": "12345"}, "联系电话"),
    ({"所属网格编码": "999999"}, "所属网格编码"),
    ({"性别": "未说明"}, "性别"),
    ({"出生日期": "1970-05-05"}, "出生日期"),
    ({"与房屋关系": "邻居"}, "与房屋关系"),
    ({"人口类别": "游客"}, "人口类别"),
]


def file_with_bad_rows(count: int, grid: str, *, every: int = 100) -> tuple[list[list[Any]], dict[int, str]]:
    """``count`` rows, one in ``every`` bad; returns the rows and {spreadsheet row number: column named}."""
    rows: list[list[Any]] = []
    bad: dict[int, str] = {}
    for n in range(count):
        if n % every == every - 1:
            overrides, column = BAD_KINDS[(n // every) % len(BAD_KINDS)]
            rows.append(person_row(n, grid, **overrides))
            bad[n + 2] = column
        else:
            rows.append(person_row(n, grid))
    return rows, bad
