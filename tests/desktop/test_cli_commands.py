"""`kiosk-pos` as a person types it on an offline folder: readable status, money, previews."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from pos_desktop.cli import fail_message, main
from tests.desktop.conftest import MemoryKeyring

RUPIAH = re.compile(r"Rp\s?\d{1,3}(?:\.\d{3})+")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    said = capsys.readouterr()
    return code, said.out, said.err


def test_simulate_prints_amounts_as_the_tenant_reads_money(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "--data-dir", str(tmp_path), "simulate", "--orders", "3")
    assert code == 0
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("3 orders, Rp")  # the demo café is an IDR shop in id_ID
    assert RUPIAH.search(summary), summary
    assert "minor units" not in summary and "IDR" not in summary


def test_status_without_json_is_a_table_a_person_reads(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--data-dir", str(tmp_path), "simulate", "--orders", "2")
    code, out, _ = _run(capsys, "--data-dir", str(tmp_path), "status")
    assert code == 0
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines())
    assert rows["Till"].startswith("not paired")
    assert rows["Link"] == "no server"
    assert rows["Waiting to sync"] == "3"  # two sales and the shift-opened event
    assert rows["Shift"].startswith("opened since ")
    assert rows["Last receipt"] == "DEMO-T1-000002"
    assert "{" not in out and "None" not in out  # no Python reprs


def test_receipt_preview_needs_no_printer(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--data-dir", str(tmp_path), "simulate", "--orders", "1")
    code, out, err = _run(
        capsys, "--data-dir", str(tmp_path), "receipt", "DEMO-T1-000001", "--preview"
    )
    assert code == 0, err
    assert "DEMO-T1-000001" in out and RUPIAH.search(out)
    assert "sent to" not in err
    code, _, err = _run(capsys, "--data-dir", str(tmp_path), "receipt", "DEMO-T1-000001")
    assert code == 2
    assert err.strip() == "kiosk-pos: say where to print with --to URL, or --preview it here"


def test_a_failing_command_says_its_prefix_once(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fail_message("kiosk-pos: error: no such thing") == "kiosk-pos: no such thing"
    _run(capsys, "--data-dir", str(tmp_path), "simulate", "--orders", "1")
    code, _, err = _run(
        capsys, "--data-dir", str(tmp_path), "attention", "--manager-pin", "0000", "--retry"
    )
    assert code == 1
    line = err.strip()
    assert line == "kiosk-pos: Wrong PIN.", line


def test_pairing_with_no_server_answering_says_so_once(
    tmp_path: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: the connection is refused
        code, _, err = _run(
            capsys,
            "--data-dir",
            str(tmp_path),
            "pair",
            "--server",
            f"http://127.0.0.1:{port}",
            "--code",
            "ABCD-EFGH",
        )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"kiosk-pos: pairing failed: http://127.0.0.1:{port} did not answer ("
    )
