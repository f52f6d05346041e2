"""The leads and commissions pages: a new lead, moves the pipeline allows this user, closing as won with a
final price and a confirmation, the commission rule warning, names and statuses in words, my work."""
import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(dealer1, make_user):
    from django_car_listing import services as cars
    from tenancy.services import membership_grant

    people = {}
    for role in ("dealer", "dealer_staff", "sales_agent", "broker", "accountant", "hr"):
        people[role] = make_user(f"t-{role}")
        membership_grant(user=people[role], dealership=dealer1, role=role)
    with schema_context("dealer1"):
        people["car"] = cars.car_create(actor=people["dealer"], store_key="dealer1", make="Mazda", model="MX-5",
                                        year=2017, price=Decimal("14000.00"), vin="1HGCM82633A004352")
    return people


def _lead_to_negotiating(agent, car, name="Dana Driver"):
    from django_leads import services as leads

    with schema_context("dealer1"):
        lead = leads.lead_create(car=car, contact_name=name, agent=agent)
        for step in ("contacted", "qualified", "negotiating"):
            lead = leads.lead_update_status(lead=lead, status=step)
    return lead


def test_an_agent_creates_a_lead_that_stays_theirs(team):
    from django_leads.models import Lead

    agent = host_client("dealer1.localhost", team["sales_agent"])
    form = agent.get("/leads/new/").content.decode()
    assert "2017 Mazda MX-5" in form and 'name="agent"' not in form  # only managers pick the agent
    done = agent.post("/leads/new/", {"contact_name": "Walk-in Wendy", "contact_phone": "", "car": team["car"].pk,
                                      "source": "walk_in", "notes": "wants a test drive"}, follow=True)
    assert "assigned to t-sales_agent." in done.content.decode()
    with schema_context("dealer1"):
        lead = Lead.objects.get(contact_name="Walk-in Wendy")
        assert (lead.agent_id, lead.car_id) == (team["sales_agent"].pk, team["car"].pk)
        assert lead.notes == "wants a test drive"
    empty = agent.post("/leads/new/", {"contact_name": "", "source": "phone"})
    assert empty.status_code == 400 and "Contact" in empty.content.decode()
    refused = host_client("dealer1.localhost", team["accountant"]).get("/leads/new/")
    assert refused.status_code == 403


def test_the_board_offers_only_the_moves_this_user_may_make(team):
    from django_leads import services as leads

    with schema_context("dealer1"):
        lost = leads.lead_create(car=None, contact_name="Gone Gary", agent=team["sales_agent"])
        leads.lead_update_status(lead=lost, status="lost", lost_reason="bought elsewhere")
    agent_board = host_client("dealer1.localhost", team["sales_agent"]).get("/leads/").content.decode()
    manager_board = host_client("dealer1.localhost", team["dealer_staff"]).get("/leads/").content.decode()
    card = re.compile(rf'data-lead="{lost.pk}">.*?</li>', re.S)
    assert "Move to Contacted" not in card.search(agent_board).group(0)  # reopening is a manager's
    assert "Move to Contacted" in card.search(manager_board).group(0)
    refused = host_client("dealer1.localhost", team["sales_agent"]).post(f"/leads/{lost.pk}/move/",
                                                                          {"status": "contacted"}, follow=True)
    assert "reopen_lead" in refused.content.decode()
    no_reason = host_client("dealer1.localhost", team["sales_agent"])
    fresh = _lead_to_negotiating(team["sales_agent"], None, name="Nora")
    answer = no_reason.post(f"/leads/{fresh.pk}/move/", {"status": "lost", "lost_reason": ""}, follow=True)
    assert "reason" in answer.content.decode().lower()


def test_won_asks_the_final_price_and_a_confirmation_and_warns_without_a_commission_rule(team):
    from django_leads.models import Commission, Lead, Sale

    lead = _lead_to_negotiating(team["sales_agent"], team["car"])
    agent = host_client("dealer1.localhost", team["sales_agent"])
    moved = agent.post(f"/leads/{lead.pk}/move/", {"status": "won"})
    assert moved.status_code == 302 and moved["Location"] == f"/leads/{lead.pk}/win/"
    page = agent.get(f"/leads/{lead.pk}/win/").content.decode()
    assert 'id="no-commission-rule"' in page and 'value="14000.00"' in page
    unconfirmed = agent.post(f"/leads/{lead.pk}/win/", {"agreed_price": "13250.00", "payment": "offline"})
    assert unconfirmed.status_code == 400
    with schema_context("dealer1"):
        assert Lead.objects.get(pk=lead.pk).status == "negotiating"
    done = agent.post(f"/leads/{lead.pk}/win/", {"agreed_price": "13250.00", "payment": "offline", "confirm": "1"},
                      follow=True)
    assert "won: sold for 13250.00" in done.content.decode()
    with schema_context("dealer1"):
        assert Sale.objects.get(lead=lead).agreed_price == Decimal("13250.00")
        assert not Commission.objects.exists()


