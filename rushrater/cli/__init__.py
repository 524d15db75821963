"""Command line over the services (``rushrater --help``)."""
