"""Which printers this terminal uses, stored per terminal in the settings table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy.orm import Session

from pos_desktop.printing.connection import parse_printer_url
from pos_desktop.printing.paper import PaperProfile, paper_for_width
from pos_desktop.store.settings import SettingKey, get_mapping, put_setting


@dataclass(frozen=True)
class PrinterSettings:
    """Receipt printer, kitchen printers by station, paper widths, code page, drawer kick.

    Empty URLs mean "no printer": the receipt then only shows on screen, and kitchen tickets
    go to the screens alone. `kitchen_printers` maps a station code to a printer URL; `"*"`
    is the printer for stations without their own.
    """

    receipt_printer: str = ""
    receipt_width_mm: int = 80
    kitchen_printers: dict[str, str] = field(default_factory=dict)
    kitchen_width_mm: int = 80
    code_page: str = "CP858"
    open_drawer_on_cash: bool = True

    def __post_init__(self) -> None:
        for url in (self.receipt_printer, *self.kitchen_printers.values()):
            if url:
                parse_printer_url(url)  # refuse a bad URL when it is saved, not at print time
        self.receipt_paper()
        self.kitchen_paper()

    def receipt_paper(self) -> PaperProfile:
        """The paper of the receipt printer."""
        return paper_for_width(self.receipt_width_mm, code_page=self.code_page)

    def kitchen_paper(self) -> PaperProfile:
        """The paper of the kitchen printers."""
        return paper_for_width(self.kitchen_width_mm, code_page=self.code_page)

    def kitchen_printer(self, station: str) -> str:
        """The printer URL for a station ("" when the station has none)."""
        return self.kitchen_printers.get(station) or self.kitchen_printers.get("*", "")


def load_printer_settings(session: Session) -> PrinterSettings:
    """The terminal's printer settings (defaults when none were saved)."""
    value = get_mapping(session, SettingKey.PRINTING)
    known = PrinterSettings.__dataclass_fields__
    return PrinterSettings(**{k: v for k, v in value.items() if k in known})


def save_printer_settings(session: Session, settings: PrinterSettings) -> None:
    """Store the settings in the caller's transaction (the settings screen commits)."""
    put_setting(session, SettingKey.PRINTING, asdict(settings))
