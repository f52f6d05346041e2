"""HR, payroll runs paid through django-wallet, income and expenses and financial reports for Django."""

__version__ = "0.1.0"
