"""@registry: an unknown record is a 404."""
