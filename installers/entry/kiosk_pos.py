"""Entry point of the frozen `kiosk-pos` (the cashier app and its commands)."""

import sys

from pos_desktop.cli import main

sys.exit(main())
