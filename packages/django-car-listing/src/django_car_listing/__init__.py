"""Car marketplace for Django: listings, images, sale, purchase through django-wallet, verification,
featured, saved cars, analytics."""

__version__ = "0.1.0"
