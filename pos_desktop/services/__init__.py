"""Terminal services: plain Python use cases, one unit of work per user action, no Qt."""
