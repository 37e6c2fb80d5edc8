"""Reading many plain rows fast."""

import datetime
import decimal
from collections.abc import Sequence
from operator import attrgetter

from django.db import connections, models


def raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database returns them, without Django's converters.

    Django runs a converter over every row whenever one column has one (a boolean, or any SUM);
    at thousands of rows that costs more than the query. Only for columns whose database values
    are already what the caller needs: integers, strings, and booleans read as truthy (SQLite
    gives 0/1).
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_SHARED = object()
_NONE = type(None)
# Fields whose database value is the Python value itself when it has one of these types (their
# get_db_prep_save would only convert it to the same thing): read by attribute, not prepared per row.
_PLAIN = {
    models.CharField: (str, _NONE),
    models.TextField: (str, _NONE),
    models.IntegerField: (int, _NONE),
    models.PositiveIntegerField: (int, _NONE),
    models.PositiveSmallIntegerField: (int, _NONE),
    models.SmallIntegerField: (int, _NONE),
    models.BigIntegerField: (int, _NONE),
    models.BooleanField: (bool, _NONE),
    models.ForeignKey: (int, _NONE),
}


_MEMO_TYPES = (datetime.date, datetime.datetime, decimal.Decimal)


def _preparer(field, connection):
    """One row's database value of ``field``, as ``bulk_create`` would send it."""
    attname = field.attname
    plain = _PLAIN.get(type(field))
    if type(field) is models.ForeignKey and type(field.target_field) not in (models.AutoField, models.BigAutoField):
        plain = None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        plain = None  # pre_save stamps the time
    if plain is None:
        memo = {}  # dates and amounts repeat down a sheet: each distinct one prepared once

        def prepare_any(obj):
            value = field.pre_save(obj, True)
            if type(value) not in _MEMO_TYPES:
                return field.get_db_prep_save(value, connection)
            key = (type(value), value)
            if key not in memo:
                memo[key] = field.get_db_prep_save(value, connection)
            return memo[key]

        return prepare_any

    def prepare(obj):
        value = getattr(obj, attname)
        return value if type(value) in plain else field.get_db_prep_save(field.pre_save(obj, True), connection)

    return prepare


def new_instances(model, common: dict, rows: Sequence[dict]) -> list:
    """Unsaved instances, each as ``model(**common, **row)`` would be, without ``Model.__init__`` per row.

    The defaults and the shared values are set once on a template; each instance is a copy of it with the
    row's values set by attribute name (a relation's id, and the related object in the instance's cache,
    as the descriptor would). At 100,000 items ``__init__``'s work per field cost more than their insert.
    A key that is not a plain field or a foreign key (or a model with post_init receivers) takes the
    ordinary road.
    """
    from django.db.models.base import ModelState
    from django.db.models.signals import post_init, pre_init

    by_name = {}
    for f in model._meta.concrete_fields:
        by_name[f.name] = f
        by_name.setdefault(f.attname, f)
    keys = {key for row in rows for key in row}
    if pre_init.has_listeners(model) or post_init.has_listeners(model) or not keys <= by_name.keys():
        return [model(**common, **row) for row in rows]
    template = model(**common)
    base = {k: v for k, v in template.__dict__.items() if k != "_state"}
    base_cache = dict(template._state.fields_cache)
    # Plain fields (and relations given by their id) go in with one dict update per row; a relation given as
    # an object is then moved to its id and the instance's cache, as the descriptor would do; a relation
    # given by its id drops the cached object the template may hold.
    by_object = []  # (key, attname): a relation given as an object
    by_id = []  # (key, name): a relation given by its id
    for key in keys:
        f = by_name[key]
        if f.is_relation and key == f.name:
            by_object.append((key, f.attname))
        elif f.is_relation:
            by_id.append((key, f.name))
    new = model.__new__
    built = []
    for row in rows:
        obj = new(model)
        values = base.copy()
        values.update(row)
        cache = base_cache.copy() if base_cache or by_object else {}
        for key, attname in by_object:
            if key in values:
                value = values.pop(key)
                values[attname] = None if value is None else value.pk
                cache[key] = value
        for key, name in by_id:
            if key in row:
                cache.pop(name, None)
        obj.__dict__.update(values)
        state = obj._state = ModelState()
        state.fields_cache = cache
        built.append(obj)
    return built


