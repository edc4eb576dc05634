"""Importing persons from the spreadsheet a street office already keeps (openpyxl), all or nothing.

One row per person, headed by :data:`HEADERS`. The whole file is read once, streaming, and every row checked before
anything is written: a file with one bad row is refused, and the refusal names every bad row (row number, column,
message) and comes with an XLSX of the bad rows and an error column, so the office fixes them and uploads again.

A person is one row across grids, found by the keyed hash of the ID number (``core.pii.blind_index``): a person
already known, in this grid or any other, is updated and moved (the open residence ended, the new one started),
never duplicated; the same ID twice in one file is merged. Every grid code must lie in the importer's jurisdiction.

Writing is one transaction. On PostgreSQL persons go through ``COPY`` into a staging table and one
``INSERT … ON CONFLICT`` (the ciphertexts computed in Python in batches, ``core.crypto.encrypt_many``: encryption is
the cost); buildings, rooms and residences are copied straight in. On SQLite the same rows go through
``bulk_create``. One audit row records who imported which file (its SHA-256) and the counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role
from fengqiao.core import audit, crypto, pii, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.validators import PhoneError, is_valid_id_number, normalise_phone
from fengqiao.grids.models import GridNode, Level
from fengqiao.people.errors import PeopleErrorCode
from fengqiao.people.models import Building, Person, Residence, Room

# The columns of the template, in order: what a street office's household register (实有人口台账) keeps.
NAME, ID_NUMBER, GENDER, BIRTH, PHONE, ADDRESS, GRID, BUILDING, UNIT, ROOM, RELATION, KIND = (
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "联系电话",
    "户籍地址",
    "所属网格编码",
    "现居住楼栋",
    "单元",
    "室号",
    "与房屋关系",
    "人口类别",
)
HEADERS = [NAME, ID_NUMBER, GENDER, BIRTH, PHONE, ADDRESS, GRID, BUILDING, UNIT, ROOM, RELATION, KIND]
REQUIRED = (NAME, ID_NUMBER, GRID)
# Who may import the persons of their area: the grid leader, the centre's dispatcher, the administrator.
IMPORT_ROLES = (Role.GRID_LEADER, Role.DISPATCHER, Role.ADMIN)
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_PART = 20  # 单元, 室号 (Room.unit / Room.number)
MAX_BUILDING = 100  # Building.name
BATCH = 5_000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


def max_rows() -> int:
    return int(getattr(settings, "FENGQIAO_PEOPLE_IMPORT_MAX_ROWS", 200_000))


def may_import(actor: Caller) -> bool:
    return signed_in(actor) and actor.has_role(*IMPORT_ROLES)


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one cell (or one row) of the file, in the words shown to the office."""

    row: int
    column: str
    message: str


@dataclass
class _Row:
    row: int
    name: str
    id_number: str
    gender: str
    birth_year: int | None
    phone: str
    address: str
    grid_id: int
    grid_path: str
    building: str
    unit: str
    number: str
    relation: str
    kind: str


@dataclass
class Checked:
    """The file read and checked: the good rows (duplicates merged), every error, the bad rows as typed."""

    sha256: str
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: dict[int, list[str]] = field(default_factory=dict)
    read: int = 0
    merged: int = 0

    @property
    def bad_row_numbers(self) -> list[int]:
        return sorted({e.row for e in self.errors})


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    merged: int = 0
    residences_started: int = 0
    residences_ended: int = 0
    buildings_created: int = 0
    rooms_created: int = 0
    sha256: str = ""


class ImportRefused(DomainError):
    """The file has bad rows: nothing was imported. ``checked`` carries every error and the bad rows."""

    def __init__(self, checked: Checked) -> None:
        rows = len(checked.bad_row_numbers)
        super().__init__(
            _("表格中有 %(n)s 行数据有误，未导入任何数据。请按错误说明修改后重新上传。") % {"n": rows},
            code=PeopleErrorCode.IMPORT_BAD_ROWS,
        )
        self.checked = checked


# Reading -------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _choice(value: str, choices: type[models.TextChoices]) -> str | None:
    """The code a cell names, by code or by its label in the active language (a blank code never matches); the
    labels are resolved once per language, not per row."""
    if not value:
        return None
    return _choice_map(choices, get_language() or "").get(value)


