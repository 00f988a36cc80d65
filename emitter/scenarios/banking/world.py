"""The bank's master data, drawn once per run; its arrays serve the ledger and the day tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from emitter.core.rng import BlockKeys
from emitter.scenarios.banking.accounts import Accounts, build_accounts
from emitter.scenarios.banking.customers import Customers, build_customers
from emitter.scenarios.banking.flows import Profile, build_profile
from emitter.scenarios.banking.places import Places, build_places
from emitter.scenarios.banking.settings import BankingSettings
from emitter.scenarios.banking.staff import Staff, build_staff
from emitter.scenarios.tables import Catalog


@dataclass(frozen=True)
class BankWorld:
    staff: Staff
    customers: Customers
    accounts: Accounts
    profile: Profile
    places: Places
    tables: dict[str, pa.Table]  # every reference table, by id


def build_world(keys: BlockKeys, settings: BankingSettings, catalog: Catalog) -> BankWorld:
    staff = build_staff(keys.rng("staff", 0), settings, catalog)
    customers = build_customers(keys.rng("customers", 0), settings, staff, catalog)
    accounts = build_accounts(keys.rng("accounts", 0), settings, customers, catalog)
    retail = customers.segment[accounts.customer] == list(settings.shares.segment).index("retail")
    profile = build_profile(keys.rng("profile", 0), accounts, settings, np.asarray(retail))
    places = build_places(keys.rng("places", 0), customers.city, customers.customer_id)
    tables = {**staff.tables, **customers.tables, **accounts.tables}
    return BankWorld(staff, customers, accounts, profile, places, {t.id: tables[t.id] for t in catalog.reference})
