"""The cashier window fits the screens tills have (1366x768 and 1024x768) with the offline
banner shown: no screen asks for more room than is left under the header, banner and strip."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from pos_desktop.ui.main_window import MainWindow
from tests.gui.conftest import MANAGER_PIN, Driver


def assert_fits(window: MainWindow, size: tuple[int, int]) -> None:
    """Every screen's minimum size fits `size` with the offline banner shown, and the status
    strip stays on screen whichever screen is up."""
    window.resize(*size)
    window._poll_timer.stop()  # an online till's next status poll would hide the banner
    window.poller.wait()
    QApplication.processEvents()
    window.offline_banner.show()
    QApplication.processEvents()
    central = window.centralWidget()
    # What the header, the banner, the status strip and the margins take around the stack.
    chrome_height = central.minimumSizeHint().height() - window.stack.minimumSizeHint().height()
    assert chrome_height > 100  # the banner really counts
    too_big = {
        screen.objectName(): (screen.minimumSizeHint().width(), screen.minimumSizeHint().height())
        for screen in window.screens
        if screen.minimumSizeHint().height() + chrome_height > size[1]
        or screen.minimumSizeHint().width() + 20 > size[0]
    }
    assert too_big == {}, f"chrome {chrome_height} px; screens too big: {too_big}"
    for screen in window.screens:
        window.show_screen(screen)
        QApplication.processEvents()
        strip = window.pending_label
        bottom = strip.mapTo(window, strip.rect().bottomLeft()).y()
        assert bottom <= size[1], f"status strip cut off on {screen.objectName()}"
    assert window.offline_banner.isVisible()
    window._poll_timer.start()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_every_screen_fits_with_the_offline_banner(driver: Driver, size: tuple[int, int]) -> None:
    driver.sign_in(MANAGER_PIN)  # a manager sees every screen, settings included
    driver.keypad("shiftOpen_keypad", "500000")
    assert_fits(driver.window, size)
