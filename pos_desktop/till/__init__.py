"""The till: a Qt-free facade over the terminal's services, split into desks by screen.

`facade.TerminalTill` composes the desks (sign-in, catalog, cart, shift, orders, sync,
printer); screens talk to it only through their own port in `pos_desktop.ui.ports`.
"""
