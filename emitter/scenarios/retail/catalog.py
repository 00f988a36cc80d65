"""Static reference data for the retail domain: cities, categories, store profiles, segments."""

from __future__ import annotations

from dataclasses import dataclass

# (city, state, region, latitude, longitude, metro population in millions)
CITIES: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("New York", "NY", "NORTHEAST", 40.71, -74.01, 19.5),
    ("Los Angeles", "CA", "WEST", 34.05, -118.24, 12.8),
    ("Chicago", "IL", "MIDWEST", 41.88, -87.63, 9.4),
    ("Dallas", "TX", "SOUTHWEST", 32.78, -96.80, 7.9),
    ("Houston", "TX", "SOUTHWEST", 29.76, -95.37, 7.3),
    ("Washington", "DC", "NORTHEAST", 38.91, -77.04, 6.3),
    ("Philadelphia", "PA", "NORTHEAST", 39.95, -75.17, 6.2),
    ("Miami", "FL", "SOUTHEAST", 25.76, -80.19, 6.1),
    ("Atlanta", "GA", "SOUTHEAST", 33.75, -84.39, 6.2),
    ("Boston", "MA", "NORTHEAST", 42.36, -71.06, 4.9),
    ("Phoenix", "AZ", "SOUTHWEST", 33.45, -112.07, 5.0),
    ("San Francisco", "CA", "WEST", 37.77, -122.42, 4.6),
    ("Riverside", "CA", "WEST", 33.95, -117.40, 4.7),
    ("Detroit", "MI", "MIDWEST", 42.33, -83.05, 4.3),
    ("Seattle", "WA", "WEST", 47.61, -122.33, 4.0),
    ("Minneapolis", "MN", "MIDWEST", 44.98, -93.27, 3.7),
    ("San Diego", "CA", "WEST", 32.72, -117.16, 3.3),
    ("Tampa", "FL", "SOUTHEAST", 27.95, -82.46, 3.3),
    ("Denver", "CO", "WEST", 39.74, -104.99, 3.0),
    ("Baltimore", "MD", "NORTHEAST", 39.29, -76.61, 2.8),
    ("St. Louis", "MO", "MIDWEST", 38.63, -90.20, 2.8),
    ("Orlando", "FL", "SOUTHEAST", 28.54, -81.38, 2.7),
    ("Charlotte", "NC", "SOUTHEAST", 35.23, -80.84, 2.7),
    ("San Antonio", "TX", "SOUTHWEST", 29.42, -98.49, 2.6),
    ("Portland", "OR", "WEST", 45.52, -122.68, 2.5),
    ("Sacramento", "CA", "WEST", 38.58, -121.49, 2.4),
    ("Pittsburgh", "PA", "NORTHEAST", 40.44, -79.99, 2.4),
    ("Austin", "TX", "SOUTHWEST", 30.27, -97.74, 2.3),
    ("Las Vegas", "NV", "WEST", 36.17, -115.14, 2.3),
    ("Cincinnati", "OH", "MIDWEST", 39.10, -84.51, 2.3),
    ("Kansas City", "MO", "MIDWEST", 39.10, -94.58, 2.2),
    ("Columbus", "OH", "MIDWEST", 39.96, -83.00, 2.1),
    ("Indianapolis", "IN", "MIDWEST", 39.77, -86.16, 2.1),
    ("Cleveland", "OH", "MIDWEST", 41.50, -81.69, 2.1),
    ("San Jose", "CA", "WEST", 37.34, -121.89, 2.0),
    ("Nashville", "TN", "SOUTHEAST", 36.16, -86.78, 2.0),
    ("Virginia Beach", "VA", "SOUTHEAST", 36.85, -75.98, 1.8),
    ("Providence", "RI", "NORTHEAST", 41.82, -71.41, 1.7),
    ("Jacksonville", "FL", "SOUTHEAST", 30.33, -81.66, 1.6),
    ("Milwaukee", "WI", "MIDWEST", 43.04, -87.91, 1.6),
    ("Raleigh", "NC", "SOUTHEAST", 35.78, -78.64, 1.4),
    ("Oklahoma City", "OK", "SOUTHWEST", 35.47, -97.52, 1.4),
    ("Memphis", "TN", "SOUTHEAST", 35.15, -90.05, 1.3),
    ("Richmond", "VA", "SOUTHEAST", 37.54, -77.44, 1.3),
    ("Louisville", "KY", "SOUTHEAST", 38.25, -85.76, 1.3),
    ("New Orleans", "LA", "SOUTHEAST", 29.95, -90.07, 1.3),
    ("Salt Lake City", "UT", "WEST", 40.76, -111.89, 1.3),
    ("Hartford", "CT", "NORTHEAST", 41.77, -72.67, 1.2),
    ("Buffalo", "NY", "NORTHEAST", 42.89, -78.88, 1.2),
    ("Birmingham", "AL", "SOUTHEAST", 33.52, -86.80, 1.1),
    ("Rochester", "NY", "NORTHEAST", 43.16, -77.61, 1.1),
    ("Grand Rapids", "MI", "MIDWEST", 42.96, -85.67, 1.1),
    ("Tucson", "AZ", "SOUTHWEST", 32.22, -110.97, 1.0),
    ("Tulsa", "OK", "SOUTHWEST", 36.15, -95.99, 1.0),
    ("Fresno", "CA", "WEST", 36.74, -119.79, 1.0),
    ("Omaha", "NE", "MIDWEST", 41.26, -95.93, 1.0),
    ("Albuquerque", "NM", "SOUTHWEST", 35.08, -106.65, 0.9),
    ("Boise", "ID", "WEST", 43.62, -116.20, 0.8),
    ("Des Moines", "IA", "MIDWEST", 41.59, -93.62, 0.7),
    ("Portland", "ME", "NORTHEAST", 43.66, -70.26, 0.6),
)

