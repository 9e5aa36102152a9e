"""`kiosk-server --help`: the project's commands first, one line each, not Django's raw list."""

from __future__ import annotations

import re

import pytest

from sync_server.cli import main


@pytest.mark.parametrize("asked", [[], ["--help"], ["-h"], ["help"]])
def test_help_lists_the_projects_commands_first(
    asked: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(asked) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^  (\w+)\s{2,}(\S.*)$", out, re.MULTILINE)
    names = [name for name, _ in listed]
    assert names[:4] == ["serve", "migrate", "seed_demo", "kitchen_ticket"]
    assert all(line for _, line in listed)  # one line of help each
    assert "dumpdata" not in names  # Django's raw list only on request
    assert out.index("Commands:") < out.index("Django commands worth knowing:")
    assert "kiosk-server help --all" in out


def test_help_all_is_djangos_full_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "--all"]) == 0
    assert "dumpdata" in capsys.readouterr().out
