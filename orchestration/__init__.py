"""The Dagster code location: the retention warehouse's refresh as assets, checks, a schedule and a sensor."""