@functools.lru_cache(maxsize=64)
def _choice_map(choices: type[models.TextChoices], language: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, label in choices.choices:
        if code:
            out.setdefault(str(code), str(code))
            out.setdefault(str(label), str(code))
    return out


def _header(cells: Sequence[Any]) -> list[str]:
    return [_text(c).rstrip("*＊").strip() for c in cells[: len(HEADERS)]]


def _open_rows(file: IO[bytes]) -> Iterator[Sequence[Any]]:
    """The first sheet's rows as values, read by calamine (Rust; some twenty times openpyxl's read-only mode, which
    parses every cell into an object: docs/decisions/0110-base-data.md). Empty cells read as ``""``."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(file)
        if not workbook.sheet_names:
            return
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:
        raise DomainError(
            _("无法读取该文件，请上传由模板填写的 .xlsx 表格。"), code=PeopleErrorCode.IMPORT_BAD_FILE
        ) from None
    yield from rows


class _Grids:
    """Grid codes seen in the file, each looked up once."""

    def __init__(self, actor: Caller) -> None:
        self.actor = actor
        self.known: dict[str, tuple[int, str, int] | None] = {}
        self.covered: dict[str, bool] = {}

    def covers(self, path: str) -> bool:
        """Whether the actor's jurisdiction holds the grid at ``path`` (asked once per grid, not per row)."""
        if path not in self.covered:
            self.covered[path] = scoping.covers(self.actor, path)
        return self.covered[path]

    def get(self, code: str) -> tuple[int, str, int] | None:
        if code not in self.known:
            self.known[code] = GridNode.objects.filter(code=code).values_list("id", "path", "level").first()
        return self.known[code]


def check_file(*, actor: Caller, file: IO[bytes]) -> Checked:
    """Read and check every row; nothing is written. Duplicated ID numbers are merged (the later row wins)."""
    data = file.read()
    checked = Checked(sha256=hashlib.sha256(data).hexdigest())
    rows = _open_rows(io.BytesIO(data))
    first = next(rows, None)
    if first is None or _header(first) != HEADERS:
        raise DomainError(
            _("表头应为：%(h)s。请下载模板填写。") % {"h": "、".join(HEADERS)}, code=PeopleErrorCode.IMPORT_BAD_HEADER
        )
    grids = _Grids(actor)
    by_id: dict[str, int] = {}  # normalised ID -> index into checked.rows
    limit = max_rows()
    for number, raw in enumerate(rows, start=2):
        cells = list(raw[: len(HEADERS)]) + [None] * (len(HEADERS) - len(raw[: len(HEADERS)]))
        if not any(_text(c) for c in cells):
            continue
        checked.read += 1
        if checked.read > limit:
            raise DomainError(
                _("一次最多导入 %(n)s 行，请分成几个文件上传。") % {"n": f"{limit:,}"},
                code=PeopleErrorCode.IMPORT_TOO_MANY_ROWS,
            )
        errors: list[RowError] = []
        parsed = _check_row(number, cells, grids, errors)
        if parsed is not None:
            seen = by_id.get(parsed.id_number)
            if seen is not None:
                earlier = checked.rows[seen]
                if earlier.name != parsed.name:
                    errors.append(
                        RowError(
                            number,
                            ID_NUMBER,
                            _("与第 %(r)s 行的公民身份号码相同，但姓名不同，请核对。") % {"r": earlier.row},
                        )
                    )
                else:
                    checked.rows[seen] = parsed  # the same person twice: one row, the later one's values
                    checked.merged += 1
                    continue
        if errors:
            checked.errors.extend(errors)
            checked.bad_rows[number] = [_text(c) for c in cells]
            continue
        assert parsed is not None
        by_id[parsed.id_number] = len(checked.rows)
        checked.rows.append(parsed)
    return checked


def _check_row(number: int, cells: list[Any], grids: _Grids, errors: list[RowError]) -> _Row | None:
    values = dict(zip(HEADERS, cells, strict=True))
    text = {k: _text(v) for k, v in values.items()}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column in REQUIRED:
        if not text[column]:
            bad(column, _("%(c)s不能为空。") % {"c": column})
    name = text[NAME]
    if len(name) > MAX_NAME:
        bad(NAME, _("姓名不能超过 %(n)s 个字。") % {"n": MAX_NAME})

    kind = Person.Kind.RESIDENT.value
    if text[KIND]:
        chosen = _choice(text[KIND], Person.Kind)
        if chosen is None:
            bad(KIND, _("人口类别应为：%(c)s。") % {"c": "、".join(str(label) for _c, label in Person.Kind.choices)})
        else:
            kind = chosen

    id_number = pii.normalise(text[ID_NUMBER])
    born: dt.date | None = None
    id_gender = ""
    if id_number:
        if kind == Person.Kind.OVERSEAS:  # a passport or permit number
            if not re.fullmatch(r"[A-Z0-9]{5,30}", id_number):
                bad(ID_NUMBER, _("证件号码应为 5 至 30 位字母或数字。"))
        elif not is_valid_id_number(id_number):
            bad(ID_NUMBER, _("公民身份号码无效（应为 18 位，出生日期和校验码正确）。"))
        else:
            born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            id_gender = Person.Gender.MALE if int(id_number[16]) % 2 else Person.Gender.FEMALE

    gender = id_gender
    if text[GENDER]:
        chosen = _choice(text[GENDER], Person.Gender)
        if chosen is None:
            bad(GENDER, _("性别应为“男”或“女”。"))
        elif id_gender and chosen != id_gender:
            bad(GENDER, _("性别与公民身份号码不符。"))
        else:
            gender = chosen

    birth_year = born.year if born else None
    if text[BIRTH]:
        typed = _date(values[BIRTH])
        if typed is None:
            bad(BIRTH, _("出生日期格式应为 1990-01-31。"))
        elif born is not None and typed != born:
            bad(BIRTH, _("出生日期与公民身份号码不符（应为 %(d)s）。") % {"d": born.isoformat()})
        elif born is None:
            birth_year = typed.year

    phone = ""
    if text[PHONE]:
        try:
            phone = normalise_phone(text[PHONE])
        except PhoneError:
            bad(PHONE, _("联系电话应为 11 位手机号或带区号的固定电话。"))
    if len(text[ADDRESS]) > MAX_ADDRESS:
        bad(ADDRESS, _("户籍地址不能超过 %(n)s 个字。") % {"n": MAX_ADDRESS})

    grid: tuple[int, str, int] | None = None
    if text[GRID]:
        grid = grids.get(text[GRID])
        if grid is None:
            bad(GRID, _("网格编码“%(c)s”不存在。") % {"c": text[GRID]})
        elif not grids.covers(grid[1]):
            bad(GRID, _("网格“%(c)s”不在您的管辖范围内。") % {"c": text[GRID]})
            grid = None
        elif grid[2] < Level.GRID:
            bad(GRID, _("人员应登记在网格或微网格，“%(c)s”是更高一级的区域。") % {"c": text[GRID]})
            grid = None

    building, unit, room_number = text[BUILDING], text[UNIT], text[ROOM]
    if len(building) > MAX_BUILDING:
        bad(BUILDING, _("楼栋名称不能超过 %(n)s 个字。") % {"n": MAX_BUILDING})
    for column, value in ((UNIT, unit), (ROOM, room_number)):
        if len(value) > MAX_PART:
            bad(column, _("%(c)s不能超过 %(n)s 个字。") % {"c": column, "n": MAX_PART})
    if (unit or room_number) and not building:
        bad(BUILDING, _("填写了单元或室号时，现居住楼栋不能为空。"))
    if building and not room_number:
        bad(ROOM, _("填写了现居住楼栋时，室号不能为空。"))
    relation = Residence.Relation.RESIDENT.value
    if text[RELATION]:
        chosen = _choice(text[RELATION], Residence.Relation)
        if chosen is None:
            bad(
                RELATION,
                _("与房屋关系应为：%(c)s。") % {"c": "、".join(str(label) for _c, label in Residence.Relation.choices)},
            )
        elif not building:
            bad(RELATION, _("填写了与房屋关系时，现居住楼栋和室号不能为空。"))
        else:
            relation = chosen

    if errors or grid is None:
        return None
    return _Row(
        row=number,
        name=name,
        id_number=id_number,
        gender=gender,
        birth_year=birth_year,
        phone=phone,
        address=text[ADDRESS],
        grid_id=grid[0],
        grid_path=grid[1],
        building=building,
        unit=unit,
        number=room_number,
        relation=relation,
        kind=kind,
    )


# Writing -------------------------------------------------------------------------------------------------------


def import_persons(*, actor: Caller, file: IO[bytes], now: dt.datetime | None = None) -> ImportResult:
    """批量导入实有人口: check the whole file, then write all of it in one transaction, or nothing."""
    if not may_import(actor):
        raise OutsideJurisdiction(_("只有网格长、调度员和管理员可以批量导入人员。"))
    checked = check_file(actor=actor, file=file)
    if checked.errors:
        raise ImportRefused(checked)
    if not checked.rows:
        raise DomainError(_("表格中没有人员数据。"), code=PeopleErrorCode.IMPORT_EMPTY)
    return write_rows(actor=actor, checked=checked, now=now or timezone.now())


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _insert(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert plain rows (no personal data): ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""
    if _postgres():
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    objects = (model(**dict(zip(columns, row, strict=True))) for row in rows)
    batch: list[Any] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= 1000:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)


def _select(model: Any, columns: Sequence[str], key: str, values: Sequence[Any]) -> list[Any]:
    """Rows of ``columns`` whose ``key`` is one of ``values``: one array parameter per 50,000 on PostgreSQL (an
    ``IN`` list of that many parameters costs more to build than to run), ``__in`` batches elsewhere."""
    out: list[Any] = []
    if _postgres():
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            for chunk in _chunks(list(values), 50_000):
                cursor.execute(
                    f"SELECT {quoted} FROM {table} WHERE {connection.ops.quote_name(key)} = ANY(%s)", [list(chunk)]
                )
                out.extend(cursor.fetchall())
        return out
    for chunk in _chunks(list(values), 1000):
        out.extend(model.objects.filter(**{f"{key}__in": chunk}).values_list(*columns))
    return out


def write_rows(*, actor: Caller, checked: Checked, now: dt.datetime) -> ImportResult:
    rows = checked.rows
    result = ImportResult(rows=len(rows), merged=checked.merged, sha256=checked.sha256)
    id_indexes = pii.blind_index_many([r.id_number for r in rows])
    phone_indexes = pii.blind_index_many([r.phone for r in rows])
    for i, r in enumerate(rows):
        if not r.phone:
            phone_indexes[i] = ""
    with transaction.atomic():
        before: dict[str, tuple[int, int]] = {}  # id_index -> (pk, grid id) of persons already known
        before.update(
            (index, (pk, grid_id))
            for index, pk, grid_id in _select(Person, ["id_index", "id", "grid_id"], "id_index", id_indexes)
        )
        if _postgres():
            pks = _upsert_persons_copy(rows, id_indexes, phone_indexes, now)
        else:
            pks = _upsert_persons_orm(rows, id_indexes, phone_indexes, before, now)
        for index, r in zip(id_indexes, rows, strict=True):
            known = before.get(index)
            if known is None:
                result.created += 1
            elif known[1] != r.grid_id:
                result.moved += 1
            else:
                result.updated += 1
        person_ids = [pks[index] for index in id_indexes]
        moved_ids = {
            pks[index]
            for index, r in zip(id_indexes, rows, strict=True)
            if index in before and before[index][1] != r.grid_id
        }
        rooms = _rooms(rows, result, now)
        _residences(rows, person_ids, rooms, set(pk for pk, _g in before.values()), moved_ids, result, now)
        node = _common_node(rows)
        audit.record(
            actor=actor,
            verb="import_persons",
            target=node,
            grid_path=node.path,
            note=_("批量导入人员 %(n)s 行") % {"n": result.rows},
            data={
                "file_sha256": checked.sha256,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "moved": result.moved,
                "merged": result.merged,
                "residences_started": result.residences_started,
                "residences_ended": result.residences_ended,
                "buildings_created": result.buildings_created,
                "rooms_created": result.rooms_created,
            },
        )
    return result


def _upsert_persons_copy(
    rows: list[_Row], id_indexes: list[str], phone_indexes: list[str], now: dt.datetime
) -> dict[str, int]:
    """PostgreSQL: encrypt in batches, ``COPY`` into a staging table, one ``INSERT … ON CONFLICT``; id_index -> pk."""
    pks: dict[str, int] = {}
    with connection.cursor() as cursor:
        # ON COMMIT DROP clears it at the end of the transaction; a second import inside the same transaction
        # (a caller's atomic block, a test) starts from a fresh table all the same.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.people_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE people_import_stage (grid_id bigint, grid_path varchar(255), name text, "
            "id_number text, id_index varchar(64), phone text, phone_index varchar(64), address text, "
            "kind varchar(10), gender varchar(6), birth_year smallint) ON COMMIT DROP"
        )
        with cursor.copy(
            "COPY people_import_stage (grid_id, grid_path, name, id_number, id_index, phone, phone_index, address, "
            "kind, gender, birth_year) FROM STDIN"
        ) as copy:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                names = crypto.encrypt_many(r.name for r in chunk)
                ids = crypto.encrypt_many(r.id_number for r in chunk)
                phones = _encrypt_optional([r.phone for r in chunk])
                addresses = _encrypt_optional([r.address for r in chunk])
                for i, r in enumerate(chunk):
                    copy.write_row(
                        (
                            r.grid_id,
                            r.grid_path,
                            names[i],
                            ids[i],
                            id_indexes[start + i],
                            phones[i],
                            phone_indexes[start + i],
                            addresses[i],
                            r.kind,
                            r.gender,
                            r.birth_year,
                        )
                    )
        # A blank phone, address or birth year in the file keeps what was known; the file's values win otherwise.
        cursor.execute(
            "INSERT INTO people_person (grid_id, grid_path, name, id_number, id_index, phone, phone_index, address, "
            "kind, gender, birth_year, created_at, updated_at) "
            "SELECT grid_id, grid_path, name, id_number, id_index, phone, phone_index, address, kind, gender, "
            "birth_year, %s, %s FROM people_import_stage "
            "ON CONFLICT (id_index) WHERE NOT (id_index = '') DO UPDATE SET "
            "grid_id = EXCLUDED.grid_id, grid_path = EXCLUDED.grid_path, name = EXCLUDED.name, kind = EXCLUDED.kind, "
            "phone = CASE WHEN EXCLUDED.phone_index <> '' THEN EXCLUDED.phone ELSE people_person.phone END, "
            "phone_index = CASE WHEN EXCLUDED.phone_index <> '' THEN EXCLUDED.phone_index "
            "ELSE people_person.phone_index END, "
            "address = CASE WHEN EXCLUDED.address <> '' THEN EXCLUDED.address ELSE people_person.address END, "
            "gender = CASE WHEN EXCLUDED.gender <> '' THEN EXCLUDED.gender ELSE people_person.gender END, "
            "birth_year = COALESCE(EXCLUDED.birth_year, people_person.birth_year), updated_at = EXCLUDED.updated_at "
            "RETURNING id_index, id",
            [now, now],
        )
        pks.update(cursor.fetchall())
    return pks


