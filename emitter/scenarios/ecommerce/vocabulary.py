"""The shop's fixed vocabulary: departments, brands, attributes, places, devices and traffic sources.

Fixed lists, not Faker: cheap to build, and no library upgrade can change the bytes.
"""

from __future__ import annotations

from typing import NamedTuple


class Department(NamedTuple):
    name: str
    weight: float  # share of browsing
    subcategories: tuple[str, ...]
    brands: tuple[str, ...]  # brands that fit the department
    price: tuple[float, float]  # lognormal median and sigma of the list price, dollars
    sizes: tuple[str, ...]  # empty: no size attribute
    materials: tuple[str, ...]
    margin: float  # typical gross margin


DEPARTMENTS = (
    Department(
        "Apparel",
        0.22,
        ("T-Shirts", "Jeans", "Dresses", "Jackets", "Sweaters", "Shorts", "Activewear", "Socks"),
        ("Northline", "Urban Thread", "Maple & Moss", "Coastal Co", "Vantage", "Luma"),
        (35.0, 0.55),
        ("XS", "S", "M", "L", "XL", "XXL"),
        ("cotton", "denim", "wool", "polyester", "linen"),
        0.55,
    ),
    Department(
        "Shoes",
        0.12,
        ("Running Shoes", "Sneakers", "Boots", "Sandals", "Loafers"),
        ("Stride", "Trailhead", "Velo", "Ember Footwear"),
        (80.0, 0.45),
        ("6", "7", "8", "9", "10", "11", "12"),
        ("leather", "mesh", "suede", "canvas", "rubber"),
        0.5,
    ),
    Department(
        "Electronics",
        0.16,
        ("Headphones", "Smartwatches", "Speakers", "Chargers", "Phone Cases", "Tablets", "Cameras"),
        ("Voltix", "Sonora", "Pixelcraft", "Arcwave", "Nimbus Tech"),
        (90.0, 0.9),
        (),
        ("aluminium", "plastic", "glass", "silicone"),
        0.28,
    ),
    Department(
        "Home & Kitchen",
        0.15,
        ("Cookware", "Bedding", "Lighting", "Storage", "Coffee Makers", "Towels", "Decor"),
        ("Hearth & Home", "Oakline", "Casa Verde", "Kettle & Co", "Lumen"),
        (45.0, 0.7),
        (),
        ("stainless steel", "ceramic", "cotton", "bamboo", "glass", "oak"),
        0.45,
    ),
    Department(
        "Beauty",
        0.10,
        ("Skincare", "Haircare", "Fragrance", "Makeup", "Bath & Body"),
        ("Glow Lab", "Petal", "Aurelia", "Pure Botanica"),
        (24.0, 0.5),
        (),
        ("organic", "vegan", "fragrance-free"),
        0.6,
    ),
    Department(
        "Sports & Outdoors",
        0.09,
        ("Yoga", "Camping", "Cycling", "Fitness Equipment", "Water Bottles"),
        ("Summit Gear", "Trailhead", "Kinetic", "Alpine Works"),
        (40.0, 0.8),
        (),
        ("nylon", "aluminium", "foam", "steel", "polyester"),
        0.4,
    ),
    Department(
        "Toys & Games",
        0.07,
        ("Board Games", "Building Sets", "Puzzles", "Plush Toys", "Outdoor Play"),
        ("Playwise", "Brickford", "Tinker Town", "Happy Otter"),
        (28.0, 0.6),
        (),
        ("wood", "plastic", "cardboard", "plush"),
        0.45,
    ),
    Department(
        "Books",
        0.05,
        ("Fiction", "Cookbooks", "Children's Books", "Business", "Travel"),
        ("Lantern Press", "Bluebird Books", "Meridian House"),
        (16.0, 0.35),
        (),
        ("hardcover", "paperback"),
        0.35,
    ),
    Department(
        "Jewelry & Watches",
        0.04,
        ("Necklaces", "Earrings", "Watches", "Rings"),
        ("Aurum", "Solstice", "Kestrel"),
        (70.0, 0.8),
        (),
        ("silver", "gold-plated", "stainless steel", "leather"),
        0.6,
    ),
)
COLOURS = ("black", "white", "navy", "grey", "red", "green", "blue", "beige", "pink", "olive", "brown", "yellow")
ADJECTIVES = (
    "Classic", "Essential", "Premium", "Everyday", "Pro", "Lightweight", "Signature", "Compact", "Deluxe", "Eco",
    "Ultra", "Soft", "Vintage", "Modern", "Travel", "Smart",
)  # fmt: skip


class Place(NamedTuple):
    city: str
    region: str
    country: str
    locale: str
    postal: str  # postal code prefix; digits follow
    weight: float
    warehouse: int  # index into WAREHOUSES: the one that ships there
    tax_bp: int  # sales tax or VAT, basis points


