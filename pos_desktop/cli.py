"""`kiosk-pos`: the cashier app (no command), and the headless terminal for tests and support.

The headless commands (pair, simulate, sync, status, ...) drive the same services as the screens.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from pos_desktop.config import DEFAULT_SYNC, default_data_dir
from pos_desktop.credentials import CredentialStoreUnavailable
from pos_desktop.services.checkout import last_receipt_number
from pos_desktop.services.demo_catalog import DEMO_CASHIER_PIN
from pos_desktop.services.errors import ServiceError
from pos_desktop.services.shifts import OPEN_STATES
from pos_desktop.services.simulate import simulate_sales
from pos_desktop.store.models import Shift
from pos_desktop.store.settings import SettingKey, get_setting
from pos_desktop.sync.client import DeviceNotAuthorized, RejectedError, SyncError, TransientError
from pos_desktop.terminal import Terminal
from pos_desktop.xcb_check import ensure_xcb_libraries
from shared.money import Money, format_money
from shared.protocol import MAX_BATCH_SIZE, TenantSettingsV1

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
PROG = "kiosk-pos"
NOT_AUTHORISED = "this till is no longer authorised: pair it again"


class CommandFailed(Exception):
    """A command could not do its job; the message is one sentence for the person typing."""


def fail_message(message: str) -> str:
    """`kiosk-pos: <message>`, the prefix said once even if the message already carries it."""
    text = message.strip()
    for prefix in (f"{PROG}:", "error:"):
        while text.lower().startswith(prefix):
            text = text[len(prefix) :].strip()
    return f"{PROG}: {text}"


def sync_failure(exc: SyncError) -> str:
    """What a failed server call means for the person at the till, in one sentence."""
    if isinstance(exc, DeviceNotAuthorized):
        return NOT_AUTHORISED
    if isinstance(exc, TransientError):
        return f"the server did not answer ({exc}); sales stay queued on this till"
    if isinstance(exc, RejectedError):
        return f"the server refused: {exc.reason}"
    return str(exc)


def money_of(terminal: Terminal) -> Callable[[int], str]:
    """Amounts as the tenant reads them (`Rp 25.000`), from the catalog's tenant settings."""
    with terminal.uow() as uow:
        raw = get_setting(uow.session, SettingKey.TENANT)
    if raw is None:
        return lambda amount_minor: f"{amount_minor} minor units"
    tenant = TenantSettingsV1.model_validate(raw)
    return lambda amount_minor: format_money(Money(amount_minor, tenant.currency), tenant.locale)