def _encrypt_optional(values: list[str]) -> list[str]:
    present = [v for v in values if v]
    sealed = iter(crypto.encrypt_many(present))
    return [next(sealed) if v else "" for v in values]


def _upsert_persons_orm(
    rows: list[_Row],
    id_indexes: list[str],
    phone_indexes: list[str],
    before: dict[str, tuple[int, int]],
    now: dt.datetime,
) -> dict[str, int]:
    """SQLite: ``bulk_create`` the new persons and ``bulk_update`` the known ones (the fields encrypt themselves)."""
    new: list[Person] = []
    for r, index, phone_index in zip(rows, id_indexes, phone_indexes, strict=True):
        if index not in before:
            new.append(
                Person(
                    grid_id=r.grid_id,
                    grid_path=r.grid_path,
                    name=r.name,
                    id_number=r.id_number,
                    id_index=index,
                    phone=r.phone,
                    phone_index=phone_index,
                    address=r.address,
                    kind=r.kind,
                    gender=r.gender,
                    birth_year=r.birth_year,
                    created_at=now,
                    updated_at=now,
                )
            )
    for chunk in _chunks(new, 1000):
        Person.objects.bulk_create(chunk)
    known_rows = {
        index: (r, phone_index)
        for r, index, phone_index in zip(rows, id_indexes, phone_indexes, strict=True)
        if index in before
    }
    for chunk in _chunks(list(known_rows), 1000):
        people = list(Person.objects.filter(id_index__in=chunk))
        for person in people:
            r, phone_index = known_rows[person.id_index]
            person.grid_id, person.grid_path, person.name, person.kind = r.grid_id, r.grid_path, r.name, r.kind
            if r.phone:
                person.phone, person.phone_index = r.phone, phone_index
            if r.address:
                person.address = r.address
            if r.gender:
                person.gender = r.gender
            if r.birth_year:
                person.birth_year = r.birth_year
            person.updated_at = now
        Person.objects.bulk_update(
            people,
            [
                "grid",
                "grid_path",
                "name",
                "kind",
                "phone",
                "phone_index",
                "address",
                "gender",
                "birth_year",
                "updated_at",
            ],
        )
    pks: dict[str, int] = {}
    for chunk in _chunks(id_indexes):
        pks.update(Person.objects.filter(id_index__in=chunk).values_list("id_index", "pk"))
    return pks


