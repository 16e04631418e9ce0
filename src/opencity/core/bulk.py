"""Set-based writes of many rows: one UPDATE for a batch, whatever its size."""

from __future__ import annotations

from django.db import connection


def bulk_set(model, objs: list, fields: list[str], *, batch_size: int = 20_000) -> None:
    """Write `fields` of every object in `objs` (saved rows), as `QuerySet.bulk_update` does.

    On PostgreSQL: `UPDATE … FROM unnest(%s::type[], …)`, one statement per batch; elsewhere one prepared
    UPDATE executed for every row. (Django's bulk_update builds a CASE of one branch per row and field: slow
    to compile and to plan for thousands of rows.)
    """
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    cols = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    if connection.vendor != "postgresql":
        # SQLite: one prepared UPDATE run for every row (executemany: the loop is in C).
        sets = ", ".join(f"{qn(f.column)} = %s" for f in cols)
        sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(pk.column)} = %s"  # noqa: S608 - names from the model
        rows = [[*(f.get_db_prep_save(getattr(o, f.attname), connection) for f in cols), o.pk] for o in objs]
        with connection.cursor() as cur:
            cur.executemany(sql, rows)
        return
    sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(cols))
    types = [f.db_type(connection) for f in [pk, *cols]]  # a foreign key's db_type is its target's
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    names = ", ".join(["id"] + [f"c{i}" for i in range(len(cols))])
    # Names come from the model, values are parameters.
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {sets} FROM unnest({unnest}) AS v({names}) WHERE t.{qn(pk.column)} = v.id"  # noqa: S608, E501
    )
    for i in range(0, len(objs), batch_size):
        chunk = objs[i : i + batch_size]
        params = [[o.pk for o in chunk]]
        params += [[f.get_db_prep_save(getattr(o, f.attname), connection) for o in chunk] for f in cols]
        with connection.cursor() as cur:
            cur.execute(sql, params)
