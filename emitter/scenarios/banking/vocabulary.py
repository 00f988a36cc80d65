"""The bank's fixed vocabulary: departments and roles, training, branches, cities, merchants, transaction types."""

from __future__ import annotations

from typing import NamedTuple

# (department, division, share of staff, roles with their share inside the department)
DEPARTMENTS: tuple[tuple[str, str, float, tuple[tuple[str, float], ...]], ...] = (
    ("Retail Banking", "Consumer", 0.22, (("Branch Manager", 0.08), ("Personal Banker", 0.42), ("Teller", 0.5))),
    ("Lending", "Consumer", 0.12, (("Loan Officer", 0.6), ("Underwriter", 0.3), ("Lending Manager", 0.1))),
    ("Insurance", "Consumer", 0.08, (("Insurance Agent", 0.8), ("Claims Specialist", 0.2))),
    ("Wealth Management", "Private", 0.08, (("Relationship Manager", 0.6), ("Financial Advisor", 0.4))),
    ("Corporate Banking", "Commercial", 0.08, (("Relationship Manager", 0.5), ("Credit Analyst", 0.5))),
    ("Compliance", "Risk", 0.07, (("Compliance Officer", 0.7), ("AML Analyst", 0.3))),
    ("Risk Management", "Risk", 0.06, (("Risk Analyst", 0.8), ("Model Validator", 0.2))),
    ("Operations", "Operations", 0.09, (("Operations Specialist", 0.7), ("Payments Analyst", 0.3))),
    ("Information Technology", "Operations", 0.08, (("Software Engineer", 0.6), ("Data Engineer", 0.4))),
    ("Finance", "Corporate", 0.04, (("Accountant", 0.6), ("Financial Analyst", 0.4))),
    ("Human Resources", "Corporate", 0.03, (("HR Partner", 0.6), ("Recruiter", 0.4))),
    ("Marketing", "Corporate", 0.05, (("Marketing Manager", 0.4), ("Campaign Analyst", 0.6))),
)
# roles that look after customers (customer_profiles.assigned_agent_id), by the segment they serve
AGENT_ROLES = {
    "retail": ("Personal Banker", "Insurance Agent", "Loan Officer"),
    "premium": ("Personal Banker", "Financial Advisor"),
    "corporate": ("Relationship Manager", "Credit Analyst"),
    "private": ("Relationship Manager", "Financial Advisor"),
}
# who works in a branch (the rest sit at head office)
BRANCH_ROLES = frozenset({"Branch Manager", "Personal Banker", "Teller", "Loan Officer", "Insurance Agent"})
SALARY_BY_LEVEL = (52_000, 78_000, 115_000, 165_000)  # staff, senior, manager, head (USD a year)

# (program, department, hours, mandatory, delivery)
TRAINING_PROGRAMS = (
    ("Anti-Money Laundering Essentials", "Compliance", 6, True, "Online"),
    ("Know Your Customer Procedures", "Compliance", 4, True, "Online"),
    ("Data Privacy and Protection", "Compliance", 3, True, "Online"),
    ("Sanctions Screening", "Compliance", 4, False, "Online"),
    ("Fraud Awareness", "Risk Management", 3, True, "Online"),
    ("Credit Risk Fundamentals", "Risk Management", 16, False, "Classroom"),
    ("Consumer Lending Regulations", "Lending", 8, False, "Classroom"),
    ("Mortgage Origination", "Lending", 24, False, "Classroom"),
    ("Insurance Licensing Preparation", "Insurance", 40, False, "Classroom"),
    ("Wealth Planning Certification", "Wealth Management", 60, False, "Blended"),
    ("Customer Service Excellence", "Retail Banking", 8, False, "Classroom"),
    ("Cash Handling and Vault Control", "Retail Banking", 4, False, "Classroom"),
    ("Commercial Credit Analysis", "Corporate Banking", 32, False, "Blended"),
    ("Payments and Settlement", "Operations", 6, False, "Online"),
    ("Secure Coding", "Information Technology", 12, False, "Online"),
    ("Leadership Foundations", "Human Resources", 16, False, "Blended"),
    ("Financial Reporting Standards", "Finance", 10, False, "Online"),
    ("Marketing Compliance", "Marketing", 3, False, "Online"),
)


class City(NamedTuple):
    name: str
    state: str  # the US state; abroad, the country code again
    lat: float
    lon: float
    weight: float
    country: str = "US"


