"""Video rooms: room tokens, TURN credentials and the room server (no Plone imports)."""
