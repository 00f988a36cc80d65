"""The chain's fixed vocabulary: plans, class types, areas and their gear, roles, cities, payment methods."""

from __future__ import annotations

from typing import NamedTuple


class Plan(NamedTuple):
    name: str
    description: str
    registration_cents: int
    monthly_cents: int
    annual_cents: int
    autorenew: bool
    min_age: int | None = None
    max_age: int | None = None
    corporate_discount_bp: int = 0  # basis points off the price


PLANS = (
    Plan("Basic", "Gym floor at the home club", 4_900, 2_999, 29_900, True),
    Plan("Standard", "Gym floor and group classes at the home club", 4_900, 4_999, 49_900, True),
    Plan("Premium", "Every club, classes and the pool", 2_500, 7_999, 79_900, True),
    Plan("Student", "Standard for students with a valid card", 2_500, 2_499, 24_900, True, 16, 25),
    Plan("Family", "Two adults and their children", 9_900, 11_999, 119_900, True),
    Plan("Senior", "Standard for members 62 and over", 2_500, 2_999, 29_900, True, 62),
    Plan("Corporate", "Standard through an employer, at a discount", 0, 4_999, 49_900, True, None, None, 1_500),
    Plan("Flex", "Gym floor, no auto-renewal", 2_500, 3_499, 34_900, False),
    Plan("Duo", "Standard for two adults at one address", 4_900, 7_999, 79_900, True),
    Plan("Elite", "Premium with personal training and towel service", 0, 14_999, 149_900, True),
)
BASIC, STANDARD, PREMIUM, STUDENT, FAMILY, SENIOR, CORPORATE, FLEX, DUO, ELITE = range(len(PLANS))
# what an adult without a segment picks (students, families, seniors and corporate members are decided by segment)
ADULT_PLAN_SHARES = {BASIC: 0.30, STANDARD: 0.30, PREMIUM: 0.15, FLEX: 0.10, DUO: 0.08, ELITE: 0.07}

# areas: (type, square feet per person, share of a club's floor, always present)
AREAS = (
    ("Cardio", 45, 0.26, True),
    ("Strength", 60, 0.30, True),
    ("Functional", 55, 0.12, True),
    ("Studio", 30, 0.12, True),
    ("Cycle Studio", 25, 0.07, False),
    ("Pool", 120, 0.13, False),
)
CLASS_ROOMS = ("Studio", "Cycle Studio", "Pool", "Functional")

