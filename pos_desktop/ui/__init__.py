"""The cashier app's touch screens (PySide6): the only package of the terminal that imports Qt."""
