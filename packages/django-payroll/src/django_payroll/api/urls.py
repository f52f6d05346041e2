"""URLs of the payroll API; include under /api/ with namespace "payroll"."""

app_name = "payroll"

urlpatterns: list = []
