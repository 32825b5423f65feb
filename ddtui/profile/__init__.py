"""Profiles of output tables (no Textual, no plotext here)."""
