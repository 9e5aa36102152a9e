"""Renders the kitchen screen with sample tickets to a PNG, for the docs (`python -m ...`)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from PySide6.QtWidgets import QApplication

from pos_desktop.kitchen.board import KitchenBoard
from pos_desktop.kitchen.client import REVOKED_WORDS
from pos_desktop.kitchen.ui import KitchenWindow
from shared.protocol import KitchenItemV1, KitchenTicketV1

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
OUTLET = UUID("0190f000-0000-7000-8000-000000000001")


def sample_ticket(
    sequence: int,
    *,
    minutes_ago: float,
    items: list[tuple[str, int, tuple[str, ...], str]],
    table: str = "",
    customer: str = "",
    station: str = "grill",
    already_printed: bool = False,
    sold_minutes_ago: float | None = None,
) -> KitchenTicketV1:
    """A made-up ticket (fixed ids from the sequence) for screenshots and tests."""
    return KitchenTicketV1(
        id=UUID(int=0x0190F000_0000_7000_8000_000000100000 + sequence),
        order_id=UUID(int=0x0190F000_0000_7000_8000_000000200000 + sequence),
        outlet_id=OUTLET,
        station=station,
        sequence=sequence,
        receipt_number=f"MAIN-T1-{100 + sequence:06d}",
        table=table,
        customer_name=customer,
        items=tuple(
            KitchenItemV1(
                line_id=UUID(int=0x0190F000_0000_7000_8000_000000300000 + sequence * 100 + n),
                name=name,
                quantity=quantity,
                modifiers=modifiers,
                note=note,
            )
            for n, (name, quantity, modifiers, note) in enumerate(items)
        ),
        already_printed=already_printed,
        created_at=NOW - timedelta(minutes=minutes_ago),
        ordered_at=None if sold_minutes_ago is None else NOW - timedelta(minutes=sold_minutes_ago),
    )


def sample_board() -> KitchenBoard:
    board = KitchenBoard(clock=lambda: NOW)
    board.apply_ticket(
        sample_ticket(
            1,
            minutes_ago=12.5,
            table="4",
            items=[
                ("Cheeseburger", 2, ("No onion", "Extra cheese"), ""),
                ("Fries", 2, (), ""),
            ],
        )
    )
    board.apply_ticket(
        sample_ticket(
            2,
            minutes_ago=7.2,
            customer="Dewi",
            items=[("Nasi goreng", 1, ("Spicy",), "Allergy: peanuts"), ("Fries", 1, (), "")],
        )
    )
    board.apply_ticket(
        sample_ticket(
            3,
            minutes_ago=3.1,
            table="11",
            items=[("Chicken satay", 3, (), ""), ("Fries", 1, (), "")],
        )
    )
    board.apply_ticket(
        sample_ticket(
            4,
            minutes_ago=0.6,
            table="2",
            station="bar",
            items=[("Iced latte", 2, ("Oat milk", "Less sugar"), ""), ("Lemon tea", 1, (), "")],
            already_printed=True,
        )
    )
    board.apply_ticket(
        sample_ticket(
            5,
            minutes_ago=0.2,
            customer="Take-away 17",
            items=[("Cheeseburger", 1, (), "Well done")],
        )
    )
    # Sold during an outage 14 minutes ago, on the screen only now: timed from the sale.
    board.apply_ticket(
        sample_ticket(
            6, minutes_ago=0.3, sold_minutes_ago=14, table="7", items=[("Mie goreng", 1, (), "")]
        )
    )
    voided = sample_ticket(7, minutes_ago=2, customer="Budi", items=[("Chicken satay", 2, (), "")])
    board.apply_ticket(voided)
    board.apply_ticket(voided.model_copy(update={"status": "cancelled", "sequence": 8}))
    return board


def render(path: Path, *, offline: bool = False, revoked: str | None = None) -> Path:
    """Draw the sample board at 1024×768 into `path`: online, offline, or refused by the
    server for `revoked` (a `device_revoked` reason: revoked, repaired, suspended)."""
    app = QApplication.instance() or QApplication([])
    window = KitchenWindow(sample_board(), title="Kitchen · MAIN")
    window.ticker.stop()
    window.resize(1024, 768)
    if revoked is not None:
        window.set_online(False, REVOKED_WORDS[revoked])
    else:
        window.set_online(not offline, "server unreachable")
    window.show()
    app.processEvents()
    window.grid.rebuild()
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path))
    window.close()
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    print(render(target / "kitchen.png"))
    print(render(target / "kitchen-offline.png", offline=True))
    print(render(target / "kitchen-revoked.png", revoked="revoked"))
