"""The shop's master data, drawn once per run: customers and their registrations, the product catalogue.

Arrays serve the day generators; Arrow tables are the reference output. Customer ids follow registration
order (an auto-increment key), so "who had registered by time t" is a prefix of the customers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from emitter.core.arrivals import cdf_pick, shares_cdf
from emitter.core.clock import MICROS_PER_DAY, MICROS_PER_SLOT, day_start_us
from emitter.core.columns import decimal_from_units, pooled, timestamps
from emitter.core.rng import BlockKeys
from emitter.scenarios.ecommerce.calendar import HUMAN_HOURS, traffic_factor
from emitter.scenarios.ecommerce.settings import EcommerceSettings
from emitter.scenarios.ecommerce.vocabulary import (
    ADJECTIVES,
    COLOURS,
    DEPARTMENTS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    GENDER_SHARES,
    GENDERS,
    LAST_NAMES,
    PLACES,
    STREETS,
    WAREHOUSES,
)
from emitter.scenarios.tables import Catalog

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
DRAW_CELLS = 1 << 16  # lookup cells per department for drawing products: few hold a popularity boundary
ZIPF_EXPONENT = 1.1  # within a department, the product of rank r draws views in proportion to r**-1.1
SUBCATEGORIES = tuple(s for d in DEPARTMENTS for s in d.subcategories)
BRANDS = tuple(dict.fromkeys(b for d in DEPARTMENTS for b in d.brands))


@dataclass
class Customers:
    registered_at: I64  # µs, ascending (index i is customer_id i + 1)
    place: I64  # index into PLACES
    street: I64  # index into STREETS
    house: I64  # house number
    activity: F64  # relative share of signed-in sessions once registered
    cumulative_activity: F64  # prefix sums of activity, for drawing among the customers registered by a time
    opt_in: npt.NDArray[np.bool_]

    @property
    def size(self) -> int:
        return int(self.registered_at.size)


@dataclass
class Products:
    department: I64  # products are ordered by department, then by subcategory
    subcategory: I64  # index into SUBCATEGORIES
    brand: I64  # index into BRANDS
    colour: I64
    price: I64  # cents
    cost: I64  # cents
    quality: F64  # shifts review ratings: most products are fine, a few are lemons
    share: F64  # of its department's product views
    browse_cdf: F64  # department index + cumulative popularity within the department: one searchsorted draws
    department_first: I64  # first product of each department (and the end)
    url: pa.StringArray  # /p/<slug>-<id>
    query: I64  # (products, 3): the search queries that find the product, indices into ``queries``
    queries: pa.StringArray

    @property
    def size(self) -> int:
        return int(self.price.size)

    def draw(self, rng: np.random.Generator, department: I64) -> I64:
        """A product of each given department, by popularity (Zipf-like within the department)."""
        x = department + rng.random(department.size)
        cell = (x * DRAW_CELLS).astype(np.int64)
        found = self._cell_first[cell].astype(np.int64)
        # a cell holding a boundary of the cumulative popularity needs the exact search
        split = np.flatnonzero(found != self._cell_last[cell])
        found[split] = np.searchsorted(self.browse_cdf, x[split], side="right")
        return np.minimum(found, self.department_first[department + 1] - 1)

    @cached_property
    def _cell_first(self) -> npt.NDArray[np.int32]:
        """Per cell of width 1/DRAW_CELLS of ``department + u``: the product drawn at its low edge."""
        edges = np.arange(self.department_first.size * DRAW_CELLS) / DRAW_CELLS
        return np.searchsorted(self.browse_cdf, edges, side="right").astype(np.int32)

    @cached_property
    def _cell_last(self) -> npt.NDArray[np.int32]:
        """The product drawn just below the cell's high edge."""
        edges = np.nextafter((np.arange(self.department_first.size * DRAW_CELLS) + 1) / DRAW_CELLS, 0)
        return np.searchsorted(self.browse_cdf, edges, side="right").astype(np.int32)


@dataclass
class EcommerceWorld:
    customers: Customers
    products: Products
    tables: dict[str, pa.Table]
    addresses: pa.StringArray  # per customer: the shipping address as a JSON object
    department_weight: F64
    place_cdf: F64


def build_world(keys: BlockKeys, settings: EcommerceSettings, catalog: Catalog) -> EcommerceWorld:
    products, product_table = _products(keys, settings.volume.products, catalog)
    customers, customer_table = _customers(keys, settings, catalog)
    addresses = _addresses(customer_table)
    warehouses = catalog.conform(
        "warehouses",
        {
            "warehouse_id": np.arange(1, len(WAREHOUSES) + 1),
            "code": [w.code for w in WAREHOUSES],
            "city": [w.city for w in WAREHOUSES],
            "region": [w.region for w in WAREHOUSES],
            "country": [w.country for w in WAREHOUSES],
        },
    )
    return EcommerceWorld(
        customers,
        products,
        {"customers": customer_table, "products": product_table, "warehouses": warehouses},
        addresses,
        np.array([d.weight for d in DEPARTMENTS]),
        shares_cdf([p.weight for p in PLACES]),
    )


