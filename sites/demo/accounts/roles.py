"""Who may do what in a dealership: the one readable role -> permission map.

A permission is "app_label.codename"; "app_label.*" grants every permission of
that app. Roles apply only inside the dealership that granted them (see
accounts.backends). Buyers (any signed-in user) and platform admins (staff)
are not roles here: buyers hold no dealership permission, staff hold all.
"""

DEALER = "dealer"
DEALER_STAFF = "dealer_staff"
BROKER = "broker"
SALES_AGENT = "sales_agent"
ACCOUNTANT = "accountant"
HR = "hr"
ROLE_CHOICES = [
    (DEALER, "Dealer"),
    (DEALER_STAFF, "Dealer staff"),
    (BROKER, "Broker"),
    (SALES_AGENT, "Sales agent"),
    (ACCOUNTANT, "Accountant"),
    (HR, "HR"),
]

_INVENTORY = {
    "car_listing.add_car", "car_listing.change_car", "car_listing.delete_car", "car_listing.view_car",
    "car_listing.view_sale", "car_listing.feature_car",
}
_LEADS_WORK = {"leads.view_lead", "leads.add_lead", "leads.change_lead"}
_LEADS_MANAGE = _LEADS_WORK | {
    "leads.view_all_leads", "leads.assign_lead", "leads.reopen_lead", "leads.view_analytics",
    "leads.view_sale", "leads.add_sale", "leads.view_commission", "leads.manage_commissionrule",
}
_HR = {"payroll.view_employee", "payroll.add_employee", "payroll.change_employee",
       "payroll.view_salarystructure", "payroll.add_salarystructure", "payroll.change_salarystructure",
       "payroll.view_payslip"}
_ACCOUNTING = {"payroll.view_payrollrun", "payroll.add_payrollrun", "payroll.change_payrollrun",
               "payroll.pay_payrollrun", "payroll.view_payslip", "payroll.view_employee",
               "payroll.view_taxband", "payroll.change_taxband",
               "leads.view_commission", "leads.pay_commission", "leads.view_sale", "books.*"}

# The dealership's own wallet: its balance and statement, and paying a member out of it.
_MONEY = {"tenancy.view_money", "tenancy.send_money"}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    DEALER: {"car_listing.*", "leads.*", "payroll.*", "books.*", "tenancy.manage_members",
             "tenancy.view_dashboard"} | _MONEY,
    DEALER_STAFF: _INVENTORY | _LEADS_MANAGE | {"tenancy.view_dashboard", "books.view_vehiclecost",
                                                 "books.add_vehiclecost"},
    BROKER: _LEADS_WORK | {"car_listing.view_car"},
    SALES_AGENT: _LEADS_WORK | {"car_listing.view_car", "car_listing.view_sale"},
    ACCOUNTANT: _ACCOUNTING | {"tenancy.view_dashboard"} | _MONEY,
    HR: _HR | {"tenancy.manage_members"},
}

# Which roles a member manager may give, change or take away (tenancy.services.member_*): the dealer any
# role; HR the staff roles, which hold neither money nor people. Platform staff may give any role.
STAFF_ROLES = (DEALER_STAFF, BROKER, SALES_AGENT)
ROLES_MANAGED_BY: dict[str, frozenset[str]] = {
    DEALER: frozenset(role for role, _ in ROLE_CHOICES),
    HR: frozenset(STAFF_ROLES),
}


# Platform staff's own decisions: no dealership role holds these, whatever the map above says (the
# dealer's "car_listing.*" would otherwise let a dealership verify its own cars for the marketplace).
PLATFORM_ONLY = {"car_listing.verify_car"}


def role_label(role: str) -> str:
    return dict(ROLE_CHOICES).get(role, role)


def role_grants(role: str, perm: str) -> bool:
    if perm in PLATFORM_ONLY:
        return False
    granted = ROLE_PERMISSIONS.get(role, set())
    app_label = perm.split(".", 1)[0]
    return perm in granted or f"{app_label}.*" in granted


def role_has_module(role: str, app_label: str) -> bool:
    return any(p.split(".", 1)[0] == app_label for p in ROLE_PERMISSIONS.get(role, set()))
