"""Dossiers: what is handed over at the counter, worked through a workflow."""
