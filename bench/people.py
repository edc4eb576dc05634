"""Benchmark the base data at a district's scale: importing persons, finding one, a grid's profile, and the nightly
revocation of idle gate credentials.

Usage (PostgreSQL; the figures that count are taken with its durability defaults, fsync=on):
    DATABASE_URL=postgres://… .venv/bin/python bench/people.py [--persons 1500000] [--tenants 500000] [--xlsx 100000]

Measures, each beside its limit measured in the same run:
1. The all-or-nothing check on an XLSX of ``--xlsx`` rows with 1% bad rows (every bad row named, nothing written),
   then the same file fixed, imported whole (``people.importer.import_persons``).
2. The district's population (``--persons``, about 1.5 million in one district of the ``city`` demo) written by
   ``people.importer.write_rows`` in files of ``--batch`` rows: rows/s end to end (keyed hashes, SM4 encryption in
   Python, COPY into staging, INSERT … ON CONFLICT, buildings, rooms, residences, one audit row). Limits: the
   encryption and hashing alone, and COPY alone of the same pre-encrypted rows into a scratch table.
3. ``people.selectors.find_person`` by ID number (keyed hash, scoped, audited), p50/p95; limit: a primary-key
   SELECT round trip.
4. ``people.selectors.grid_profile`` of a grid, a community and a street, p50/p95.
5. ``people.rentals.revoke_idle`` over ``--tenants`` live credentials (a tenth of them idle past the limit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_500_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--xlsx", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=500_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--crypto", choices=["sm", "aes"], default="sm")
    parser.add_argument("--revocation-only", action="store_true", help="only part 5, on the data already loaded")
    parser.add_argument("--reads-only", action="store_true", help="only parts 3 and 4, on the data already loaded")
    args = parser.parse_args()

    os.environ["FENGQIAO_CRYPTO"] = args.crypto
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from tests.people.import_kit import file_with_bad_rows, person_row, workbook

    from fengqiao.accounts.models import Membership, Role, User
    from fengqiao.core import crypto, pii
    from fengqiao.core.validators import id_check_digit
    from fengqiao.grids.models import GridNode, Level
    from fengqiao.people import importer, selectors
    from fengqiao.people.models import Person

    assert connection.vendor == "postgresql", "bench/people.py measures PostgreSQL (set DATABASE_URL)"
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit'), version()")
        fsync, sync_commit, version = cursor.fetchone()
    print(f"server: fsync={fsync}, synchronous_commit={sync_commit}; {version.split(',')[0]}; crypto {args.crypto}")

    if args.reads_only:
        args.xlsx = args.persons = args.tenants = 0
    if args.revocation_only:
        revocation(args.tenants, random.Random(7))
        return

    # A district like the city demo's: 10 streets x 10 communities x 10 grids (1,000 grids, ~1,500 persons each).
    district = GridNode.objects.filter(code="419901").first()
    if district is None:
        with transaction.atomic():
            city = GridNode.objects.create(code="4199", name="基准市", level=Level.CITY)
            district = GridNode.objects.create(code="419901", name="基准区", level=Level.DISTRICT, parent=city)
            for s in range(10):
                street = GridNode.objects.create(
                    code=f"419901{s:03d}", name=f"第{s}街道", level=Level.STREET, parent=district
                )
                for c in range(10):
                    community = GridNode.objects.create(
                        code=f"{street.code}{c:03d}", name=f"第{s}-{c}社区", level=Level.COMMUNITY, parent=street
                    )
                    GridNode.objects.bulk_create(
                        [
                            GridNode(
                                code=f"{community.code}{g:03d}",
                                name=f"网格{g}",
                                level=Level.GRID,
                                parent=community,
                                path=f"{community.path}{community.code}{g:03d}/",
                                depth=community.depth + 1,
                            )
                            for g in range(10)
                        ]
                    )
    grids = list(
        GridNode.objects.filter(level=Level.GRID, path__startswith=district.path).values_list("code", "id", "path")
    )
    actor = User.objects.filter(username="bench-dispatcher").first()
    if actor is None:
        actor = User.objects.create_user(username="bench-dispatcher", password=None)
        Membership.objects.create(user=actor, node=district, role=Role.DISPATCHER)
    actor = User.objects.get(pk=actor.pk)

    # 1. The all-or-nothing check at --xlsx rows.
    if args.xlsx:
        rows, bad = file_with_bad_rows(args.xlsx, grids[0][0])
        data = workbook(rows).getvalue()
        before = Person.objects.count()
        start = time.perf_counter()
        try:
            importer.import_persons(actor=actor, file=io.BytesIO(data))
            raise AssertionError("a file with bad rows was imported")
        except importer.ImportRefused as refused:
            named = {e.row for e in refused.checked.errors}
        refuse_s = time.perf_counter() - start
        assert named == set(bad) and Person.objects.count() == before
        for number in bad:
            rows[number - 2] = person_row(number - 2, grids[0][0])
        data = workbook(rows).getvalue()
        start = time.perf_counter()
        result = importer.import_persons(actor=actor, file=io.BytesIO(data))
        import_s = time.perf_counter() - start
        assert result.rows == args.xlsx
        print(
            f"xlsx {args.xlsx:,} rows ({len(data) / 1e6:.1f} MB), {len(bad):,} bad: refused in {refuse_s:.1f} s naming "
            f"all {len(named):,} bad rows, nothing written; fixed file imported whole in {import_s:.1f} s "
            f"({args.xlsx / import_s:,.0f} rows/s, {result.created:,} new, {result.moved + result.updated:,} known)"
        )
        start = time.perf_counter()
        checked = importer.check_file(actor=actor, file=io.BytesIO(data))
        check_s = time.perf_counter() - start
        print(f"  of which reading and checking the XLSX: {check_s:.1f} s ({len(checked.rows) / check_s:,.0f} rows/s)")

    # 2. The district's population through write_rows (the path after a file is checked), in files of --batch.
    rng = random.Random(7)
    have = Person.objects.filter(grid_path__startswith=district.path).count()
    target = args.persons
    total_rows = 0
    total_s = 0.0
    n = 1_000_000 + have  # ID numbers beyond those of the XLSX part and of earlier runs
    first_batch_rows = None

    def make_batch(size: int) -> list[importer._Row]:
        nonlocal n
        batch_rows = []
        for _ in range(size):
            _code, grid_id, path = grids[rng.randrange(len(grids))]
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(80 * 365))
            # Distinct by construction: the area digits and the sequence vary with n.
            first17 = f"{41 + n // 10_000_000}{n // 1000 % 10_000:04d}{born:%Y%m%d}{n % 1000:03d}"
            number = first17 + id_check_digit(first17)
            batch_rows.append(
                importer._Row(
                    row=n,
                    name="张王李赵刘陈"[n % 6] + "某" + str(n % 89),
                    id_number=number,
                    gender="male" if int(number[16]) % 2 else "female",
                    birth_year=born.year,
                    phone=f"13{n % 1_000_000_000:09d}",
                    address=f"河南省郑州市某区某路{n % 500}号",
                    grid_id=grid_id,
                    grid_path=path,
                    building=f"{rng.randrange(1, 30)}号楼",
                    unit=f"{rng.randrange(1, 4)}单元",
                    number=str(rng.randrange(101, 1899)),
                    relation="resident",
                    kind="resident",
                )
            )
            n += 1
        return batch_rows

    while have + total_rows < target:
        size = min(args.batch, target - have - total_rows)
        batch_rows = make_batch(size)
        checked = importer.Checked(sha256="bench", rows=batch_rows)
        start = time.perf_counter()
        result = importer.write_rows(actor=actor, checked=checked, now=timezone.now())
        seconds = time.perf_counter() - start
        total_rows += result.rows
        total_s += seconds
        first_batch_rows = first_batch_rows or batch_rows
        print(
            f"  wrote {result.rows:,} persons in {seconds:.1f} s ({result.rows / seconds:,.0f} rows/s; "
            f"{result.rooms_created:,} rooms, {result.residences_started:,} residences) — "
            f"{have + total_rows:,} in the district"
        )
    if total_rows:
        # The same write with every ciphertext and keyed hash computed beforehand: what the database and the rest of
        # the Python path allow without the cryptography.
        batch_rows = make_batch(min(args.batch, 50_000))
        sealed: dict[str, str] = {}
        hashed: dict[str, str] = {}
        for values in (
            [r.name for r in batch_rows],
            [r.id_number for r in batch_rows],
            [r.phone for r in batch_rows],
            [r.address for r in batch_rows],
        ):
            sealed.update(zip(values, crypto.encrypt_many(values), strict=True))
        for values in ([r.id_number for r in batch_rows], [r.phone for r in batch_rows]):
            hashed.update(zip(values, pii.blind_index_many(values), strict=True))
        real_encrypt, real_hash = crypto.encrypt_many, pii.blind_index_many
        crypto.encrypt_many = lambda values: [sealed[v] for v in values]  # type: ignore[assignment]
        pii.blind_index_many = lambda values: [hashed[v] for v in values]  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            result = importer.write_rows(
                actor=actor, checked=importer.Checked(sha256="bench", rows=batch_rows), now=timezone.now()
            )
            db_s = time.perf_counter() - start
        finally:
            crypto.encrypt_many, pii.blind_index_many = real_encrypt, real_hash
        print(
            f"limit, the same write with the ciphertexts and hashes computed beforehand (database and Python path "
            f"only): {result.rows:,} persons in {db_s:.1f} s ({result.rows / db_s:,.0f} rows/s)"
        )
    if total_rows:
        print(
            f"import through COPY, end to end: {total_rows:,} persons in {total_s:.1f} s "
            f"({total_rows / total_s:,.0f} rows/s)"
        )
    if total_rows:
        sample = (
            first_batch_rows
            or [
                importer._Row(
                    0, "张某", "41010519800101001X", "", None, "13800000000", "某地址", 0, "", "", "", "", "", ""
                )
            ]
            * 20_000
        )
        sample = sample[:20_000]
        start = time.perf_counter()
        for values in (
            [r.name for r in sample],
            [r.id_number for r in sample],
            [r.phone for r in sample],
            [r.address for r in sample],
        ):
            crypto.encrypt_many(values)
        pii.blind_index_many([r.id_number for r in sample])
        pii.blind_index_many([r.phone for r in sample])
        crypt_s = time.perf_counter() - start
        print(
            f"limit, encryption and keyed hashes alone (4 fields + 2 hashes): {len(sample) / crypt_s:,.0f} rows/s, "
            "one core"
        )
        values = [r.id_number for r in sample]
        start = time.perf_counter()
        for v in values:
            crypto.encrypt(v)
        one_s = time.perf_counter() - start
        start = time.perf_counter()
        crypto.encrypt_many(values)
        many_s = time.perf_counter() - start
        print(
            f"  SM4-GCM per value: crypto.encrypt {len(values) / one_s:,.0f} values/s, "
            f"crypto.encrypt_many {len(values) / many_s:,.0f} values/s"
        )
        names = crypto.encrypt_many(r.name for r in sample)
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (grid_id bigint, grid_path varchar(255), name text, id_number text, "
                "id_index varchar(64), phone text, phone_index varchar(64), address text, kind varchar(10), "
                "gender varchar(6), birth_year smallint)"
            )
            start = time.perf_counter()
            with cursor.copy("COPY bench_copy FROM STDIN") as copy:
                for i, r in enumerate(sample):
                    copy.write_row(
                        (
                            r.grid_id,
                            r.grid_path,
                            names[i],
                            names[i],
                            "x" * 64,
                            names[i],
                            "y" * 64,
                            names[i],
                            r.kind,
                            r.gender,
                            r.birth_year,
                        )
                    )
            copy_s = time.perf_counter() - start
            cursor.execute("DROP TABLE bench_copy")
        print(f"limit, COPY alone of the same pre-encrypted rows: {len(sample) / copy_s:,.0f} rows/s")
        # The persons table's own floor: COPY of the same rows into an empty copy of it, with its indexes and its
        # foreign key to the grids, committed (so the WAL is flushed), before anything of rooms or residences.
        hashes = pii.blind_index_many([r.id_number for r in sample])
        phones = pii.blind_index_many([r.phone for r in sample])
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_person")
            cursor.execute("CREATE TABLE bench_person (LIKE people_person INCLUDING ALL)")
            cursor.execute(
                "ALTER TABLE bench_person ADD FOREIGN KEY (grid_id) REFERENCES grids_gridnode (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        now = timezone.now()
        start = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy(
                "COPY bench_person (grid_id, grid_path, name, id_number, id_index, phone, phone_index, address, "
                "kind, gender, birth_year, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for i, r in enumerate(sample):
                copy.write_row(
                    (
                        r.grid_id,
                        r.grid_path,
                        names[i],
                        names[i],
                        hashes[i],
                        names[i],
                        phones[i],
                        names[i],
                        r.kind,
                        r.gender,
                        r.birth_year,
                        now,
                        now,
                    )
                )
        table_s = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_person")
        print(
            f"limit, COPY of the same rows into an empty copy of the persons table (its indexes, its foreign key, "
            f"committed): {len(sample) / table_s:,.0f} rows/s"
        )

    # 3. Find a person by ID number.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person; ANALYZE people_residence; ANALYZE people_room")
    ids = [r.id_number for r in (first_batch_rows or [])]
    if not ids:
        ids = [p.id_number for p in Person.objects.filter(grid_path__startswith=district.path)[:5000]]
    timings = []
    for _ in range(args.lookups):
        wanted = ids[rng.randrange(len(ids))]
        start = time.perf_counter()
        person = selectors.find_person(actor=actor, id_number=wanted)
        timings.append((time.perf_counter() - start) * 1000)
        assert person is not None and person.id_number == wanted
    pk_timings = []
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    with connection.cursor() as cursor:
        for _ in range(args.lookups):
            start = time.perf_counter()
            cursor.execute("SELECT id FROM people_person WHERE id = %s", [rng.randrange(1, top)])
            cursor.fetchone()
            pk_timings.append((time.perf_counter() - start) * 1000)
    print(
        f"find_person by ID ({args.lookups:,} lookups, {Person.objects.count():,} persons): p50 "
        f"{statistics.median(timings):.2f} ms, p95 {pct(timings, 95):.2f} ms (audited, one commit each); "
        f"limit, PK SELECT round trip p50 {statistics.median(pk_timings):.2f} ms, p95 {pct(pk_timings, 95):.2f} ms"
    )

    # 4. Grid profile at three levels.
    for label, node_code in (
        ("grid", grids[len(grids) // 2][0]),
        ("community", grids[len(grids) // 2][0][:12]),
        ("street", grids[len(grids) // 2][0][:9]),
    ):
        timings = []
        for i in range(60):
            start = time.perf_counter()
            profile = selectors.grid_profile(actor=actor, code=node_code)
            if i >= 5:
                timings.append((time.perf_counter() - start) * 1000)
        print(
            f"grid_profile, a {label} ({profile.persons:,} persons, {profile.rooms:,} rooms): p50 "
            f"{statistics.median(timings):.1f} ms, p95 {pct(timings, 95):.1f} ms"
        )

    # 5. Nightly revocation over --tenants live credentials.
    if args.tenants:
        revocation(args.tenants, rng)


def revocation(tenants: int, rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from fengqiao.people import rentals
    from fengqiao.people.models import Credential

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_credential WHERE revoked_at IS NULL")
        live = cursor.fetchone()[0]
    if live < tenants:
        need = tenants - live
        with transaction.atomic(), connection.cursor() as cursor:
            # One letting per room (as many rooms as needed), landlords and tenants drawn from the persons.
            cursor.execute(
                "INSERT INTO people_rental (grid_id, grid_path, room_id, landlord_id, max_tenants, registered_at, "
                "group_link) SELECT r.grid_id, r.grid_path, r.id, (SELECT min(id) FROM people_person), 4, %s, '' "
                "FROM people_room r WHERE NOT EXISTS (SELECT 1 FROM people_rental x WHERE x.room_id = r.id) "
                "ORDER BY r.id LIMIT %s",
                [now, need // 2 + 1],
            )
            cursor.execute(
                "INSERT INTO people_tenancy (grid_id, grid_path, rental_id, person_id, state, move_in, submitted_at, "
                "verified_at, reason, secret_index) "
                "SELECT rt.grid_id, rt.grid_path, rt.id, p.id, 'verified', %s, %s, %s, '', '' "
                "FROM (SELECT id, grid_id, grid_path, 2 * row_number() OVER (ORDER BY id) + j AS k "
                "FROM people_rental, (VALUES (0), (1)) AS two (j)) rt "
                "JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM people_person) p ON p.k = rt.k "
                "WHERE NOT EXISTS (SELECT 1 FROM people_tenancy t WHERE t.rental_id = rt.id) LIMIT %s",
                [now.date(), now, now, need],
            )
            # A tenth idle for 16-40 days, the rest seen within the last fortnight.
            cursor.execute(
                "INSERT INTO people_credential (tenancy_id, grid_path, token_index, issued_at, last_seen_at, "
                "revoke_reason) SELECT t.id, t.grid_path, md5(t.id::text || 'bench'), %s - interval '60 days', "
                "CASE WHEN t.id %% 10 = 0 THEN %s - (16 + t.id %% 25) * interval '1 day' "
                "ELSE %s - (t.id %% 14) * interval '1 day' END, '' "
                "FROM people_tenancy t WHERE NOT EXISTS (SELECT 1 FROM people_credential c WHERE c.tenancy_id = t.id)",
                [now, now, now],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_credential")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_credential WHERE revoked_at IS NULL")
        live = cursor.fetchone()[0]
    start = time.perf_counter()
    revoked = rentals.revoke_idle(now)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor, transaction.atomic():
        start = time.perf_counter()
        cursor.execute("SELECT count(*) FROM people_credential WHERE COALESCE(last_seen_at, issued_at) <= %s", [now])
        cursor.fetchone()
        scan_s = time.perf_counter() - start
    print(
        f"revoke_idle over {live:,} live credentials: {revoked:,} revoked in {seconds:.2f} s "
        f"(target < 30 s); limit, one scan of the table {scan_s:.2f} s"
    )
    assert Credential.objects.filter(revoked_at__isnull=True).count() == live - revoked


if __name__ == "__main__":
    main()
