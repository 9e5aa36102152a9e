"""Printer connections from one URL (tcp://, usb:, serial:, file:) and sending bytes to them."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from escpos import printer as escpos_printer

DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
DEFAULT_TIMEOUT_S = 5.0


class PrinterUrlError(ValueError):
    """The printer URL in settings or on the command line cannot be understood."""


class PrinterUnavailable(ConnectionError):
    """The printer could not be reached or refused the bytes; the queue will retry."""


@dataclass(frozen=True)
class PrinterAddress:
    """Where a printer is: one of network, USB, serial or file, parsed from a URL."""

    kind: Literal["tcp", "usb", "serial", "file"]
    host: str = ""
    port: int = DEFAULT_TCP_PORT
    vendor_id: int = 0
    product_id: int = 0
    device: str = ""
    baudrate: int = DEFAULT_BAUDRATE

    @property
    def url(self) -> str:
        """The canonical URL, as stored in settings and on print jobs."""
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "usb":
            return f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
        if self.kind == "serial":
            return f"serial:{self.device}:{self.baudrate}"
        return f"file:{self.device}"


def parse_printer_url(url: str) -> PrinterAddress:
    """Parse `tcp://HOST[:PORT]`, `usb:VID:PID` (hex), `serial:DEV[:BAUD]` or `file:PATH`."""
    text = url.strip()
    scheme, _, rest = text.partition(":")
    scheme = scheme.lower()
    if scheme == "tcp":
        parts = urlsplit(text)
        if not parts.hostname:
            raise PrinterUrlError(f"no host in {url!r}; use tcp://HOST:PORT")
        try:
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError as error:
            raise PrinterUrlError(f"bad port in {url!r}") from error
        return PrinterAddress("tcp", host=parts.hostname, port=port)
    if scheme == "usb":
        ids = rest.split(":")
        if len(ids) != 2:
            raise PrinterUrlError(f"use usb:VID:PID with hex ids, not {url!r}")
        try:
            vendor_id, product_id = (int(i.removeprefix("0x"), 16) for i in ids)
        except ValueError as error:
            raise PrinterUrlError(f"USB ids must be hex in {url!r}") from error
        return PrinterAddress("usb", vendor_id=vendor_id, product_id=product_id)
    if scheme == "serial":
        device, separator, baud = rest.rpartition(":")
        if not (separator and baud.isdigit()):
            device, baud = rest, ""
        if not device:
            raise PrinterUrlError(f"no device in {url!r}; use serial:DEV[:BAUD]")
        return PrinterAddress("serial", device=device, baudrate=int(baud or DEFAULT_BAUDRATE))
    if scheme == "file":
        path = rest.removeprefix("//")
        if not path:
            raise PrinterUrlError(f"no path in {url!r}; use file:PATH")
        return PrinterAddress("file", device=path)
    raise PrinterUrlError(f"unknown printer URL {url!r}; use tcp://, usb:, serial: or file:")


def open_printer(address: PrinterAddress, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Any:
    """A python-escpos printer object for the address (not yet connected)."""
    if address.kind == "tcp":
        return escpos_printer.Network(address.host, port=address.port, timeout=timeout_s)
    if address.kind == "file":
        return escpos_printer.File(address.device)
    if address.kind == "usb":
        if not escpos_printer.Usb.is_usable():
            raise PrinterUnavailable("USB printing needs the pyusb package")
        return escpos_printer.Usb(
            address.vendor_id, address.product_id, timeout=int(timeout_s * 1000)
        )
    if not escpos_printer.Serial.is_usable():
        raise PrinterUnavailable("serial printing needs the pyserial package")
    return escpos_printer.Serial(address.device, baudrate=address.baudrate, timeout=timeout_s)


def send_bytes(url: str, payload: bytes, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Send rendered ESC/POS bytes to the printer at `url`; raises PrinterUnavailable on failure.

    Blocking (up to the timeout): call it from the print queue's worker, never a UI thread.
    """
    address = parse_printer_url(url)
    device = open_printer(address, timeout_s=timeout_s)
    try:
        device.open()
        device._raw(payload)
    except PrinterUnavailable:
        raise
    except Exception as error:  # python-escpos raises many kinds; all mean "not printed"
        raise PrinterUnavailable(f"{address.url}: {error}") from error
    finally:
        with contextlib.suppress(Exception):  # a failed close must not hide the real outcome
            device.close()
