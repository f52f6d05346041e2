"""Double-entry books for a car dealership: chart of accounts, journal, VAT, invoices and reports."""

__version__ = "0.1.0"