PLACES = (
    Place("New York", "NY", "US", "en_US", "100", 9.0, 0, 888),
    Place("Brooklyn", "NY", "US", "en_US", "112", 4.0, 0, 888),
    Place("Boston", "MA", "US", "en_US", "021", 3.0, 0, 625),
    Place("Philadelphia", "PA", "US", "en_US", "191", 3.0, 0, 600),
    Place("Washington", "DC", "US", "en_US", "200", 2.5, 0, 600),
    Place("Atlanta", "GA", "US", "en_US", "303", 3.0, 0, 890),
    Place("Miami", "FL", "US", "en_US", "331", 3.0, 0, 700),
    Place("Chicago", "IL", "US", "en_US", "606", 5.0, 0, 1025),
    Place("Columbus", "OH", "US", "en_US", "432", 2.0, 0, 750),
    Place("Detroit", "MI", "US", "en_US", "482", 2.0, 0, 600),
    Place("Minneapolis", "MN", "US", "en_US", "554", 2.0, 0, 788),
    Place("Dallas", "TX", "US", "en_US", "752", 4.0, 1, 825),
    Place("Houston", "TX", "US", "en_US", "770", 4.0, 1, 825),
    Place("Austin", "TX", "US", "en_US", "787", 2.5, 1, 825),
    Place("Denver", "CO", "US", "en_US", "802", 2.5, 1, 881),
    Place("Phoenix", "AZ", "US", "en_US", "850", 3.0, 1, 860),
    Place("Los Angeles", "CA", "US", "en_US", "900", 7.0, 1, 950),
    Place("San Francisco", "CA", "US", "en_US", "941", 3.5, 1, 863),
    Place("San Diego", "CA", "US", "en_US", "921", 2.5, 1, 775),
    Place("Seattle", "WA", "US", "en_US", "981", 3.0, 1, 1025),
    Place("Portland", "OR", "US", "en_US", "972", 2.0, 1, 0),
    Place("Toronto", "ON", "CA", "en_CA", "M5V", 3.0, 0, 1300),
    Place("Montreal", "QC", "CA", "fr_CA", "H2X", 2.0, 0, 1498),
    Place("Vancouver", "BC", "CA", "en_CA", "V6B", 2.0, 1, 1200),
    Place("London", "England", "GB", "en_GB", "EC1", 5.0, 2, 2000),
    Place("Manchester", "England", "GB", "en_GB", "M1 ", 2.0, 2, 2000),
    Place("Berlin", "Berlin", "DE", "de_DE", "101", 3.0, 2, 1900),
    Place("Munich", "Bavaria", "DE", "de_DE", "803", 2.0, 2, 1900),
    Place("Paris", "Ile-de-France", "FR", "fr_FR", "750", 3.0, 2, 2000),
    Place("Lyon", "Auvergne-Rhone-Alpes", "FR", "fr_FR", "690", 1.5, 2, 2000),
    Place("Amsterdam", "North Holland", "NL", "nl_NL", "101", 2.0, 2, 2100),
    Place("Madrid", "Madrid", "ES", "es_ES", "280", 2.0, 2, 2100),
    Place("Sydney", "NSW", "AU", "en_AU", "200", 2.5, 1, 1000),
    Place("Melbourne", "VIC", "AU", "en_AU", "300", 2.0, 1, 1000),
)
# Where crawlers and scrapers run from: data-centre towns, not shoppers' cities.
BOT_PLACES = (
    Place("Ashburn", "VA", "US", "en_US", "201", 1.0, 0, 0),
    Place("Boardman", "OR", "US", "en_US", "978", 1.0, 1, 0),
    Place("Dublin", "Leinster", "IE", "en_IE", "D02", 1.0, 2, 0),
)


class Warehouse(NamedTuple):
    code: str
    city: str
    region: str
    country: str


WAREHOUSES = (
    Warehouse("FC-EAST", "Columbus", "OH", "US"),
    Warehouse("FC-WEST", "Reno", "NV", "US"),
    Warehouse("FC-EU", "Venlo", "Limburg", "NL"),
)

