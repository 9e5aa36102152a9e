"""The live link: one WebSocket per paired till for pushes (nudges) and heartbeats."""