# class types: (name, category, minutes, intensity, places, room, popularity)
CLASS_TYPES = (
    ("Vinyasa Yoga", "Mind & Body", 60, "Medium", 25, "Studio", 1.2),
    ("Hatha Yoga", "Mind & Body", 60, "Low", 25, "Studio", 0.9),
    ("Yin Yoga", "Mind & Body", 75, "Low", 20, "Studio", 0.7),
    ("Hot Yoga", "Mind & Body", 60, "High", 22, "Studio", 1.1),
    ("Power Yoga", "Mind & Body", 45, "High", 25, "Studio", 1.0),
    ("Mat Pilates", "Mind & Body", 45, "Medium", 22, "Studio", 1.1),
    ("Pilates Reformer", "Mind & Body", 50, "Medium", 12, "Studio", 1.4),
    ("Meditation", "Mind & Body", 30, "Low", 30, "Studio", 0.4),
    ("Stretch & Mobility", "Mind & Body", 30, "Low", 25, "Studio", 0.6),
    ("Barre", "Mind & Body", 45, "Medium", 20, "Studio", 1.0),
    ("Spin", "Cycling", 45, "High", 30, "Cycle Studio", 1.5),
    ("Rhythm Ride", "Cycling", 45, "High", 30, "Cycle Studio", 1.3),
    ("Endurance Ride", "Cycling", 60, "Medium", 30, "Cycle Studio", 0.8),
    ("Spin Express", "Cycling", 30, "High", 30, "Cycle Studio", 1.0),
    ("HIIT", "HIIT", 45, "High", 24, "Functional", 1.5),
    ("Tabata", "HIIT", 30, "High", 20, "Functional", 1.0),
    ("Bootcamp", "HIIT", 60, "High", 24, "Functional", 1.2),
    ("Circuit Training", "HIIT", 45, "Medium", 20, "Functional", 1.0),
    ("Metcon", "HIIT", 45, "High", 18, "Functional", 0.9),
    ("Kettlebell", "Strength", 45, "Medium", 16, "Functional", 0.8),
    ("Body Pump", "Strength", 60, "Medium", 28, "Studio", 1.3),
    ("Core Blast", "Strength", 30, "Medium", 25, "Studio", 0.9),
    ("Glutes & Abs", "Strength", 30, "Medium", 25, "Studio", 1.0),
    ("Functional Strength", "Strength", 45, "Medium", 16, "Functional", 0.8),
    ("Olympic Lifting", "Strength", 60, "High", 10, "Functional", 0.5),
    ("TRX Suspension", "Strength", 45, "Medium", 14, "Functional", 0.8),
    ("Zumba", "Dance", 60, "Medium", 35, "Studio", 1.2),
    ("Dance Cardio", "Dance", 45, "Medium", 30, "Studio", 0.9),
    ("Hip Hop Dance", "Dance", 60, "Medium", 25, "Studio", 0.6),
    ("Step Aerobics", "Cardio", 45, "Medium", 30, "Studio", 0.6),
    ("Kickboxing", "Combat", 60, "High", 20, "Functional", 1.1),
    ("Boxing Fundamentals", "Combat", 45, "High", 16, "Functional", 0.9),
    ("Body Combat", "Combat", 45, "High", 28, "Studio", 1.0),
    ("Aqua Aerobics", "Aquatics", 45, "Low", 25, "Pool", 0.8),
    ("Aqua Zumba", "Aquatics", 45, "Medium", 25, "Pool", 0.6),
    ("Lap Swim Clinic", "Aquatics", 60, "Medium", 12, "Pool", 0.5),
    ("Senior Fit", "Active Aging", 45, "Low", 20, "Studio", 0.6),
    ("Silver Aqua", "Active Aging", 45, "Low", 20, "Pool", 0.5),
    ("Prenatal Fitness", "Mind & Body", 45, "Low", 12, "Studio", 0.3),
    ("Teen Athletics", "HIIT", 45, "Medium", 18, "Functional", 0.4),
)

# gear per area type: (equipment type, brands, price range in dollars)
EQUIPMENT = {
    "Cardio": (
        ("Treadmill", 3_000, 12_000),
        ("Elliptical", 2_500, 8_000),
        ("Upright Bike", 1_500, 5_000),
        ("Rowing Machine", 900, 3_500),
        ("Stair Climber", 4_000, 9_000),
    ),
    "Strength": (
        ("Power Rack", 1_200, 4_000),
        ("Adjustable Bench", 300, 1_200),
        ("Dumbbell Set", 1_500, 6_000),
        ("Cable Machine", 3_000, 9_000),
        ("Leg Press", 3_500, 10_000),
        ("Smith Machine", 2_500, 7_000),
    ),
    "Functional": (
        ("Kettlebell Set", 400, 1_500),
        ("TRX Station", 300, 900),
        ("Plyo Box", 100, 400),
        ("Battle Rope", 100, 300),
        ("Sled", 400, 1_500),
    ),
    "Studio": (
        ("Sound System", 1_000, 5_000),
        ("Reformer", 2_500, 6_000),
        ("Mat Set", 200, 800),
        ("Step Set", 300, 900),
    ),
    "Cycle Studio": (("Spin Bike", 1_200, 3_000),),
    "Pool": (("Lane Rope", 300, 1_200), ("Pool Lift", 4_000, 9_000), ("Aqua Bike", 1_500, 3_500)),
}
BRANDS = ("Life Fitness", "Technogym", "Precor", "Matrix", "Cybex", "Hammer Strength", "Rogue", "Concept2", "Keiser")
EQUIPMENT_STATUS = (("Operational", 0.90), ("Maintenance", 0.07), ("Retired", 0.03))