class _Progress:
    """A one-line text progress bar on stderr (no terminal library needed)."""

    def __init__(self, label: str, total: int, width: int = 30) -> None:
        self.label = label
        self.total = max(total, 1)
        self.width = width
        self.interactive = sys.stderr.isatty()
        self._last_shown = -1.0

    def show(self, done: int, suffix: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and not self.interactive and now - self._last_shown < 2.0:
            return
        self._last_shown = now
        filled = min(self.width, self.width * done // self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\r" if self.interactive else "\n"
        print(f"{self.label} [{bar}] {done}/{self.total} {suffix}", end=end, file=sys.stderr)

    def finish(self) -> None:
        if self.interactive:
            print(file=sys.stderr)


def _pair(terminal: Terminal, args: argparse.Namespace) -> int:
    try:
        identity = terminal.pair(args.server, args.code, device_name=args.name)
    except RejectedError as exc:  # e.g. a kitchen screen's code: the server names the app
        raise CommandFailed(f"pairing refused: {exc.reason}") from exc
    except TransientError as exc:
        raise CommandFailed(f"pairing failed: {args.server} did not answer ({exc})") from exc
    print(
        f"paired as terminal {identity.terminal_code} of outlet {identity.outlet_code} "
        f"(tenant {identity.tenant_slug})"
    )
    engine = terminal.sync_engine()
    try:
        engine.pull_catalog()
        engine.refresh_counts()
        print(f"catalog version {engine.state.catalog_version}")
    except SyncError as exc:
        print(
            fail_message(f"paired, but the catalog could not be pulled yet: {sync_failure(exc)}"),
            file=sys.stderr,
        )
    finally:
        engine.client.close()
    return EXIT_OK


def _simulate(terminal: Terminal, args: argparse.Namespace) -> int:
    identity = terminal.identity()
    if identity is not None and identity.paired and not terminal.has_catalog():
        engine = terminal.sync_engine()
        try:
            engine.pull_catalog()
        finally:
            engine.client.close()
    if identity is None:
        terminal.ensure_demo_catalog()
        identity = terminal.identity()
    pin = args.cashier
    if pin is None and not (identity is not None and identity.paired):
        pin = DEMO_CASHIER_PIN  # the built-in café; a paired till picks a cashier of its outlet
    progress = _Progress("simulate", args.orders)
    result = simulate_sales(
        terminal.uow, orders=args.orders, seed=args.seed, cashier_pin=pin, progress=progress.show
    )
    progress.show(result.orders, force=True)
    progress.finish()
    money = money_of(terminal)
    print(
        f"{result.orders} orders, {money(result.total_minor)}, "
        f"receipts {result.first_receipt} … {result.last_receipt}"
    )
    return EXIT_OK


def _require_paired(terminal: Terminal) -> None:
    identity = terminal.identity()
    if identity is None or not identity.paired or identity.server_url is None:
        raise CommandFailed(
            f"{terminal.data_dir} is not paired with a server, so there is nothing to sync: "
            f"pair it first with `{PROG} --data-dir {terminal.data_dir} pair --server URL "
            "--code CODE`."
        )


def _sync(terminal: Terminal, args: argparse.Namespace) -> int:
    _require_paired(terminal)
    settings = replace(DEFAULT_SYNC, batch_size=args.batch_size)
    engine = terminal.sync_engine(settings=settings)
    engine.refresh_counts()
    backlog = engine.state.pending
    progress = _Progress("sync", backlog)

    def show(suffix: str = "", *, force: bool = False) -> None:
        state = engine.state
        link = "online" if state.online else "offline" if state.online is False else "…"
        attention = f" · {state.needs_attention} need attention" if state.needs_attention else ""
        error = f" · {state.last_error}" if state.last_error else ""
        progress.show(
            max(backlog - state.pending, 0), f"{link}{attention}{error}{suffix}", force=force
        )

    if args.once:
        try:
            result = engine.run_pass(pull_catalog=True)
        finally:
            engine.client.close()
        show(force=True)
        progress.finish()
        print(
            f"acknowledged {result.acknowledged}, failed {result.failed}, "
            f"pending {engine.state.pending}, needs attention {engine.state.needs_attention}"
        )
        return EXIT_ERROR if result.transient_error else EXIT_OK
    stopping = {"now": False}

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    engine.add_listener(lambda _state: show())
    deadline = time.monotonic() + args.timeout if args.timeout else None
    engine.start()
    try:
        while not stopping["now"]:
            time.sleep(0.2)
            if args.until_empty and engine.state.pending == 0 and engine.state.online:
                engine.refresh_counts()
                if engine.state.pending == 0:
                    break
            if deadline is not None and time.monotonic() > deadline:
                show(" · timed out", force=True)
                progress.finish()
                return EXIT_TIMEOUT
    finally:
        engine.stop()
    show(force=True)
    progress.finish()
    return EXIT_OK


def _link(terminal: Terminal) -> tuple[bool, bool, str]:
    """(online, authorised, what the link is in words) from one authenticated ping.

    An unpaired till has no server; a till whose credentials cannot be read here (no
    keyring in this session) cannot ask, and says so rather than failing the whole status.
    """
    identity = terminal.identity()
    if identity is None or not identity.paired or identity.server_url is None:
        return False, True, "no server"
    engine = terminal.sync_engine()
    try:
        engine.probe_once()
    except CredentialStoreUnavailable:
        return False, True, "unknown: this session cannot read the till's credentials (keyring)"
    finally:
        engine.client.close()
    state = engine.state
    if not state.device_authorized:
        return False, False, NOT_AUTHORISED
    if state.online:
        return True, True, "online"
    return False, True, "offline: sales stay on this till until the server answers"


def status_document(terminal: Terminal) -> dict[str, Any]:
    """The `status --json` document (also what support staff read off a terminal)."""
    identity = terminal.identity()
    online, authorized, link = _link(terminal)
    with terminal.uow() as uow:
        queue = uow.outbox.counts()
        shift = uow.session.query(Shift).filter(Shift.state.in_(OPEN_STATES)).first()
        document: dict[str, Any] = {
            "online": online,
            "authorized": authorized,
            "link": link,
            "paired": bool(identity and identity.paired),
            "server": identity.server_url if identity else None,
            "terminal": identity.terminal_code if identity else None,
            "outlet": identity.outlet_code if identity else None,
            "tenant": identity.tenant_slug if identity else None,
            "pending": queue.pending,
            "needs_attention": queue.needs_attention,
            "last_sync": get_setting(uow.session, SettingKey.LAST_SYNC),
            "catalog_version": int(get_setting(uow.session, SettingKey.CATALOG_VERSION, 0)),
            "open_shift": None
            if shift is None
            else {"id": shift.id, "state": shift.state, "opened_at": shift.opened_at.isoformat()},
            "last_receipt_number": last_receipt_number(uow),
        }
    return document


def _when(iso: str | None) -> str:
    """`2026-12-04T10:13:47.679585+00:00` as `2026-12-04 10:13 UTC` (a person reads minutes)."""
    if not iso:
        return "never"
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def status_table(document: dict[str, Any]) -> str:
    """The status document as a person reads it: one labelled line per fact."""
    if document["paired"]:
        till = (
            f"{document['terminal']} of outlet {document['outlet']} (tenant {document['tenant']})"
        )
    else:
        till = "not paired (selling offline with the built-in demo café)"
    shift = document["open_shift"]
    rows = [
        ("Till", till),
        ("Server", document["server"] or "–"),
        ("Link", document["link"]),
        ("Waiting to sync", str(document["pending"])),
        ("Needs attention", str(document["needs_attention"])),
        ("Last sync", _when(document["last_sync"])),
        ("Catalog version", str(document["catalog_version"])),
        ("Shift", f"{shift['state']} since {_when(shift['opened_at'])}" if shift else "none open"),
        ("Last receipt", document["last_receipt_number"] or "–"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _status(terminal: Terminal, args: argparse.Namespace) -> int:
    document = status_document(terminal)
    if args.json:
        print(json.dumps(document, indent=2))
        return EXIT_OK
    print(status_table(document))
    return EXIT_OK


def _attention(terminal: Terminal, args: argparse.Namespace) -> int:
    from pos_desktop.services.auth import sign_in_by_pin

    with terminal.uow() as uow:
        person = sign_in_by_pin(uow, pin=args.manager_pin)
    if not person.is_manager:
        raise CommandFailed("a manager's PIN is needed")
    with terminal.uow() as uow:
        if args.export:
            exported = uow.outbox.export_needing_attention(Path(args.export))
            print(f"exported {exported} item(s) to {args.export}; they stay queued")
        if args.retry:
            retried = uow.outbox.retry_needing_attention()
            uow.commit()
            print(f"{retried} item(s) put back in the queue")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-pos", description=__doc__)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"the terminal's data folder (default {default_data_dir()})",
    )
    parser.add_argument(
        "--kiosk", action="store_true", help="with no command: open the till full screen"
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check the data folder, database, catalog, screen, keyring and printer; exit",
    )
    commands = parser.add_subparsers(dest="command")

    pair = commands.add_parser("pair", help="pair this terminal with the cloud")
    pair.add_argument("--server", required=True, help="e.g. https://pos.example.com")
    pair.add_argument("--code", required=True, help="the one-time pairing code")
    pair.add_argument("--name", default="", help="a name for this device")
    pair.set_defaults(handler=_pair)

    simulate = commands.add_parser("simulate", help="ring up N realistic sales")
    simulate.add_argument("--orders", type=int, required=True)
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument("--cashier", metavar="PIN", default=None)
    simulate.set_defaults(handler=_simulate)

    sync = commands.add_parser("sync", help="run the sync worker in the foreground")
    sync.add_argument("--once", action="store_true", help="one pass, then exit")
    sync.add_argument("--until-empty", action="store_true", help="exit once nothing is pending")
    sync.add_argument("--timeout", type=float, default=None, help="give up after S seconds")
    sync.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_SYNC.batch_size,
        choices=range(1, MAX_BATCH_SIZE + 1),
        metavar=f"1..{MAX_BATCH_SIZE}",
        help="orders per request (smaller for a poor link)",
    )
    sync.set_defaults(handler=_sync)

    status = commands.add_parser("status", help="online, pending, last sync, shift, receipt")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    attention = commands.add_parser("attention", help="manager: retry or export stuck items")
    attention.add_argument("--manager-pin", required=True)
    attention.add_argument("--retry", action="store_true")
    attention.add_argument("--export", metavar="FILE")
    attention.set_defaults(handler=_attention)

    try:
        printing = importlib.import_module("pos_desktop.printing.commands")
    except ModuleNotFoundError as exc:
        if exc.name != "pos_desktop.printing.commands":
            raise
    else:
        printing.add_subcommands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-pos` console script."""
    args = build_parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    if args.self_check:
        from pos_desktop.ui.self_check import pos_self_check

        return pos_self_check(args.data_dir)
    handler = getattr(args, "handler", None)
    if handler is None:  # no subcommand: the cashier app itself
        from pos_desktop.ui.app import run

        if not ensure_xcb_libraries(is_root=False):  # the app names packages, never installs
            return EXIT_ERROR
        return run(args.data_dir, kiosk=args.kiosk)
    if handler not in (_pair, _simulate, _sync, _status, _attention):
        return int(handler(args) or 0)  # a printing subcommand: it opens its own store
    terminal = Terminal(args.data_dir)
    try:
        return int(handler(terminal, args))
    except ServiceError as exc:
        message = exc.message
    except (CommandFailed, CredentialStoreUnavailable) as exc:
        message = str(exc)
    except SyncError as exc:
        message = sync_failure(exc)
    finally:
        terminal.close()
    print(fail_message(message), file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
