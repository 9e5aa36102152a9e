"""The cashier app's screens; each takes its till and background runner in the constructor."""
