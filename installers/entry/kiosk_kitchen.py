"""Entry point of the frozen `kiosk-kitchen` (the kitchen screen)."""

import sys

from pos_desktop.kitchen.cli import main

sys.exit(main())