# Combined state + typical local sales tax, in basis points.
STATE_TAX_BP: dict[str, int] = {
    "NY": 852,
    "CA": 882,
    "IL": 886,
    "TX": 820,
    "DC": 600,
    "PA": 634,
    "FL": 701,
    "GA": 738,
    "MA": 625,
    "AZ": 837,
    "MI": 600,
    "WA": 938,
    "MN": 749,
    "CO": 777,
    "MD": 600,
    "MO": 833,
    "NC": 700,
    "OR": 0,
    "NV": 823,
    "OH": 724,
    "IN": 700,
    "TN": 955,
    "VA": 577,
    "RI": 700,
    "WI": 543,
    "OK": 899,
    "KY": 600,
    "LA": 955,
    "UT": 719,
    "CT": 635,
    "AL": 924,
    "NE": 697,
    "NM": 762,
    "ID": 603,
    "IA": 694,
    "ME": 550,
}


@dataclass(frozen=True)
class Category:
    name: str
    zone: str  # the store zone (and beacon) where it is shelved
    weight: float  # share of basket lines at baseline
    price_low: float  # typical shelf price range, dollars
    price_high: float
    nouns: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category(
        "GROCERY",
        "GROCERY",
        0.20,
        1.0,
        12.0,
        ("Pasta", "Rice", "Cereal", "Soup", "Sauce", "Beans", "Flour", "Coffee"),
    ),
    Category(
        "FRESH_PRODUCE",
        "PRODUCE",
        0.12,
        0.8,
        8.0,
        ("Apples", "Bananas", "Salad Mix", "Tomatoes", "Avocados", "Berries"),
    ),
    Category("DAIRY", "DAIRY", 0.10, 1.5, 9.0, ("Milk", "Yogurt", "Cheddar", "Butter", "Eggs", "Cream Cheese")),
    Category("BAKERY", "BAKERY", 0.06, 2.0, 12.0, ("Bread", "Bagels", "Muffins", "Croissants", "Cake", "Tortillas")),
    Category(
        "FROZEN",
        "FROZEN",
        0.07,
        2.5,
        14.0,
        ("Pizza", "Ice Cream", "Vegetables", "Waffles", "Dinner", "Fries"),
    ),
    Category(
        "BEVERAGES",
        "BEVERAGES",
        0.09,
        1.0,
        15.0,
        ("Sparkling Water", "Soda", "Juice", "Iced Tea", "Sports Drink"),
    ),
    Category("SNACKS", "SNACKS", 0.09, 1.5, 7.0, ("Chips", "Pretzels", "Cookies", "Crackers", "Nuts", "Popcorn")),
    Category(
        "HOUSEHOLD",
        "HOME",
        0.07,
        3.0,
        25.0,
        ("Detergent", "Paper Towels", "Trash Bags", "Dish Soap", "Sponges"),
    ),
    Category(
        "PERSONAL_CARE",
        "HEALTH_BEAUTY",
        0.06,
        2.5,
        30.0,
        ("Shampoo", "Toothpaste", "Lotion", "Deodorant", "Razors"),
    ),
    Category(
        "ELECTRONICS",
        "ELECTRONICS",
        0.03,
        9.0,
        400.0,
        ("Headphones", "Charger", "Speaker", "Tablet", "Smart Bulb"),
    ),
    Category("APPAREL", "APPAREL", 0.04, 6.0, 60.0, ("T-Shirt", "Jeans", "Socks", "Hoodie", "Sneakers", "Jacket")),
    Category(
        "OUTDOOR_GARDEN",
        "SEASONAL",
        0.03,
        4.0,
        120.0,
        ("Charcoal", "Grill Tools", "Planter", "Hose", "Cooler"),
    ),
    Category("SCHOOL_OFFICE", "SEASONAL", 0.02, 1.0, 30.0, ("Notebook", "Pens", "Backpack", "Binder", "Markers")),
    Category("TOYS", "TOYS", 0.02, 5.0, 80.0, ("Puzzle", "Building Set", "Doll", "Board Game", "Action Figure")),
)