# ---- products ---------------------------------------------------------------------------------------
def _products(keys: BlockKeys, n: int, catalog: Catalog) -> tuple[Products, pa.Table]:
    rng = keys.rng("products", 0)
    weights = np.array([d.weight for d in DEPARTMENTS])
    counts = np.maximum(1, np.floor(n * weights / weights.sum()).astype(np.int64))
    counts[0] += n - counts.sum()
    department = np.repeat(np.arange(len(DEPARTMENTS)), counts)
    first = np.r_[0, np.cumsum(counts)]
    sub_base = np.r_[0, np.cumsum([len(d.subcategories) for d in DEPARTMENTS])]
    sub_count = np.diff(sub_base)[department]
    subcategory = np.sort(sub_base[department] + rng.integers(0, 1 << 30, n) % sub_count)  # grouped within dept
    brand_ids = {b: i for i, b in enumerate(BRANDS)}
    brand = np.empty(n, np.int64)
    median = np.empty(n)
    sigma = np.empty(n)
    margin = np.empty(n)
    for d, dept in enumerate(DEPARTMENTS):
        sel = slice(first[d], first[d + 1])
        pool = np.array([brand_ids[b] for b in dept.brands])
        brand[sel] = pool[rng.integers(0, pool.size, counts[d])]
        median[sel], sigma[sel], margin[sel] = dept.price[0], dept.price[1], dept.margin
    price = _charm_price(rng.lognormal(np.log(median), sigma))
    cost = np.minimum(price - 1, np.round(price * (1 - margin * rng.uniform(0.7, 1.3, n))).astype(np.int64))
    cost = np.maximum(cost, np.maximum(1, price // 10))
    colour = rng.integers(0, len(COLOURS), n)
    quality = np.where(rng.random(n) < 0.06, rng.uniform(-1.6, -0.8, n), rng.normal(0.0, 0.25, n))
    # popularity: a random rank per product inside its department, then Zipf weights by rank
    rank = np.empty(n, np.int64)
    for d in range(len(DEPARTMENTS)):
        rank[first[d] : first[d + 1]] = rng.permutation(counts[d]) + 1
    popularity = rank.astype(np.float64) ** -ZIPF_EXPONENT
    within = np.zeros(n)
    share = np.zeros(n)
    for d in range(len(DEPARTMENTS)):
        sel = slice(first[d], first[d + 1])
        share[sel] = popularity[sel] / popularity[sel].sum()
        within[sel] = np.cumsum(share[sel])
    browse_cdf = department + within
    browse_cdf[first[1:] - 1] = department[first[1:] - 1] + 1.0  # exact department ends

    adjective = rng.integers(0, len(ADJECTIVES), n)
    names, urls, attributes = [], [], []
    sizes = [d.sizes for d in DEPARTMENTS]
    materials = [d.materials for d in DEPARTMENTS]
    material = rng.integers(0, 1 << 30, n)
    for i in range(n):
        d = int(department[i])
        sub = SUBCATEGORIES[subcategory[i]]
        name = f"{BRANDS[brand[i]]} {ADJECTIVES[adjective[i]]} {singular(sub)}"
        names.append(name)
        urls.append(f"/p/{_slug(name)}-{i + 1}")
        size = f'"size": "{sizes[d][material[i] % len(sizes[d])]}", ' if sizes[d] else ""
        attributes.append(
            f'{{"colour": "{COLOURS[colour[i]]}", {size}"material": "{materials[d][material[i] % len(materials[d])]}"}}'
        )
    queries, query = _queries(brand, subcategory, colour)
    products = Products(
        department,
        subcategory,
        brand,
        colour,
        price,
        cost,
        quality,
        share,
        browse_cdf,
        first,
        pa.array(urls),
        query,
        queries,
    )
    table = catalog.conform(
        "products",
        {
            "product_id": np.arange(1, n + 1),
            "sku": pc.binary_join_element_wise(
                "SKU-",
                pa.array([f"{d:02d}" for d in department]),
                "-",
                pa.array([f"{i + 1:07d}" for i in range(n)]),
                "",
            ),
            "name": pa.array(names),
            "category": pooled([d.name for d in DEPARTMENTS], department),
            "subcategory": pooled(SUBCATEGORIES, subcategory),
            "brand": pooled(BRANDS, brand),
            "attributes": pa.array(attributes),
            "price": decimal_from_units(price, 10, 2),
            "cost": decimal_from_units(cost, 10, 2),
        },
    )
    return products, table


def _charm_price(dollars: F64) -> I64:
    """Prices end in .99 (or .49 under ten dollars), like a shop's."""
    whole = np.maximum(1, np.round(dollars)).astype(np.int64)
    return np.where(whole < 10, whole * 100 - 51, whole * 100 - 1)


def singular(subcategory: str) -> str:
    """'Dresses' → 'Dress', 'Watches' → 'Watch', 'Bath & Body' → 'Bath'."""
    word = subcategory.split(" & ")[0]
    if word in ("Jeans", "Shorts", "Headphones"):
        return word
    for plural, one in (("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("ies", "y")):
        if word.endswith(plural):
            return word[: -len(plural)] + one
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _queries(brand: I64, subcategory: I64, colour: I64) -> tuple[pa.StringArray, I64]:
    """What shoppers type to find each product: its kind, its brand and kind, its colour and kind."""
    kinds = [s.lower() for s in SUBCATEGORIES]
    texts: dict[str, int] = {}

    def code(text: str) -> int:
        return texts.setdefault(text, len(texts))

    query = np.empty((brand.size, 3), np.int64)
    for i in range(brand.size):
        kind = kinds[subcategory[i]]
        query[i] = (code(kind), code(f"{BRANDS[brand[i]].lower()} {kind}"), code(f"{COLOURS[colour[i]]} {kind}"))
    return pa.array(list(texts)), query


def _addresses(customers: pa.Table) -> pa.StringArray:
    """Each customer's address as JSON, keys in a fixed order (the values hold no quotes or backslashes)."""
    parts: list[pa.Array | str] = ['{"name": "']
    for key, column in (
        ("", pc.binary_join_element_wise(customers["first_name"], customers["last_name"], " ")),
        ("street", customers["street"]),
        ("city", customers["city"]),
        ("region", customers["region"]),
        ("postal_code", customers["postal_code"]),
        ("country", customers["country"]),
    ):
        if key:
            parts.append(f'", "{key}": "')
        parts.append(column)
    parts.append('"}')
    return pc.binary_join_element_wise(*parts, "").combine_chunks()


# ---- customers --------------------------------------------------------------------------------------
def _customers(keys: BlockKeys, settings: EcommerceSettings, catalog: Catalog) -> tuple[Customers, pa.Table]:
    v = settings.volume
    n = v.customers
    rng = keys.rng("customers", 0)
    # registrations: a growing shop (density rising 1 → 3 over the window) with its weekly and seasonal rhythm
    days = [v.customers_from + timedelta(days=i) for i in range((v.customers_until - v.customers_from).days + 1)]
    ramp = np.linspace(1.0, 3.0, len(days))
    day_cdf = shares_cdf(ramp * np.array([traffic_factor(d) for d in days]))
    day = cdf_pick(rng, day_cdf, n)
    slot = cdf_pick(rng, shares_cdf(HUMAN_HOURS), n)
    registered = (
        day_start_us(v.customers_from)
        + day * MICROS_PER_DAY
        + slot * MICROS_PER_SLOT
        + (rng.random(n) * MICROS_PER_SLOT).astype(np.int64)
    )
    order = np.argsort(registered, kind="stable")
    registered = registered[order]
    place = cdf_pick(rng, shares_cdf([p.weight for p in PLACES]), n)
    gender = cdf_pick(rng, shares_cdf(GENDER_SHARES), n)
    per_gender = len(FIRST_NAMES[0])
    name_list = np.where(gender < 2, gender, rng.integers(0, 2, n))
    first = name_list * per_gender + rng.integers(0, per_gender, n)
    last = rng.integers(0, len(LAST_NAMES), n)
    age_days = (rng.gamma(4.0, 3.2, n) + 18.0).clip(18, 85) * 365.25
    birth = ((registered // MICROS_PER_DAY) - age_days).astype(np.int64)
    street = rng.integers(0, len(STREETS), n)
    house = rng.integers(1, 2000, n)
    # a few customers do most of the shopping: lognormal activity
    activity = rng.lognormal(0.0, 1.1, n)
    opt_in = rng.random(n) < 0.46
    domain = rng.integers(0, len(EMAIL_DOMAINS), n)
    ids = np.arange(1, n + 1)
    first_names = pa.array([*FIRST_NAMES[0], *FIRST_NAMES[1]]).take(pa.array(first))
    last_names = pa.array(LAST_NAMES).take(pa.array(last))
    email = pc.binary_join_element_wise(
        pc.utf8_lower(first_names),
        ".",
        pc.utf8_lower(pc.replace_substring(last_names, " ", "")),
        pa.array(ids.astype(str)),
        "@",
        pa.array(EMAIL_DOMAINS).take(pa.array(domain)),
        "",
    )
    places = PLACES
    two_digits = pa.array([f"{d:02d}" for d in range(100)])
    postal = pc.binary_join_element_wise(
        pooled([p.postal for p in places], place).to_arrow(), two_digits.take(pa.array(house % 100)), ""
    )
    customers = Customers(registered, place, street, house, activity, np.cumsum(activity), opt_in)
    table = catalog.conform(
        "customers",
        {
            "customer_id": ids,
            "email": email,
            "first_name": first_names,
            "last_name": last_names,
            "gender": pooled(GENDERS, gender),
            "birth_date": pa.array(birth.astype("datetime64[D]")),
            "street": pc.binary_join_element_wise(pa.array(house.astype(str)), pooled(STREETS, street).to_arrow(), " "),
            "city": pooled([p.city for p in places], place),
            "region": pooled([p.region for p in places], place),
            "postal_code": postal,
            "country": pooled([p.country for p in places], place),
            "locale": pooled([p.locale for p in places], place),
            "registered_at": timestamps(registered),
            "marketing_opt_in": opt_in,
        },
    )
    return customers, table
