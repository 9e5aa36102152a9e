"""What a slip's header says under the business name, for the till's printer and the back
office's receipt preview alike: each fact once."""

from __future__ import annotations

from collections.abc import Sequence


def _key(line: str) -> str:
    """A header line compared as a reader would: case, spacing and end punctuation ignored."""
    return " ".join(line.casefold().split()).strip(" .,;:-")


def slip_header_lines(
    *,
    tenant_name: str,
    outlet_name: str = "",
    address_lines: Sequence[str] = (),
    tax_id: str = "",
    tax_id_label: str = "",
    extra_lines: Sequence[str] = (),
) -> tuple[str, ...]:
    """Outlet, address, labelled tax id, then the tenant's header text: each once.

    The tenant's receipt header text often repeats the name and address the slip already
    prints (`Kopi Kiosk / Jl. Jend. Sudirman No. 1, Jakarta`): such lines are left out, as
    is an outlet named like the business.
    """
    names = {_key(tenant_name)}
    lines: list[str] = []
    if outlet_name and _key(outlet_name) not in names:
        lines.append(outlet_name)
        names.add(_key(outlet_name))
    addresses = [_key(line) for line in address_lines if _key(line)]
    lines += [line for line in address_lines if _key(line)]
    tax_id = tax_id.strip()
    if tax_id:
        labelled = not tax_id_label or _key(tax_id).startswith(_key(tax_id_label))
        lines.append(tax_id if labelled else f"{tax_id_label} {tax_id}")
    for line in extra_lines:
        key = _key(line)
        repeats = (
            not key
            or key in names
            or any(key.startswith(a) or a.startswith(key) for a in addresses)
            or (tax_id and _key(tax_id) in key)
        )
        if not repeats:
            lines.append(line)
    return tuple(lines)
