"""Fixtures for printing tests: a fake network printer on loopback and the sample documents."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from pos_desktop.printing.document import (
    PrintDocument,
    kitchen_ticket_document,
    receipt_document,
)
from pos_desktop.printing.samples import sample_kitchen_ticket, sample_receipt
from tests.desktop.printing.fake_printer import FakeNetworkPrinter


@pytest.fixture
def fake_printer() -> Iterator[FakeNetworkPrinter]:
    """A fake network printer that is up for the test."""
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()


@pytest.fixture
def refused_port() -> int:
    """A loopback port nobody listens on (connections to it are refused at once)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def receipt() -> PrintDocument:
    """The sample cash sale as a receipt document."""
    return receipt_document(sample_receipt())


@pytest.fixture
def kitchen_ticket() -> PrintDocument:
    """The sample kitchen ticket, printed because the kitchen screens were unreachable."""
    return kitchen_ticket_document(sample_kitchen_ticket(offline=True))