def test_commission_rules_and_payouts_in_pages_with_names_and_statuses_in_words(team, dealer1):
    from django_wallet import selectors as wallet_selectors
    from django_wallet import services as wallet

    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("1000.00"))
    dealer = host_client("dealer1.localhost", team["dealer"])
    done = dealer.post("/commissions/rules/", {"scope": "role:sales_agent", "kind": "percent", "value": "2.5"},
                       follow=True).content.decode()
    assert "Every sales agent earns 2.5% of the sale price." in done
    lead = _lead_to_negotiating(team["sales_agent"], team["car"], name="Rita Rich")
    page = host_client("dealer1.localhost", team["sales_agent"]).get(f"/leads/{lead.pk}/win/").content.decode()
    assert 'id="no-commission-rule"' not in page
    host_client("dealer1.localhost", team["sales_agent"]).post(
        f"/leads/{lead.pk}/win/", {"agreed_price": "10000.00", "payment": "offline", "confirm": "1"})

    accountant = host_client("dealer1.localhost", team["accountant"])
    listing = accountant.get("/commissions/").content.decode()
    assert "t-sales_agent" in listing and "Rita Rich" in listing and "Accrued" in listing
    sales = dealer.get("/sales/").content.decode()
    assert re.search(r'data-label="Agent">t-sales_agent<', sales) and "Rita Rich" in sales
    assert not re.search(r'data-label="Agent">\d+<', sales)
    from django_leads.models import Commission

    with schema_context("dealer1"):
        commission = Commission.objects.get()
    paid = accountant.post(f"/commissions/{commission.pk}/pay/", follow=True).content.decode()
    assert "Commission of 250.00 paid to t-sales_agent." in paid
    assert re.search(r'class="commission-status">Paid \d{4}-\d{2}-\d{2} by t-accountant', paid)
    assert wallet_selectors.balance(wallet.account_for(team["sales_agent"])) == Decimal("250.00")
    accountant.post(f"/commissions/{commission.pk}/pay/")  # a second click pays nothing more
    assert wallet_selectors.balance(wallet.account_for(team["sales_agent"])) == Decimal("250.00")
    assert host_client("dealer1.localhost", team["sales_agent"]).get("/commissions/").status_code == 403
    refused = accountant.post("/commissions/rules/", {"scope": "role:broker", "kind": "flat", "value": "10"})
    assert refused.status_code == 403


def test_agents_and_brokers_land_on_their_own_work_and_hr_on_people(team, dealer1):
    from django_leads import services as leads
    from django_leads.models import Commission

    with schema_context("dealer1"):
        leads.commission_rule_set(kind="flat", amount=Decimal("300.00"), role="broker")
    lead = _lead_to_negotiating(team["broker"], team["car"], name="Bea Buyer")
    with schema_context("dealer1"):
        leads.lead_update_status(lead=lead, status="won", agreed_price=Decimal("13900.00"), payment="offline")
        assert Commission.objects.get().agent_id == team["broker"].pk
    _lead_to_negotiating(team["sales_agent"], None, name="Someone Else")

    home = host_client("dealer1.localhost", team["broker"]).get("/").content.decode()
    assert re.search(r'id="my-sales-count">1<', home) and re.search(r'id="my-commission-owed">300.00<', home)
    work = host_client("dealer1.localhost", team["broker"]).get("/my-work/").content.decode()
    assert "Bea Buyer" in work and "13900.00" in work and "Someone Else" not in work
    agent_home = host_client("dealer1.localhost", team["sales_agent"]).get("/").content.decode()
    assert re.search(r'id="my-open-leads">1<', agent_home)
    hr_home = host_client("dealer1.localhost", team["hr"]).get("/").content.decode()
    assert re.search(r'id="member-count">6<', hr_home) and 'href="/members/"' in hr_home
