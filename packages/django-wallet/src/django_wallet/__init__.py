"""Double-entry wallet for Django: accounts, ledger, transfers, holds, seller credit and charge sales,
safe under concurrency."""

__version__ = "0.1.0"