# first names by gender (GENDERS order); nonbinary customers draw from both
FIRST_NAMES = (
    (
        "Olivia", "Emma", "Ava", "Sophia", "Mia", "Amelia", "Harper", "Chloe", "Zoe", "Nora", "Lea", "Ines", "Yuki",
        "Priya", "Fatima", "Sofia", "Anna", "Emily", "Grace", "Hannah",
    ),
    (
        "Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mateo", "Leo", "Ethan", "Aiden", "Samuel", "Jonas", "Hugo",
        "Omar", "Chen", "Marco", "Lukas", "James", "Daniel", "Ravi", "Kenji",
    ),
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas",
    "Moore", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright",
    "Nguyen", "Patel", "Kim", "Muller", "Schmidt", "Dubois", "Rossi", "Jansen", "Lopez", "Silva", "Murphy", "Kelly",
)  # fmt: skip
STREETS = (
    "Main St", "Oak Ave", "Maple Dr", "Park Rd", "Cedar Ln", "Elm St", "Lake View", "Hill Rd", "River Rd", "Church St",
    "Station Rd", "High St", "Mill Ln", "Pine St", "Sunset Blvd", "Broadway", "Market St", "King St",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me")
GENDERS = ("female", "male", "nonbinary")
GENDER_SHARES = (0.52, 0.46, 0.02)

DEVICE_TYPES = ("desktop", "mobile", "tablet")
# (device, os, share within the device), then browsers per os with shares
OPERATING_SYSTEMS = (
    ("desktop", "Windows", 0.68),
    ("desktop", "macOS", 0.27),
    ("desktop", "Linux", 0.05),
    ("mobile", "iOS", 0.55),
    ("mobile", "Android", 0.45),
    ("tablet", "iPadOS", 0.65),
    ("tablet", "Android", 0.35),
)
BROWSERS = {
    "Windows": (("Chrome", 0.68), ("Edge", 0.22), ("Firefox", 0.10)),
    "macOS": (("Safari", 0.55), ("Chrome", 0.40), ("Firefox", 0.05)),
    "Linux": (("Chrome", 0.6), ("Firefox", 0.4)),
    "iOS": (("Safari", 0.85), ("Chrome", 0.15)),
    "Android": (("Chrome", 0.82), ("Samsung Internet", 0.18)),
    "iPadOS": (("Safari", 0.9), ("Chrome", 0.1)),
}


class Source(NamedTuple):
    """A traffic source: how a session arrived, and where it lands."""

    name: str
    share: float
    referrer: str | None
    utm_source: str | None
    utm_medium: str | None
    landing: tuple[float, float, float, float]  # shares of home, category, product, sale page


SOURCES = (
    Source("direct", 0.24, None, None, None, (0.7, 0.1, 0.15, 0.05)),
    Source("organic_google", 0.26, "https://www.google.com/", None, None, (0.15, 0.35, 0.5, 0.0)),
    Source("organic_bing", 0.05, "https://www.bing.com/", None, None, (0.15, 0.35, 0.5, 0.0)),
    Source("paid_search", 0.12, "https://www.google.com/", "google", "cpc", (0.05, 0.45, 0.45, 0.05)),
    Source("social_facebook", 0.05, "https://www.facebook.com/", "facebook", "paid_social", (0.1, 0.3, 0.5, 0.1)),
    Source("social_instagram", 0.06, "https://www.instagram.com/", "instagram", "paid_social", (0.1, 0.2, 0.6, 0.1)),
    Source("social_tiktok", 0.04, "https://www.tiktok.com/", "tiktok", "paid_social", (0.05, 0.2, 0.65, 0.1)),
    Source("email", 0.09, None, "newsletter", "email", (0.2, 0.3, 0.2, 0.3)),
    Source("referral", 0.05, "https://www.reddit.com/", None, None, (0.2, 0.2, 0.6, 0.0)),
    Source("affiliate", 0.04, "https://www.dealfinder.com/", "dealfinder", "affiliate", (0.05, 0.15, 0.6, 0.2)),
)
# Bots: self-declared crawlers, and scrapers that pass for a desktop Chrome.
BOT_KINDS = ("crawler", "scraper")
BOT_BROWSERS = ("Googlebot", "bingbot")

PAYMENT_METHODS = ("credit_card", "paypal", "apple_pay", "google_pay", "klarna", "gift_card")
PAYMENT_SHARES = (0.52, 0.2, 0.11, 0.07, 0.07, 0.03)
SHIPPING_METHODS = ("standard", "express")
RETURN_REASONS = ("wrong_size", "not_as_described", "changed_mind", "damaged", "arrived_late")
CANCEL_REASONS = ("payment_failed", "customer_request")
# (code, percent off); FRIENDS50 is the staff-and-friends code: reviews of items bought with it are unverified
PROMO_CODES = (("WELCOME10", 10), ("SAVE15", 15), ("SALE20", 20), ("FRIENDS50", 50))

_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
_IOS = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
# (os, browser) → the user agent such a visitor sends; bots' scrapers send a desktop Chrome's
USER_AGENTS = {
    ("Windows", "Chrome"): f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/124.0.0.0 Safari/537.36",
    (
        "Windows",
        "Edge",
    ): f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    ("Windows", "Firefox"): "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    ("macOS", "Safari"): f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_IOS} Version/17.4 Safari/605.1.15",
    ("macOS", "Chrome"): f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_WEBKIT} Chrome/124.0.0.0 Safari/537.36",
    ("macOS", "Firefox"): "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
    ("Linux", "Chrome"): f"Mozilla/5.0 (X11; Linux x86_64) {_WEBKIT} Chrome/124.0.0.0 Safari/537.36",
    ("Linux", "Firefox"): "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    (
        "iOS",
        "Safari",
    ): f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {_IOS} Version/17.4 Mobile/15E148 Safari/604.1",
    (
        "iOS",
        "Chrome",
    ): f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {_IOS} CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
    ("Android", "Chrome"): f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_WEBKIT} Chrome/124.0.0.0 Mobile Safari/537.36",
    ("Android", "Samsung Internet"): (
        f"Mozilla/5.0 (Linux; Android 14; SM-S921B) {_WEBKIT} SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36"
    ),
    (
        "iPadOS",
        "Safari",
    ): f"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) {_IOS} Version/17.4 Mobile/15E148 Safari/604.1",
    (
        "iPadOS",
        "Chrome",
    ): f"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) {_IOS} CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
    ("Linux", "Googlebot"): "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ("Linux", "bingbot"): "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
}
