"""Kitchen: tickets routed to stations, live over WebSockets, never lost on a reconnect."""