# roles: (name, share of staff beyond each club's manager and first two instructors, hourly rate range)
ROLES = (
    ("Group Instructor", 0.30, 25, 55),
    ("Personal Trainer", 0.25, 22, 60),
    ("Front Desk", 0.22, 14, 20),
    ("Sales Consultant", 0.10, 16, 28),
    ("Maintenance Technician", 0.08, 18, 30),
    ("Assistant Manager", 0.05, 24, 36),
)
MANAGER = ("Club Manager", 32, 55)
INSTRUCTOR = ROLES[0][0]

# (city, state, latitude, longitude, weight); area codes of each city follow
CITIES = (
    ("New York", "NY", 40.7128, -74.0060, 9.0),
    ("Los Angeles", "CA", 34.0522, -118.2437, 7.0),
    ("Chicago", "IL", 41.8781, -87.6298, 5.5),
    ("Houston", "TX", 29.7604, -95.3698, 4.5),
    ("Phoenix", "AZ", 33.4484, -112.0740, 3.5),
    ("Philadelphia", "PA", 39.9526, -75.1652, 3.5),
    ("San Antonio", "TX", 29.4241, -98.4936, 2.5),
    ("San Diego", "CA", 32.7157, -117.1611, 3.0),
    ("Dallas", "TX", 32.7767, -96.7970, 4.0),
    ("Austin", "TX", 30.2672, -97.7431, 3.0),
    ("San Jose", "CA", 37.3382, -121.8863, 2.5),
    ("Seattle", "WA", 47.6062, -122.3321, 3.5),
    ("Denver", "CO", 39.7392, -104.9903, 3.0),
    ("Boston", "MA", 42.3601, -71.0589, 3.5),
    ("Miami", "FL", 25.7617, -80.1918, 3.5),
    ("Atlanta", "GA", 33.7490, -84.3880, 3.5),
    ("Minneapolis", "MN", 44.9778, -93.2650, 2.0),
    ("Portland", "OR", 45.5152, -122.6784, 2.0),
    ("Nashville", "TN", 36.1627, -86.7816, 2.0),
    ("Charlotte", "NC", 35.2271, -80.8431, 2.0),
)
AREA_CODES = {
    "New York": (212, 646, 718, 917, 347),
    "Los Angeles": (213, 310, 323, 818, 424),
    "Chicago": (312, 773, 872),
    "Houston": (713, 281, 832),
    "Phoenix": (602, 480, 623),
    "Philadelphia": (215, 267),
    "San Antonio": (210, 726),
    "San Diego": (619, 858),
    "Dallas": (214, 469, 972),
    "Austin": (512, 737),
    "San Jose": (408, 669),
    "Seattle": (206, 425),
    "Denver": (303, 720),
    "Boston": (617, 857),
    "Miami": (305, 786),
    "Atlanta": (404, 470, 678),
    "Minneapolis": (612, 952),
    "Portland": (503, 971),
    "Nashville": (615, 629),
    "Charlotte": (704, 980),
}

# (method, share of the "other" 15 %)
OTHER_METHODS = (("Bank Transfer", 0.5), ("Digital Wallet", 0.35), ("Cash", 0.15))
PAYMENT_METHODS = ("Credit Card", "Debit Card", *(m for m, _ in OTHER_METHODS))
# why a charge fails, by method: cash is taken at the desk and never fails
FAILURE_REASONS_BY_METHOD = {
    "Credit Card": ("Insufficient funds", "Card expired", "Card declined"),
    "Debit Card": ("Insufficient funds", "Card expired", "Card declined"),
    "Bank Transfer": ("Insufficient funds", "Account closed", "Bank unavailable"),
    "Digital Wallet": ("Payment declined", "Card expired"),
    "Cash": (),
}
FAILURE_REASONS = tuple(dict.fromkeys(r for m in PAYMENT_METHODS for r in FAILURE_REASONS_BY_METHOD[m]))
CASH = PAYMENT_METHODS.index("Cash")
ACCESS_METHODS = (("Card", 0.55), ("App", 0.35), ("QR", 0.10))
