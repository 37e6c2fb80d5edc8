"""Reading many plain rows fast."""

from django.db import connections


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


def insert_rows(objs: list, *, batch_size: int = 500, returning: bool = True, using: str = "default") -> None:
    """Insert unsaved model instances of one model, as ``bulk_create`` would, at the database's speed.

    Each field's value is prepared once when every instance holds the same one (the campaign, the defaults),
    and per row otherwise; then one multi-row ``INSERT … RETURNING id`` per batch sets the instances' ids
    (PostgreSQL and SQLite ≥ 3.35 both return the ids in the order of the rows). At 100,000 items
    ``bulk_create``'s per-object compiler work cost several times the inserts themselves.
    """
    if not objs:
        return
    connection = connections[using]
    model = type(objs[0])
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.generated and not (f.primary_key and f.auto_created)]
    shared = {}
    for field in fields:
        values = [field.pre_save(obj, True) for obj in objs]
        first = values[0]
        try:
            same = all(v == first and type(v) is type(first) for v in values)
        except Exception:  # a value that cannot be compared is prepared row by row
            same = False
        shared[field.attname] = field.get_db_prep_save(first, connection) if same else _SHARED
    template = [shared[f.attname] for f in fields]
    slots = [(at, f) for at, f in enumerate(fields) if shared[f.attname] is _SHARED]
    # The most parameters one statement may hold (SQLite ≥ 3.32: 32,766; PostgreSQL: 65,535).
    limit = 32000 if connection.vendor == "sqlite" else 65000
    batch_size = max(1, min(batch_size, limit // len(fields)))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returned = f" RETURNING {connection.ops.quote_name(pk.column)}" if returning else ""
    if connection.vendor == "postgresql" and returning:
        # One small statement, parsed once, sent for every row in a pipeline: psycopg splits a query's
        # placeholders with a regular expression, which on 500-row statements cost more than the inserts.
        rows = []
        for obj in objs:
            row = list(template)
            for at, field in slots:
                row[at] = field.get_db_prep_save(field.pre_save(obj, True), connection)
            rows.append(row)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_marks}{returned}", rows, returning=True)
            for obj in objs:
                setattr(obj, pk.attname, raw.fetchone()[0])
                obj._state.adding = False
                obj._state.db = using
                raw.nextset()
        return
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = []
            for obj in batch:
                row = list(template)
                for at, field in slots:
                    row[at] = field.get_db_prep_save(field.pre_save(obj, True), connection)
                params.extend(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_marks] * len(batch))}{returned}", params
            )
            if returning:
                for obj, (pk_value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, pk_value)
                    obj._state.adding = False
                    obj._state.db = using


def insert_pairs(model, first: str, second: str, pairs: list[tuple], *, using: str = "default") -> None:
    """Rows of two foreign keys (a many-to-many link table) with one ``executemany``: no model instances."""
    if not pairs:
        return
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    a = connection.ops.quote_name(model._meta.get_field(first).column)
    b = connection.ops.quote_name(model._meta.get_field(second).column)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({a}, {b}) VALUES (%s, %s)", pairs)


def insert_tuples(model, names: list[str], rows: list[tuple], *, using: str = "default") -> None:
    """Rows of plain values for the fields ``names`` of ``model``, without model instances or returned ids.

    Values go as the database driver takes them (ints, strings, Decimals, dates, None); anything else (a JSON
    field) the caller prepares with the field's ``get_db_prep_save``. PostgreSQL gets them by ``COPY``, the
    fastest way in; SQLite by one ``executemany``. For writes of tens of thousands of result rows.
    """
    if not rows:
        return
    connection = connections[using]
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