def _code(prefix: str, *parts: Any) -> str:
    return prefix + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:20].upper()


def _rooms(rows: list[_Row], result: ImportResult, now: dt.datetime) -> dict[tuple[int, str, str, str], int]:
    """(grid id, building, unit, number) -> room id, creating the buildings and rooms the file names and the
    register lacks. A building is matched in its grid by code or by name."""
    wanted = {(r.grid_id, r.building) for r in rows if r.building}
    if not wanted:
        return {}
    grid_paths = {r.grid_id: r.grid_path for r in rows}
    grid_ids = sorted({g for g, _b in wanted})
    buildings: dict[tuple[int, str], int] = {}
    for pk, grid_id, code, name in _select(Building, ["id", "grid_id", "code", "name"], "grid_id", grid_ids):
        buildings.setdefault((grid_id, code), pk)
        buildings.setdefault((grid_id, name), pk)
    missing = sorted(w for w in wanted if w not in buildings)
    if missing:
        _insert(
            Building,
            ["grid_id", "grid_path", "code", "name", "kind", "address", "estate", "updated_at"],
            (
                (g, grid_paths[g], _code("B", g, label), label, Building.Kind.RESIDENTIAL, "", "", now)
                for g, label in missing
            ),
        )
        codes = {_code("B", g, label): (g, label) for g, label in missing}
        for pk, code in _select(Building, ["id", "code"], "code", list(codes)):
            buildings[codes[code]] = pk
        result.buildings_created = len(missing)
    wanted_rooms = {(buildings[(r.grid_id, r.building)], r.unit, r.number): r.grid_id for r in rows if r.building}
    rooms: dict[tuple[int, str, str], int] = {}
    building_ids = sorted({b for b, _u, _n in wanted_rooms})
    for pk, building_id, unit, number in _select(
        Room, ["id", "building_id", "unit", "number"], "building_id", building_ids
    ):
        rooms[(building_id, unit, number)] = pk
    missing_rooms = sorted(k for k in wanted_rooms if k not in rooms)
    if missing_rooms:
        # A room lies in its building's grid.
        owners = _select(Building, ["id", "grid_id", "grid_path"], "id", sorted({b for b, _u, _n in missing_rooms}))
        building_grid = {pk: grid_id for pk, grid_id, _path in owners}
        building_path = {pk: path for pk, _grid_id, path in owners}
        _insert(
            Room,
            ["grid_id", "grid_path", "building_id", "code", "unit", "number", "use", "updated_at"],
            (
                (building_grid[b], building_path[b], b, _code("R", b, u, n), u, n, Room.Use.OWNER, now)
                for b, u, n in missing_rooms
            ),
        )
        codes_r = {_code("R", b, u, n): (b, u, n) for b, u, n in missing_rooms}
        for pk, code in _select(Room, ["id", "code"], "code", list(codes_r)):
            rooms[codes_r[code]] = pk
        result.rooms_created = len(missing_rooms)
    return {
        (r.grid_id, r.building, r.unit, r.number): rooms[(buildings[(r.grid_id, r.building)], r.unit, r.number)]
        for r in rows
        if r.building
    }


