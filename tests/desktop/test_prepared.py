"""Prepared inserts store exactly what Core stores, so the ORM reads both alike."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, text

from pos_desktop.store.models import Customer, Order, Shift, SyncQueueItem
from pos_desktop.store.prepared import PreparedInsert, driver_cursor, prepared
from pos_desktop.terminal import Terminal


def _raw_row(terminal: Terminal, table: str, key: str, value: object) -> dict[str, object]:
    """The stored values, as SQLite holds them (no SQLAlchemy result processing)."""
    connection = sqlite3.connect(terminal.database.path)
    connection.row_factory = sqlite3.Row
    try:
        row = connection.execute(f'SELECT * FROM "{table}" WHERE "{key}" = ?', (value,)).fetchone()
        assert row is not None, f"no {table} row with {key}={value!r}"
        return dict(row)
    finally:
        connection.close()


def _write_both(terminal: Terminal, table: Table, row: dict[str, object], *unique: str) -> None:
    """The same row through Core and through the prepared insert (`unique` keys prefixed)."""
    core_row = dict(row, **{key: f"core-{row[key]}" for key in unique})
    prepared_row = dict(row, **{key: f"prep-{row[key]}" for key in unique})
    with terminal.uow() as uow:
        uow.session.connection().execute(table.insert(), [core_row])
        PreparedInsert(table).run(driver_cursor(uow.session), [prepared_row])
        uow.commit()


def _without(row: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: v for k, v in row.items() if k not in keys}


def test_a_full_order_row_is_stored_byte_for_byte_as_core_stores_it(
    open_terminal: Terminal,
) -> None:
    with open_terminal.uow() as uow:
        shift_id = uow.session.query(Shift).one().id
    at = datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7)))
    row: dict[str, object] = {
        "id": "order-1",
        "receipt_number": "MAIN-T1-000001",
        "shift_id": shift_id,
        "cashier_id": "cashier-1",
        "customer_id": None,
        "customer_name": "Ayu",
        "table": "7",  # a keyword as column name: SQLAlchemy's compiler quotes it
        "note": "no sugar; 'quoted'",
        "status": "paid",
        "currency": "IDR",
        "catalog_version": 12,
        "manual_discount": None,  # JSON null, as Core binds None to a JSON column
        "subtotal_minor": 10_000,
        "discount_minor": 0,
        "service_charge_minor": 0,
        "tax_minor": 1_100,
        "rounding_minor": 0,
        "total_minor": 11_100,
        "paid_minor": 20_000,
        "change_minor": 8_900,
        "refunded_minor": 0,
        "pricing": {"tax_lines": [{"name": "PB1", "amount_minor": 1100}], "promotions": []},
        "created_at": at,
    }
    table = cast(Table, Order.__table__)
    _write_both(open_terminal, table, row, "id", "receipt_number")

    core = _raw_row(open_terminal, "orders", "id", "core-order-1")
    prep = _raw_row(open_terminal, "orders", "id", "prep-order-1")
    assert _without(prep, "id", "receipt_number") == _without(core, "id", "receipt_number")
    assert prep["created_at"] == "2026-11-25 03:30:15.123456"  # stored as naive UTC
    with open_terminal.uow() as uow:
        read = uow.session.get(Order, "prep-order-1")
        assert read is not None
        assert read.created_at == at and read.created_at.tzinfo is not None
        assert read.pricing == row["pricing"]
        assert read.table == "7" and read.manual_discount is None


def test_left_out_columns_take_the_python_default_or_null_like_core(
    terminal: Terminal,
) -> None:
    table = cast(Table, Customer.__table__)
    _write_both(terminal, table, {"id": "c1", "name": "Budi"}, "id")

    core = _raw_row(terminal, "customers", "id", "core-c1")
    prep = _raw_row(terminal, "customers", "id", "prep-c1")
    assert _without(prep, "id") == _without(core, "id")
    assert prep["customer_group"] == "" and prep["created_offline"] == 0
    assert prep["phone"] is None


def test_a_callable_default_is_called_per_row() -> None:
    statement = prepared(SyncQueueItem.__table__)
    before = datetime.now(UTC).replace(tzinfo=None)
    values = statement.parameters({"kind": "order", "entity_id": "o1", "payload": "{}"})
    by_column = dict(zip(statement.column_keys, values, strict=True))
    created = datetime.fromisoformat(str(by_column["created_at"]))
    assert created >= before.replace(microsecond=0)
    assert by_column["status"] == "pending" and by_column["attempts"] == 0
    customers = prepared(Customer.__table__)
    ids = {
        dict(zip(customers.column_keys, customers.parameters({"name": name}), strict=True))["id"]
        for name in ("Ayu", "Budi", "Citra")
    }
    assert len(ids) == 3 and None not in ids  # new_id called for every row, not once


def test_an_unknown_key_is_refused_before_anything_is_written(terminal: Terminal) -> None:
    statement = prepared(Customer.__table__)
    with pytest.raises(KeyError, match="nickname"):
        statement.parameters({"id": "c2", "name": "Citra", "nickname": "Cit"})


def test_a_naive_datetime_is_refused_as_through_core(terminal: Terminal) -> None:
    statement = prepared(Shift.__table__)
    with pytest.raises(ValueError, match="naive"):
        statement.parameters({"id": "s1", "cashier_id": "c", "opened_at": datetime(2026, 1, 1)})


def test_a_failed_prepared_insert_rolls_back_with_the_unit_of_work(
    terminal: Terminal,
) -> None:
    statement = prepared(Customer.__table__)
    with pytest.raises(sqlite3.IntegrityError), terminal.uow() as uow:
        cursor = driver_cursor(uow.session)
        statement.run(cursor, [{"id": "dup", "name": "First"}])
        statement.run(cursor, [{"id": "dup", "name": "Second"}])
    with terminal.uow() as uow:
        assert (
            uow.session.execute(text("SELECT count(*) FROM customers WHERE id = 'dup'")).scalar()
            == 0
        )


def test_a_table_with_a_server_default_cannot_be_prepared() -> None:
    metadata = MetaData()
    table = Table(
        "with_server_default",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("state", String(10), server_default="new"),
    )
    with pytest.raises(TypeError, match="server default"):
        PreparedInsert(table)


def test_no_checkout_table_has_a_database_default_the_model_does_not_know(
    terminal: Terminal,
) -> None:
    """A prepared insert writes every column: one the migrations gave a database default
    and the model no Python default would get NULL where Core would get the default."""
    from pos_desktop.services import checkout
    from pos_desktop.store import outbox

    statements = [
        checkout.ORDER_INSERT,
        checkout.LINE_INSERT,
        checkout.PAYMENT_INSERT,
        checkout.APPROVAL_INSERT,
        outbox.OUTBOX_INSERT,
    ]
    connection = sqlite3.connect(terminal.database.path)
    try:
        for statement in statements:
            table = statement.table
            columns = connection.execute(f'PRAGMA table_info("{table.name}")').fetchall()
            assert {row[1] for row in columns} == set(statement.column_keys), table.name
            for _cid, name, _type, _notnull, database_default, _pk in columns:
                if database_default is not None:
                    assert table.columns[name].default is not None, f"{table.name}.{name}"
    finally:
        connection.close()
