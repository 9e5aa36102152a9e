"""`kiosk-server`: `serve` runs the ASGI app with uvicorn; anything else is a Django command."""

from __future__ import annotations

import argparse
import logging
import os
import sys

SETTINGS_MODULE = "sync_server.config.settings"


def _prepare() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from sync_server.config.env import ENV

    # SQLite file, media and static files live here (static: whitenoise warns if missing).
    (ENV.data_dir / "static").mkdir(parents=True, exist_ok=True)


def serve(argv: list[str]) -> int:
    """Serve HTTP and WebSocket on one port; warns loudly if RLS can be bypassed."""
    parser = argparse.ArgumentParser(prog="kiosk-server serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="ASGI worker processes (default: KIOSK_WORKERS, else 1)",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)

    import django
    import uvicorn

    django.setup()
    from sync_server.common.db_roles import warn_if_rls_bypassed

    logging.getLogger("kiosk").setLevel(logging.INFO)
    from sync_server.common.request_log import logging_config
    from sync_server.config.env import DEV_SECRET_KEY, ENV

    if ENV.secret_key == DEV_SECRET_KEY and ENV.is_postgres:
        logging.getLogger("kiosk").warning(
            "KIOSK_SECRET_KEY is not set: tokens are signed with the public development key"
        )
    try:
        warn_if_rls_bypassed()
    except Exception as error:  # the server may still start; the database may come later
        logging.getLogger("kiosk.db").warning("could not check the database role: %s", error)
    uvicorn.run(
        "sync_server.config.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers or ENV.workers,
        log_level=args.log_level,
        # One line per request comes from RequestLogMiddleware, with the query string's
        # secrets blanked; uvicorn's own access line would print them.
        access_log=False,
        log_config=logging_config(ENV.log_format),
        lifespan="off",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-server` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    _prepare()
    if args and args[0] == "serve":
        return serve(args[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kiosk-server", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
