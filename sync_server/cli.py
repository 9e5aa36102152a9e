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
    from sync_server.config.env import ENV, SecretKeyRefused, signing_key

    try:
        signing_key(ENV)
    except SecretKeyRefused as refused:
        print(f"kiosk-server: not starting: {refused}", file=sys.stderr)
        return 2
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
        # X-Forwarded-For/-Proto only from the proxies named in KIOSK_TRUSTED_PROXIES (none
        # by default): uvicorn would otherwise believe any local client's header.
        proxy_headers=bool(ENV.trusted_proxies),
        forwarded_allow_ips=list(ENV.trusted_proxies),
        lifespan="off",
    )
    return 0


HELP_ASKS: tuple[list[str], ...] = ([], ["-h"], ["--help"], ["help"])
FIRST_COMMANDS = ("serve", "migrate", "seed_demo")
DJANGO_COMMANDS_WORTH_KNOWING = ("showmigrations", "createsuperuser", "spectacular", "check")


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0].rstrip(".") if (text or "").strip() else ""


def project_commands() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, one line) of `serve` and every management command this project defines, and of
    a few of Django's worth knowing; each line is the command's own help text."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()
    ours = {name for name, app in commands.items() if app.startswith("sync_server")}
    ordered = [n for n in FIRST_COMMANDS if n in ours] + sorted(ours - set(FIRST_COMMANDS))

    def line(name: str) -> tuple[str, str]:
        return name, _first_line(load_command_class(commands[name], name).help)

    project = [("serve", _first_line(serve.__doc__ or "")), *map(line, ordered)]
    django_ones = [line(n) for n in DJANGO_COMMANDS_WORTH_KNOWING if n in commands]
    return project, django_ones


def print_help() -> None:
    """The project's commands first, one line each; Django's full list only on request."""
    project, django_ones = project_commands()
    width = max(len(name) for name, _ in [*project, *django_ones])
    print("usage: kiosk-server COMMAND [options]\n")
    print("The Kiosk POS cloud server (Django, one ASGI port for HTTP and WebSocket).\n")
    for title, listed in (("Commands", project), ("Django commands worth knowing", django_ones)):
        print(f"{title}:")
        for name, text in listed:
            print(f"  {name:<{width}}  {text}")
        print()
    print(
        "`kiosk-server COMMAND --help` shows a command's options;"
        " `kiosk-server help --all` lists every Django command."
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kiosk-server` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    _prepare()
    if args and args[0] == "serve":
        return serve(args[1:])
    if args in HELP_ASKS:
        print_help()
        return 0
    if args == ["help", "--all"]:
        args = ["help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kiosk-server", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
