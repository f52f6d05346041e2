"""Glue between the packages: the hooks they ask, how their events become notifications and books,
the marketplace contact and the dealer dashboard figures."""
