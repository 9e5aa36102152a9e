"""Users, roles, PINs, JWT auth and the role x resource x action permission matrix."""
