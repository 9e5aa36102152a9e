"""`python -m sync_server.demo --data-dir DIR`: the single-machine demo (SQLite, seeded, served).

`make demo` runs this in `data/demo/server` (the default here too, so restarting the demo's
server by hand finds the same database). Later steps (pairing a terminal, opening the cashier app)
hook in through `prepare()` / `serve()` so they can run between the two.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HOST = "127.0.0.1"
PORT = 8000
DATA_DIR = Path("data/demo/server")
"""Where `make demo` keeps the server's SQLite file, media and static files."""


def configure(data_dir: Path) -> None:
    """Point the server at a SQLite file in `data_dir`, whatever the shell environment says."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["KIOSK_DATA_DIR"] = str(data_dir.resolve())
    os.environ["DATABASE_URL"] = f"sqlite:///{(data_dir / 'kiosk.sqlite3').resolve()}"
    os.environ.pop("DATABASE_OWNER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_server.config.settings")


def prepare(data_dir: Path) -> None:
    """Migrate and seed, with weeks of sales history for the back office on the first run
    (idempotent: a second `make demo` reuses the same data)."""
    configure(data_dir)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_history", verbosity=0)


def banner(host: str = HOST, port: int = PORT, data_dir: Path = DATA_DIR) -> str:
    """What to open, how to sign in, and how to start this same server again."""
    from sync_server.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD

    base = f"http://{host}:{port}"
    lines = [
        "Kiosk POS demo server",
        f"  API:      {base}/api/demo/products/  (Bearer token from {base}/api/auth/token/)",
        f"  API docs: {base}/api/docs/  (ReDoc: {base}/api/redoc/)",
        f"  Schema:   {base}/api/schema/",
        f"  Data:     {data_dir}  (restart: python -m sync_server.demo --data-dir {data_dir}"
        f" --port {port})",
        f"Demo accounts (password {DEMO_PASSWORD}):",
    ]
    for account in DEMO_ACCOUNTS:
        tenant = account.tenant_slug or "all tenants"
        pin = f", PIN {account.pin}" if account.pin else ""
        lines.append(f"  {account.username:<14} {account.role:<12} {tenant}{pin}")
    return "\n".join(lines)


def serve(host: str = HOST, port: int = PORT) -> int:
    from sync_server.cli import serve as serve_command

    return serve_command(["--host", host, "--port", str(port)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync_server.demo")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--no-serve", action="store_true", help="migrate and seed only")
    args = parser.parse_args(argv)
    prepare(args.data_dir)
    print(banner(args.host, args.port, args.data_dir), flush=True)
    if args.no_serve:
        return 0
    return serve(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