def _residences(
    rows: list[_Row],
    person_ids: list[int],
    rooms: dict[tuple[int, str, str, str], int],
    known: set[int],
    moved: set[int],
    result: ImportResult,
    now: dt.datetime,
) -> None:
    """A person who now lives in another room (or moved grid without a room given) has the open residence ended
    today and a new one started: the history stays, nothing is duplicated."""
    today = timezone.localdate(now)
    open_rooms: dict[int, list[tuple[int, int]]] = {}  # person id -> [(residence id, room id)] still open
    for pk, person_id, room_id, until in _select(
        Residence, ["id", "person_id", "room_id", "until"], "person_id", sorted(known)
    ):
        if until is None:
            open_rooms.setdefault(person_id, []).append((pk, room_id))
    to_end: list[int] = []
    to_start: list[tuple[int, int, str, dt.date]] = []
    for r, person_id in zip(rows, person_ids, strict=True):
        current = open_rooms.get(person_id, [])
        if r.building:
            room_id = rooms[(r.grid_id, r.building, r.unit, r.number)]
            to_end.extend(pk for pk, room in current if room != room_id)
            if all(room != room_id for _pk, room in current):
                to_start.append((person_id, room_id, r.relation, today))
        elif person_id in moved:
            to_end.extend(pk for pk, _room in current)
    for chunk in _chunks(to_end):
        Residence.objects.filter(pk__in=chunk).update(until=today)
    if to_start:
        _insert(Residence, ["person_id", "room_id", "relation", "since"], to_start)
    result.residences_ended = len(to_end)
    result.residences_started = len(to_start)