def copy_rows(table: str, columns: Sequence[str], rows: list, *, using: str = "default") -> None:
    """Rows of database values into a table: COPY on PostgreSQL, one ``executemany`` elsewhere."""
    if not rows:
        return
    connection = connections[using]
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def insert_rows(objs: list, *, batch_size: int = 500, returning: bool = True, using: str = "default") -> None:
    """Insert unsaved model instances of one model, as ``bulk_create`` would, at the database's speed.

    Each field's value is prepared once when every instance holds the same one (the campaign, the defaults),
    and per row otherwise. On PostgreSQL the ids are drawn from the table's sequence first and the rows
    go in by COPY; elsewhere one multi-row ``INSERT … RETURNING id`` per batch sets the instances' ids
    (SQLite ≥ 3.35 returns them in the order of the rows). At 100,000 items ``bulk_create``'s per-object
    compiler work cost several times the inserts themselves.
    """
    if not objs:
        return
    connection = connections[using]
    model = type(objs[0])
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.generated and not (f.primary_key and f.auto_created)]
    shared = {}
    preparers = {}
    for field in fields:
        first = field.pre_save(objs[0], True)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # One insert, one moment: every row stamped with the first one's time (as pre_save would set it).
            for obj in objs:
                setattr(obj, field.attname, first)
        try:
            values = list(map(attrgetter(field.attname), objs))
            same = values.count(first) == len(values) and set(map(type, values)) == {type(first)}
        except Exception:  # a value that cannot be compared is prepared row by row
            same = False
        shared[field.attname] = field.get_db_prep_save(first, connection) if same else _SHARED
        preparers[field.attname] = _preparer(field, connection)
    template = [shared[f.attname] for f in fields]
    slots = [(at, preparers[f.attname]) for at, f in enumerate(fields) if shared[f.attname] is _SHARED]

    def prepared(obj) -> list:
        row = list(template)
        for at, prepare in slots:
            row[at] = prepare(obj)
        return row

    if connection.vendor == "postgresql" and returning:
        # Ids from the sequence, then COPY: the database's own bulk path, with no statement per row.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(objs)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk_value in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, pk_value)
        copy_rows(
            model._meta.db_table,
            [pk.column, *(f.column for f in fields)],
            [[obj.pk, *prepared(obj)] for obj in objs],
            using=using,
        )
        for obj in objs:
            obj._state.adding = False
            obj._state.db = using
        return
    # The most parameters one statement may hold (SQLite ≥ 3.32: 32,766; PostgreSQL: 65,535).
    limit = 32000 if connection.vendor == "sqlite" else 65000
    batch_size = max(1, min(batch_size, limit // len(fields)))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returned = f" RETURNING {connection.ops.quote_name(pk.column)}" if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = []
            for obj in batch:
                params.extend(prepared(obj))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(batch))}{returned}", params
            )
            if returning:
                for obj, (pk_value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, pk_value)
                    obj._state.adding = False
                    obj._state.db = using


def insert_pairs(model, first: str, second: str, pairs: list[tuple], *, using: str = "default") -> None:
    """Rows of two foreign keys (a many-to-many link table) in one go (COPY / executemany): no model instances."""
    if not pairs:
        return
    copy_rows(
        model._meta.db_table,
        [model._meta.get_field(first).column, model._meta.get_field(second).column],
        pairs,
        using=using,
    )


def insert_tuples(model, names: list[str], rows: list[tuple], *, using: str = "default") -> None:
    """Rows of plain values for the fields ``names`` of ``model``, without model instances or returned ids.

    Values go as the database driver takes them (ints, strings, Decimals, dates, None); anything else (a JSON
    field) the caller prepares with the field's ``get_db_prep_save``. Through :func:`copy_rows` (COPY on
    PostgreSQL). For writes of tens of thousands of result rows.
    """
    meta = model._meta
    copy_rows(meta.db_table, [meta.get_field(name).column for name in names], rows, using=using)
