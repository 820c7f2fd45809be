"""Publishing and serving: versioned read-only copies of the marts, rollback, exports and the run summary."""