def _common_node(rows: list[_Row]) -> GridNode:
    """The lowest node holding every grid of the import: where the audit row is filed."""
    paths = sorted({r.grid_path for r in rows})
    first, last = paths[0], paths[-1]
    prefix = ""
    for a, b in zip(first.split("/"), last.split("/"), strict=False):
        if a != b or not a:
            break
        prefix += a + "/"
    node = GridNode.objects.filter(path=prefix).first() if prefix else None
    return node or GridNode.objects.get(pk=rows[0].grid_id)


# Files for the office ------------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The empty template: the header row, choice lists for the coded columns, text format for IDs and phones,
    and a second sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("人员信息")
    sheet.append(HEADERS)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column in REQUIRED:
            cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if column in (ID_NUMBER, ADDRESS, BUILDING, GRID) else 12
        if column in (ID_NUMBER, PHONE, GRID, UNIT, ROOM):
            sheet.column_dimensions[letter].number_format = "@"  # long digit strings stay text, as typed
    sheet.freeze_panes = "A2"
    lists = {
        GENDER: [str(label) for c, label in Person.Gender.choices if c],
        RELATION: [str(label) for _c, label in Residence.Relation.choices],
        KIND: [str(label) for _c, label in Person.Kind.choices],
    }
    for column, labels in lists.items():
        letter = sheet.cell(row=1, column=HEADERS.index(column) + 1).column_letter
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}200000")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列"), _("是否必填"), _("说明")])
    explanations = {
        NAME: _("与身份证一致。"),
        ID_NUMBER: _("18 位公民身份号码；境外人员填写护照或证件号码。同一人只登记一次，已登记的人员将更新并迁入。"),
        GENDER: _("男或女；可不填，按公民身份号码确定。"),
        BIRTH: _("如 1990-01-31；可不填，按公民身份号码确定，填写时须与号码一致。"),
        PHONE: _("手机号或带区号的固定电话。"),
        ADDRESS: _("户口登记地址。"),
        GRID: _("现居住地所在网格或微网格的编码，须在您的管辖范围内。"),
        BUILDING: _("楼栋编码或名称；系统中没有的楼栋将自动建立。"),
        UNIT: _("如 1 单元；可不填。"),
        ROOM: _("填写了楼栋时必填，如 302。"),
        RELATION: "、".join(lists[RELATION]) + _("；不填为“居住”。"),
        KIND: "、".join(lists[KIND]) + _("；不填为“常住人口”。"),
    }
    for column in HEADERS:
        notes.append([column, _("必填") if column in REQUIRED else _("选填"), str(explanations[column])])
    notes.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def error_report(checked: Checked) -> bytes:
    """The bad rows as typed, with their row number in the uploaded file and every error of the row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fengqiao.core.exports import append_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误行"))
    append_row(sheet, [_("原行号"), *HEADERS, _("错误说明")], font=Font(bold=True))
    by_row: dict[int, list[RowError]] = {}
    for error in checked.errors:
        by_row.setdefault(error.row, []).append(error)
    for number in sorted(by_row):
        messages = "；".join(f"{e.column}：{e.message}" for e in by_row[number])
        append_row(sheet, [number, *checked.bad_rows.get(number, [""] * len(HEADERS)), messages])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
