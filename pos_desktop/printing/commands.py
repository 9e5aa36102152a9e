"""`kiosk-pos print-test` and `kiosk-pos receipt`: command-line printing for support staff."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pos_desktop.printing.connection import PrinterUnavailable, PrinterUrlError, send_bytes
from pos_desktop.printing.document import PrintDocument, receipt_document, test_page_document
from pos_desktop.printing.paper import CODE_PAGE_CODECS, paper_for_width
from pos_desktop.printing.render_escpos import render_escpos
from pos_desktop.printing.render_text import render_text

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
URL_HELP = "tcp://HOST[:PORT] | usb:VID:PID | serial:DEV[:BAUD] | file:PATH"


def add_subcommands(subparsers: Any) -> None:
    """Add `print-test` and `receipt` to the `kiosk-pos` command line (handlers take `args`)."""
    test = subparsers.add_parser("print-test", help="print a test page (no store needed)")
    _printer_arguments(test)
    test.set_defaults(handler=run_print_test)

    receipt = subparsers.add_parser("receipt", help="print the receipt of a stored order")
    receipt.add_argument("receipt_no", metavar="RECEIPT_NO", help="e.g. KMG-T01-000123")
    _printer_arguments(receipt)
    receipt.add_argument("--copy", action="store_true", help='mark the slip "COPY" (reprint)')
    receipt.set_defaults(handler=run_receipt)


def _printer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to", default=None, metavar="URL", help=f"{URL_HELP} (not needed with --preview)"
    )
    parser.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper in mm")
    parser.add_argument(
        "--code-page", choices=sorted(CODE_PAGE_CODECS), default="CP858", help="printer code page"
    )
    parser.add_argument(
        "--preview", action="store_true", help="show the slip as text (and print it with --to)"
    )


def run_print_test(args: argparse.Namespace) -> int:
    """Send a test page straight to the printer and say whether it went through."""
    paper = paper_for_width(args.width, code_page=args.code_page)
    return _send(args, test_page_document(args.to, paper.columns))


def run_receipt(args: argparse.Namespace) -> int:
    """Print (or write, with file:) the receipt of an order stored in the terminal's data dir."""
    from pos_desktop.printing.from_store import (
        OrderNotFound,
        find_order,
        receipt_data_for_order,
    )
    from pos_desktop.store.db import DB_FILENAME, Database

    data_dir = Path(args.data_dir)
    if not (data_dir / DB_FILENAME).exists():
        print(f"no terminal database in {data_dir}", file=sys.stderr)
        return EXIT_ERROR
    database = Database(data_dir)
    try:
        with database.session_factory() as session:
            data = receipt_data_for_order(session, find_order(session, args.receipt_no))
    except OrderNotFound as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    finally:
        database.dispose()
    # A support reprint never opens the cash drawer.
    document = replace(receipt_document(data, copy=args.copy), open_drawer=False)
    return _send(args, document)


def _send(args: argparse.Namespace, document: PrintDocument) -> int:
    paper = paper_for_width(args.width, code_page=args.code_page)
    if args.to is None and not args.preview:
        print("kiosk-pos: say where to print with --to URL, or --preview it here", file=sys.stderr)
        return EXIT_USAGE
    if args.preview:
        print(render_text(document, paper), end="")
    if args.to is None:
        return EXIT_OK
    try:
        send_bytes(args.to, render_escpos(document, paper))
    except (PrinterUrlError, PrinterUnavailable) as error:
        print(f"not printed: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"sent to {args.to}", file=sys.stderr)
    return EXIT_OK
