"""A bank ledger: accounts, postings, daily balances carried from the ledger's opening, audit of large postings."""
