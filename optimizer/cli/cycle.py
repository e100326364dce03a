"""Commands of the half-year cycle: the ledger of links and housing."""
