import datetime as dt
from decimal import Decimal

import pytest
from django_books import errors, selectors, services
from django_books.models import VehicleSale

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 11, 10)


def _sell(key="sale:1", gross="12000.00", vehicle_id=None, **kwargs):
    kwargs.setdefault("paid_into", "cash")
    return services.sale_post(key=key, gross=D(gross), sold_on=DAY, description="2019 Ford Focus",
                              source_type="sale", source_id=key, vehicle_id=vehicle_id, **kwargs)


def _balance(role):
    lines = services.account_by_role(role).lines.all()
    return sum((line.amount for line in lines), D("0"))


@pytest.mark.parametrize(("gross", "rate", "net", "vat"), [
    ("12000.00", "20", "10000.00", "2000.00"),
    ("100.00", "20", "83.33", "16.67"),
    ("0.01", "20", "0.01", "0.00"),
    ("999.99", "7.5", "930.22", "69.77"),
    ("500.00", "0", "500.00", "0.00"),
])
def test_vat_is_split_out_of_the_price_to_the_cent(gross, rate, net, vat):
    assert services.vat_split(D(gross), D(rate)) == (D(net), D(vat))


def test_a_sale_books_revenue_vat_and_the_vehicles_cost_with_its_margin():
    services.vehicle_cost_add(vehicle_id=5, kind="acquisition", amount=D("7000.00"), incurred_on=dt.date(2026, 10, 1))
    services.vehicle_cost_add(vehicle_id=5, kind="reconditioning", amount=D("450.00"), incurred_on=dt.date(2026, 10, 3),
                              description="tyres", paid_from="cash")
    sale, created = _sell(vehicle_id=5, customer_name="Ann Buyer")
    assert created and sale.invoice_number == 1
    assert (sale.net, sale.vat, sale.cost, sale.margin) == (D("10000.00"), D("2000.00"), D("7450.00"), D("2550.00"))
    assert (_balance("cash"), _balance("vehicle_sales"), _balance("vat_payable")) == (
        D("11550.00"), D("-10000.00"), D("-2000.00"))
    assert (_balance("inventory"), _balance("cost_of_vehicles"), _balance("payables")) == (
        D("0.00"), D("7450.00"), D("-7000.00"))
    assert sale.seller_name == "Test Motors Ltd" and sale.seller_vat_number == "GB123456789"
    assert selectors.vehicle_margins() == [{"invoice_number": 1, "vehicle_id": 5, "description": "2019 Ford Focus",
                                            "sold_on": DAY, "net": D("10000.00"), "cost": D("7450.00"),
                                            "margin": D("2550.00")}]
    with pytest.raises(errors.VehicleAlreadySold):
        services.vehicle_cost_add(vehicle_id=5, kind="reconditioning", amount=D("1.00"), incurred_on=DAY)


def test_a_vehicle_has_one_acquisition_cost():
    services.vehicle_cost_add(vehicle_id=5, kind="acquisition", amount=D("7000.00"), incurred_on=DAY)
    with pytest.raises(errors.DuplicateAcquisition):
        services.vehicle_cost_add(vehicle_id=5, kind="acquisition", amount=D("7000.00"), incurred_on=DAY)


def test_an_exempt_dealership_charges_no_vat_and_a_rate_change_keeps_old_invoices():
    first, _ = _sell(key="sale:1")
    services.profile_update(vat_exempt=True)
    second, _ = _sell(key="sale:2")
    services.profile_update(vat_exempt=False, vat_rate="5")
    third, _ = _sell(key="sale:3", gross="105.00")
    assert [(s.vat_rate, s.vat) for s in (first, second, third)] == [
        (D("20.00"), D("2000.00")), (D("0.00"), D("0.00")), (D("5.00"), D("5.00"))]
    assert second.entry.lines.count() == 2  # no VAT line of zero
    VehicleSale.objects.get(pk=first.pk)  # unchanged
    with pytest.raises(errors.InvalidVatRate):
        services.profile_update(vat_rate="100")


def test_a_sale_is_booked_and_numbered_once():
    first, _ = _sell(key="sale:1")
    again, created = _sell(key="sale:1")
    second, _ = _sell(key="sale:2")
    assert not created and again.pk == first.pk
    assert [first.invoice_number, second.invoice_number] == [1, 2]


def test_the_vat_return_declares_the_output_vat_of_the_period():
    _sell(key="sale:1", gross="1200.00")
    _sell(key="sale:2", gross="600.00")
    services.sale_post(key="sale:3", gross=D("120.00"), sold_on=dt.date(2026, 12, 1), description="december",
                       source_type="sale", source_id=3, paid_into="cash")
    vat = selectors.vat_return(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    assert (vat["net_sales"], vat["output_vat"]) == (D("1500.00"), D("300.00"))
    assert [i["invoice_number"] for i in vat["invoices"]] == [1, 2]


def test_a_sale_arriving_after_its_period_closed_is_posted_on_the_first_open_day():
    services.period_close(through=dt.date(2026, 11, 30))
    sale, _ = _sell(key="late")
    assert sale.sold_on == DAY and sale.entry.date == dt.date(2026, 12, 1)
    entry = services.commission_accrued(commission_id="c", amount=D("10.00"), date=DAY)
    assert entry.date == dt.date(2026, 12, 1)


def test_the_sales_summary_is_what_profit_and_loss_shows_for_vehicle_sales():
    """Sales paid into the wallet (the marketplace) and in cash (offline) count alike, month by month."""
    services.sale_post(key="car-sale:1", gross=D("12000.00"), sold_on=dt.date(2026, 10, 30), description="A",
                       source_type="car_sale", source_id=1, paid_into="wallet")
    services.sale_post(key="lead-sale:1", gross=D("32900.00"), sold_on=DAY, description="B",
                       source_type="lead_sale", source_id=1, paid_into="cash")
    services.sale_post(key="lead-sale:2", gross=D("999.99"), sold_on=DAY, description="C",
                       source_type="lead_sale", source_id=2, paid_into="cash")
    services.entry_post(date=DAY, lines=[services.debit("cash", D("50.00")), services.credit("other_income",
                                                                                             D("50.00"))])
    summary = selectors.sales_summary()
    sales_row = services.account_by_role("vehicle_sales").code

    def pnl_sales(**period):
        return {r["code"]: r["amount"] for r in selectors.profit_and_loss(**period)["income"]}[sales_row]

    # 10,000.00 + 27,416.67 + 833.33: the prices net of 20 % VAT
    assert (summary["count"], summary["revenue"]) == (3, pnl_sales()) == (3, D("38250.00"))
    assert [(m["month"], m["count"]) for m in summary["by_month"]] == [("2026-10", 1), ("2026-11", 2)]
    for month, period in (("2026-10", (dt.date(2026, 10, 1), dt.date(2026, 10, 31))),
                          ("2026-11", (dt.date(2026, 11, 1), dt.date(2026, 11, 30)))):
        (row,) = [m for m in summary["by_month"] if m["month"] == month]
        assert row["revenue"] == pnl_sales(date_from=period[0], date_to=period[1])
        assert selectors.sales_summary(date_from=period[0], date_to=period[1])["by_month"] == [row]
