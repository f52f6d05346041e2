"""Analytics against a hand-computed fixture (numbers worked out on paper in the comments)."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from django_leads import selectors, services
from django_leads.errors import InvalidDateRange
from django_leads.models import AgentRole, Lead, LeadStatus

NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}


def at(day, hour=12, minute=0, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def fixture(make_agent, make_lead):
    """Leads L1..L8 for agents A (sales agent, 2 %) and B (broker, flat 500); L7, L8 created in October."""
    services.assignment_rule_update(strategy="manual")
    a = make_agent(username="alice")
    b = make_agent(username="bob", role=AgentRole.BROKER)
    services.commission_rule_set(kind="percent", percent=Decimal("2"), role=AgentRole.SALES_AGENT)
    services.commission_rule_set(kind="flat", amount=Decimal("500.00"), role=AgentRole.BROKER)

    def lead(agent, created, source, first_contact=None, status=LeadStatus.NEW, sale=None):
        obj = make_lead(agent=agent, source=source,
                        status=LeadStatus.NEGOTIATING if sale else status)
        if sale:
            price, sold_on = sale
            services.lead_win(lead=obj, agreed_price=Decimal(price), payment="offline", sold_on=sold_on)
        Lead.objects.filter(pk=obj.pk).update(created_at=created, first_contact_at=first_contact)
        return obj

    lead(a, at(2, 10), "marketplace", at(2, 11), sale=("10000.00", date(2026, 11, 5)))        # L1: 1h, won
    lead(a, at(2, 12), "phone", at(2, 15), status=LeadStatus.LOST)                             # L2: 3h, lost
    lead(a, at(10, 9), "walk_in", at(10, 9, 30), status=LeadStatus.CONTACTED)                  # L3: 30m
    l4 = lead(b, at(10, 10), "broker", at(11, 10), sale=("20000.00", date(2026, 11, 12)))      # L4: 24h, won
    lead(b, at(20), "marketplace")                                                             # L5: new
    lead(None, at(20, 13), "website")                                                          # L6: unassigned
    lead(a, at(25, month=10), "phone", at(25, 13, month=10), sale=("5000.00", date(2026, 10, 28)))  # L7: Oct
    lead(b, at(30, month=10), "phone", at(30, 13, month=10), sale=("8000.00", date(2026, 11, 3)))   # L8: sold Nov
    services.commission_payout(commission=l4.sale.commissions.get())
    return {"a": a, "b": b}


@pytest.mark.django_db
def test_summary(fixture):
    summary = selectors.lead_summary(**NOV)
    # L1..L6: 6 leads, won L1+L4, lost L2; first contacts 0.5h, 1h, 3h, 24h -> median (1+3)/2 = 2h.
    assert summary == {"total": 6, "won": 2, "lost": 1, "conversion_rate": Decimal("0.3333"),
                       "median_first_contact": timedelta(hours=2)}
    everything = selectors.lead_summary()
    # + L7, L8 (both won): 8 leads, 4 won; contacts 0.5, 1, 1, 1, 3, 24 -> median 1h.
    assert (everything["total"], everything["won"], everything["conversion_rate"],
            everything["median_first_contact"]) == (8, 4, Decimal("0.5000"), timedelta(hours=1))


@pytest.mark.django_db
def test_over_time_by_day_and_month(fixture):
    days = selectors.leads_over_time(**NOV, bucket="day")
    d2, d10, d20 = date(2026, 11, 2), date(2026, 11, 10), date(2026, 11, 20)
    assert days["by_status"] == [
        {"period": d2, "status": "lost", "count": 1}, {"period": d2, "status": "won", "count": 1},
        {"period": d10, "status": "contacted", "count": 1}, {"period": d10, "status": "won", "count": 1},
        {"period": d20, "status": "new", "count": 2},
    ]
    assert days["by_source"] == [
        {"period": d2, "source": "marketplace", "count": 1}, {"period": d2, "source": "phone", "count": 1},
        {"period": d10, "source": "broker", "count": 1}, {"period": d10, "source": "walk_in", "count": 1},
        {"period": d20, "source": "marketplace", "count": 1}, {"period": d20, "source": "website", "count": 1},
    ]
    months = selectors.leads_over_time(bucket="month")
    assert [(r["period"], r["status"], r["count"]) for r in months["by_status"]] == [
        (date(2026, 10, 1), "won", 2),
        (date(2026, 11, 1), "contacted", 1), (date(2026, 11, 1), "lost", 1), (date(2026, 11, 1), "new", 2),
        (date(2026, 11, 1), "won", 2),
    ]


@pytest.mark.django_db
def test_agent_performance(fixture):
    rows = selectors.agent_performance(**NOV)
    a, b = fixture["a"], fixture["b"]
    assert rows == [
        # A: L1, L2, L3 handled, L1 won; response median(1h, 3h, 30m) = 1h; sold L1 in Nov: 10000, 2 % = 200.
        {"agent_id": a.pk, "agent_name": "alice", "handled": 3, "won": 1, "conversion_rate": Decimal("0.3333"),
         "response_time": timedelta(hours=1), "sales": 1, "revenue": Decimal("10000.00"),
         "commission": Decimal("200.00"), "commission_paid": Decimal("0.00")},
        # B: L4, L5 handled, L4 won; response 24h; sold L4 (20000) and L8 (8000, lead from Oct) in Nov,
        # 2 x 500 commission of which L4's is paid.
        {"agent_id": b.pk, "agent_name": "bob", "handled": 2, "won": 1, "conversion_rate": Decimal("0.5000"),
         "response_time": timedelta(hours=24), "sales": 2, "revenue": Decimal("28000.00"),
         "commission": Decimal("1000.00"), "commission_paid": Decimal("500.00")},
    ]


@pytest.mark.django_db
def test_empty_range_and_bad_ranges(fixture):
    empty = selectors.lead_summary(start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert empty == {"total": 0, "won": 0, "lost": 0, "conversion_rate": None, "median_first_contact": None}
    assert selectors.agent_performance(start=date(2025, 1, 1), end=date(2025, 1, 31)) == []
    with pytest.raises(InvalidDateRange):
        selectors.lead_summary(start=date(2026, 12, 1), end=date(2026, 11, 1))
    with pytest.raises(InvalidDateRange):
        selectors.leads_over_time(bucket="hour")


@pytest.mark.django_db
def test_lead_count_for_car_hook(make_lead, make_car):
    car = make_car()
    old = make_lead(car=car)
    make_lead(car=car)
    make_lead()
    Lead.objects.filter(pk=old.pk).update(created_at=at(1, month=1))
    assert selectors.lead_count_for_car(store_key="dealer1", car_id=car.pk, since=None) == 2
    assert selectors.lead_count_for_car(store_key="dealer1", car_id=car.pk, since=at(1, month=6)) == 1