CITIES = (
    City("New York", "NY", 40.7128, -74.0060, 9.0),
    City("Los Angeles", "CA", 34.0522, -118.2437, 7.0),
    City("Chicago", "IL", 41.8781, -87.6298, 5.5),
    City("Houston", "TX", 29.7604, -95.3698, 4.5),
    City("Phoenix", "AZ", 33.4484, -112.0740, 3.5),
    City("Philadelphia", "PA", 39.9526, -75.1652, 3.5),
    City("Dallas", "TX", 32.7767, -96.7970, 4.0),
    City("Seattle", "WA", 47.6062, -122.3321, 3.5),
    City("Denver", "CO", 39.7392, -104.9903, 3.0),
    City("Boston", "MA", 42.3601, -71.0589, 3.5),
    City("Miami", "FL", 25.7617, -80.1918, 3.5),
    City("Atlanta", "GA", 33.7490, -84.3880, 3.5),
    City("Minneapolis", "MN", 44.9778, -93.2650, 2.0),
    City("Charlotte", "NC", 35.2271, -80.8431, 2.0),
    City("San Francisco", "CA", 37.7749, -122.4194, 3.0),
    City("Nashville", "TN", 36.1627, -86.7816, 2.0),
)
# far-away places a taken-over account or a cloned card turns up in
FOREIGN_CITIES = (
    City("Lagos", "NG", 6.5244, 3.3792, 1.0, "NG"),
    City("Bucharest", "RO", 44.4268, 26.1025, 1.0, "RO"),
    City("Manila", "PH", 14.5995, 120.9842, 1.0, "PH"),
    City("Sao Paulo", "BR", -23.5505, -46.6333, 1.0, "BR"),
    City("Kyiv", "UA", 50.4501, 30.5234, 1.0, "UA"),
    City("Jakarta", "ID", -6.2088, 106.8456, 1.0, "ID"),
)
# branches: code, city index; 18 of them, a fixed network
BRANCHES = tuple(
    (f"BR{i + 1:03d}", city) for i, city in enumerate((0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14))
)

KYC_STATUSES = (("verified", 0.86), ("pending", 0.07), ("under_review", 0.05), ("expired", 0.02))
RISK_RATINGS = (("low", 0.72), ("medium", 0.23), ("high", 0.05))
CHANNELS_PREFERRED = (("mobile", 0.48), ("online", 0.27), ("branch", 0.17), ("phone", 0.08))
# (segment, median annual income USD, lognormal sigma)
SEGMENT_INCOME = {
    "retail": (52_000, 0.45),
    "premium": (135_000, 0.35),
    "corporate": (420_000, 0.6),
    "private": (900_000, 0.5),
}
OCCUPATIONS = (
    "Teacher", "Nurse", "Software Developer", "Accountant", "Sales Associate", "Engineer", "Physician", "Lawyer",
    "Electrician", "Business Owner", "Consultant", "Retired", "Student", "Manager", "Driver", "Chef",
)  # fmt: skip

# account types: (name, interest rate range in basis points, carried-in balance median as months of income)
ACCOUNT_TYPES = (
    ("checking", 0, 0, 0.9),  # checking pays no interest
    ("savings", 50, 450, 3.0),
    ("money_market", 300, 520, 5.0),
    ("cd", 350, 550, 6.0),
)
CHECKING, SAVINGS, MONEY_MARKET, CD = range(4)
OVERDRAFT_LIMITS = (50_000, 100_000, 250_000)  # cents
RELATIONSHIP_TYPES = (
    ("joint_holder", 0.45),
    ("linked_savings", 0.25),
    ("beneficiary", 0.15),
    ("power_of_attorney", 0.05),
    ("overdraft_protection", 0.10),
)


class Category(NamedTuple):
    name: str
    share: float  # of card purchases
    median_cents: int  # at the reference (median retail) income; scales with the square root of income
    online: float  # share bought online (the rest card-present)
    merchants: tuple[str, ...]


MERCHANT_CATEGORIES = (
    Category("groceries", 0.22, 5_400, 0.08, ("FreshMart", "Green Basket", "Corner Grocer", "Harvest Foods")),
    Category("restaurants", 0.16, 3_200, 0.15, ("Blue Plate Diner", "Noodle House", "Taco Town", "Bistro 21")),
    Category("coffee", 0.10, 650, 0.05, ("Bean There", "Daily Grind", "Morning Cup")),
    Category("fuel", 0.09, 4_600, 0.0, ("QuickFuel", "Highway Gas", "PetroStop")),
    Category("online_shopping", 0.12, 4_800, 1.0, ("ShopSphere", "MegaMart Online", "ParcelBox")),
    Category("pharmacy", 0.05, 2_300, 0.1, ("CareRx", "Wellness Pharmacy")),
    Category("entertainment", 0.06, 2_800, 0.6, ("StreamFlix", "CinemaPlex", "Arena Tickets")),
    Category("travel", 0.04, 31_000, 0.8, ("SkyWays Air", "Harbor Hotels", "RideNow")),
    Category("clothing", 0.06, 6_800, 0.5, ("Urban Threads", "Denim & Co", "Style Loft")),
    Category("home_improvement", 0.04, 9_500, 0.3, ("BuildRight", "HomeHub")),
    Category("utilities", 0.03, 11_000, 1.0, ("City Power", "AquaServe", "NetWave Internet")),
    # app credits, game keys, gift codes: genuine customers buy them too, and card testers try stolen cards there
    Category("digital_goods", 0.03, 1_200, 1.0, ("DigiKeys Store", "QuickTopUp", "GiftCode Hub", "AppCredit Online")),
)
CARD_TESTING_CATEGORY = "digital_goods"
