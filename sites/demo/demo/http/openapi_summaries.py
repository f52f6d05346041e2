"""One line per API operation for the docs (Swagger UI, ReDoc), keyed by "METHOD path".

An operation that declares its own summary (drf-spectacular's extend_schema) keeps it; every other
operation of either host takes its line from here, and tests/test_api_docs.py fails on an operation
with no summary or a line here that matches no operation.
"""
SUMMARIES = {
    # accounts
    "GET /api/auth/me/": "The signed-in user",
    "POST /api/auth/register/": "Create an account",
    "POST /api/auth/token/": "Sign in: get an access and a refresh token",
    "POST /api/auth/token/refresh/": "Exchange a refresh token for a new access token",
    # dealerships
    "GET /api/dealerships/": "Dealerships I belong to (all of them for platform admins)",
    "POST /api/dealerships/": "Create a dealership (platform admins)",
    "POST /api/dealerships/{slug}/follow/": "Follow a dealership's new listings",
    "DELETE /api/dealerships/{slug}/follow/": "Stop following a dealership",
    "POST /api/marketplace/contact/": "Contact the dealer about a car",
    # cars
    "GET /api/cars/": "Search cars for sale",
    "POST /api/cars/": "Add a car",
    "GET /api/cars/facets/": "Counts per make, body, fuel and price range for the search filters",
    "GET /api/cars/mine/": "My cars (or the dealership's inventory)",
    "GET /api/cars/purchases/": "Cars I bought",
    "GET /api/cars/saved/": "Cars I saved",
    "GET /api/cars/{id}/": "One car",
    "PUT /api/cars/{id}/": "Replace a car's details",
    "PATCH /api/cars/{id}/": "Change some of a car's details",
    "DELETE /api/cars/{id}/": "Remove a car",
    "GET /api/cars/{id}/analytics/": "Views, saves and leads of a car",
    "POST /api/cars/{id}/buy/": "Buy a car",
    "POST /api/cars/{id}/feature/": "Feature a car in search for some days (paid)",
    "GET /api/cars/{id}/history/": "A car's price and ownership history",
    "POST /api/cars/{id}/images/": "Add a photo",
    "POST /api/cars/{id}/images/reorder/": "Reorder the photos",
    "DELETE /api/cars/{id}/images/{image_id}/": "Remove a photo",
    "POST /api/cars/{id}/put-on-sale/": "Put a car on sale",
    "POST /api/cars/{id}/return-from-sale/": "Take a car off sale",
    "POST /api/cars/{id}/verify/": "Verify a car (platform admins)",
    "POST /api/cars/{id}/reject/": "Reject a car, with the reason (platform admins)",
    "POST /api/cars/{id}/save/": "Save a car",
    "POST /api/cars/{id}/unsave/": "Forget a saved car",
    "POST /api/cars/{id}/track/": "Record a view or a contact of a car",
    # leads
    "GET /api/leads/": "Leads of this dealership",
    "POST /api/leads/": "Record a lead",
    "GET /api/leads/{id}/": "One lead",
    "PATCH /api/leads/{id}/": "Change a lead's contact details or notes",
    "POST /api/leads/{id}/assign/": "Assign a lead to an agent",
    "GET /api/leads/{id}/timeline/": "A lead's history",
    "PATCH /api/leads/{id}/update_status/": "Move a lead along the pipeline (won records the sale)",
    "GET /api/leads/agents/": "Agents with their open lead counts",
    "GET /api/leads/analytics/": "Funnel, conversion and agent figures",
    "GET /api/leads/assignment-rule/": "How new leads are assigned",
    "PUT /api/leads/assignment-rule/": "Change how new leads are assigned",
    "GET /api/leads/commission-rules/": "Commission rules",
    "POST /api/leads/commission-rules/": "Set an agent's (or the default) commission rule",
    "GET /api/leads/commissions/": "Commissions, accrued and paid",
    "POST /api/leads/commissions/{id}/payout/": "Pay an accrued commission",
    "POST /api/leads/contact/": "Contact the dealer about a car (on the dealership's host)",
    "GET /api/leads/sales/": "Sales closed from leads",
    # payroll, HR and accounting
    "GET /api/hr/employees/": "Employees",
    "POST /api/hr/employees/": "Hire an employee",
    "GET /api/hr/employees/{id}/": "One employee",
    "PATCH /api/hr/employees/{id}/": "Change an employee's details",
    "GET /api/hr/employees/{id}/history/": "Every recorded version of an employee",
    "GET /api/hr/employees/{id}/salaries/": "An employee's salaries",
    "POST /api/hr/employees/{id}/salaries/": "Give an employee a new salary",
    "POST /api/hr/employees/{id}/terminate/": "End an employee's employment",
    "GET /api/payroll/runs/": "Payroll runs",
    "POST /api/payroll/runs/": "Start a payroll run",
    "GET /api/payroll/runs/{id}/": "One payroll run with its payslips",
    "POST /api/payroll/runs/{id}/adjustments/": "Add a one-off adjustment to a run",
    "POST /api/payroll/runs/{id}/calculate/": "Calculate a run's payslips",
    "POST /api/payroll/runs/{id}/approve/": "Approve a calculated run (dealer)",
    "POST /api/payroll/runs/{id}/pay/": "Pay an approved run",
    "GET /api/payroll/runs/{id}/csv/": "A run's payment report as CSV",
    "GET /api/payroll/payslips/": "Payslips (my own, or all for HR and accountants)",
    "GET /api/payroll/payslips/{id}/": "One payslip with its lines",
    "GET /api/payroll/payslips/{id}/csv/": "A payslip as CSV",
    "GET /api/payroll/payslips/{id}/pdf/": "A payslip as PDF",
    "GET /api/payroll/tax-bands/": "The income tax table",
    "PUT /api/payroll/tax-bands/": "Replace the income tax table",
    "GET /api/accounting/categories/": "Accounting categories",
    "POST /api/accounting/categories/": "Add an accounting category",
    "GET /api/accounting/entries/": "Accounting entries",
    "POST /api/accounting/entries/": "Book an income or expense by hand",
    "GET /api/accounting/reports/cash-position/": "Cash position",
    "GET /api/accounting/reports/expenses-by-category/": "Expenses by category",
    "GET /api/accounting/reports/expenses-by-category/csv/": "Expenses by category as CSV",
    "GET /api/accounting/reports/payroll-by-department/": "Payroll cost by department",
    "GET /api/accounting/reports/payroll-by-department/csv/": "Payroll cost by department as CSV",
    "GET /api/accounting/reports/profit-and-loss/": "Profit and loss by month",
    "GET /api/accounting/reports/profit-and-loss/csv/": "Profit and loss by month as CSV",
    "GET /api/accounting/reports/revenue-by-source/": "Revenue by source",
    "GET /api/accounting/reports/revenue-by-source/csv/": "Revenue by source as CSV",
    # notifications
    "GET /api/notifications/": "My notifications",
    "POST /api/notifications/{id}/read/": "Mark a notification read",
    "POST /api/notifications/read-all/": "Mark every notification read",
    "GET /api/notifications/unread-count/": "How many notifications are unread",
    "GET /api/notifications/preferences/": "Which notifications reach me, and how",
    "PUT /api/notifications/preferences/": "Choose which notifications reach me, and how",
    # trading
    "GET /api/trading/stocks/": "Stocks with their latest price",
    "POST /api/trading/stocks/": "Ingest price bars",
    "GET /api/trading/stocks/{ticker}/": "One stock with its recent prices",
    "POST /api/trading/transactions/": "Place a buy or sell order",
    "GET /api/trading/transactions/{user_id}/": "A trader's orders",
    "GET /api/trading/transactions/{user_id}/{start}/{end}/": "A trader's orders between two moments",
    "GET /api/trading/orders/": "My orders, newest first (another trader's for trading admins)",
    "POST /api/trading/orders/": "Place a buy or sell order",
    "GET /api/trading/orders/{id}/": "One order",
    "POST /api/trading/orders/{id}/cancel/": "Cancel a resting limit order",
    "POST /api/trading/deposits/": "Move money from my wallet to my trading account",
    "POST /api/trading/users/": "Register a trader with an opening balance",
    "GET /api/trading/users/{username}/": "A trader's balance and holdings",
}


def add_summaries(result, generator, request, public):
    """drf-spectacular postprocessing hook: the summary of every operation that has none."""
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if not operation.get("summary"):
                summary = SUMMARIES.get(f"{method.upper()} {path}")
                if summary:
                    operation["summary"] = summary
    return result