CATEGORY_INDEX = {c.name: i for i, c in enumerate(CATEGORIES)}

ADJECTIVES = (
    "Classic",
    "Organic",
    "Family Size",
    "Premium",
    "Light",
    "Original",
    "Select",
    "Value",
    "Deluxe",
    "Fresh",
)
BRAND_STEMS = (
    "North",
    "Blue",
    "Golden",
    "Green",
    "Silver",
    "Maple",
    "River",
    "Summit",
    "Harvest",
    "Pioneer",
    "Bright",
    "Oak",
    "Prairie",
    "Coastal",
    "Cedar",
    "Liberty",
    "Evergreen",
    "Sunny",
    "Urban",
    "Heritage",
)
BRAND_TAILS = ("Farms", "Co.", "Kitchen", "Goods", "Labs", "Brands", "Home", "Basics", "Works", "Valley")

ZONES = (
    "ENTRANCE",
    "GROCERY",
    "PRODUCE",
    "DAIRY",
    "BAKERY",
    "FROZEN",
    "BEVERAGES",
    "SNACKS",
    "HOME",
    "HEALTH_BEAUTY",
    "ELECTRONICS",
    "APPAREL",
    "SEASONAL",
    "TOYS",
    "CHECKOUT",
)
ZONE_INDEX = {z: i for i, z in enumerate(ZONES)}
ENTRANCE, CHECKOUT = ZONE_INDEX["ENTRANCE"], ZONE_INDEX["CHECKOUT"]
BROWSE_ZONES = tuple(range(1, len(ZONES) - 1))


@dataclass(frozen=True)
class StoreProfile:
    name: str
    share: float
    traffic: float  # relative visits per day
    sqft_low: int
    sqft_high: int
    hours: tuple[tuple[int, int], ...]  # candidate (open, close) hours


STORE_PROFILES: tuple[StoreProfile, ...] = (
    StoreProfile("SUPERCENTER", 0.20, 2.4, 150_000, 220_000, ((7, 23), (6, 24), (7, 22))),
    StoreProfile("STANDARD", 0.40, 1.0, 40_000, 90_000, ((8, 22), (7, 22), (8, 21))),
    StoreProfile("NEIGHBORHOOD", 0.25, 0.6, 15_000, 35_000, ((7, 22), (8, 21), (7, 21))),
    StoreProfile("EXPRESS", 0.15, 0.35, 3_000, 9_000, ((6, 23), (7, 23), (6, 22))),
)


@dataclass(frozen=True)
class Segment:
    name: str
    basket: float  # relative lines per receipt (budget shoppers fill bigger baskets)
    extra_qty: float  # mean extra units per line beyond 1 (bulk buying)
    price_tilt: float  # exponent on price in product choice: <0 cheap, >0 premium
    brand_loyalty: float  # share of lines from the customer's favourite brand
    promo_use: float  # chance to use a promotion when the product is on promo
    conversion: float  # chance a visit ends in a purchase
    dwell_minutes: float  # median visit length


SEGMENTS: tuple[Segment, ...] = (
    Segment("BUDGET_CONSCIOUS", 1.30, 0.55, -0.9, 0.0, 0.85, 0.74, 26.0),
    Segment("CONVENIENCE_FOCUSED", 0.55, 0.10, 0.1, 0.0, 0.25, 0.86, 9.0),
    Segment("QUALITY_SEEKER", 0.95, 0.15, 0.9, 0.0, 0.15, 0.66, 22.0),
    Segment("BRAND_LOYAL", 1.00, 0.25, 0.2, 0.60, 0.40, 0.80, 16.0),
)
SEGMENT_INDEX = {s.name: i for i, s in enumerate(SEGMENTS)}

CHANNELS = ("FACEBOOK", "INSTAGRAM", "GOOGLE_SEARCH", "YOUTUBE", "TIKTOK", "DISPLAY", "EMAIL")
CHANNEL_SHARE = (0.22, 0.18, 0.20, 0.10, 0.12, 0.13, 0.05)
CHANNEL_CPM_DOLLARS = (7.5, 8.5, 12.0, 10.0, 6.0, 3.0, 0.4)
DEVICES = ("MOBILE", "DESKTOP", "TABLET", "CONNECTED_TV")
DEVICE_SHARE = (0.62, 0.28, 0.07, 0.03)
