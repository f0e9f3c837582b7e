"""The import pages: upload a ledger file, follow its job, read the report, undo a batch."""
