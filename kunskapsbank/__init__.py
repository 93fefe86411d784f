"""Kunskapsbanken core: config, model, catalog, archive, the ingest workflow and the CLI."""
