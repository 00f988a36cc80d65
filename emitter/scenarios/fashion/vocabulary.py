"""The webshop's and the tills' fixed vocabularies, with the shares they are drawn in."""

from __future__ import annotations

import pyarrow as pa

# How each country pays online (iDEAL in the Netherlands, BLIK in Poland, ...); shops take cards, phones and cash.
ONLINE_PAYMENT = {
    "NL": {"ideal": 0.55, "card": 0.20, "paypal": 0.15, "klarna": 0.10},
    "DE": {"paypal": 0.35, "klarna": 0.30, "card": 0.25, "sepa_debit": 0.10},
    "BE": {"bancontact": 0.45, "card": 0.30, "paypal": 0.15, "klarna": 0.10},
    "AT": {"klarna": 0.35, "paypal": 0.30, "card": 0.25, "eps": 0.10},
    "SE": {"klarna": 0.45, "swish": 0.25, "card": 0.30},
    "DK": {"mobilepay": 0.40, "card": 0.50, "klarna": 0.10},
    "FI": {"card": 0.40, "mobilepay": 0.25, "klarna": 0.20, "paypal": 0.15},
    "PL": {"blik": 0.50, "przelewy24": 0.20, "card": 0.25, "paypal": 0.05},
    "GB": {"card": 0.60, "paypal": 0.25, "klarna": 0.10, "apple_pay": 0.05},
    "CH": {"twint": 0.35, "card": 0.45, "paypal": 0.20},
}
ONLINE_PAYMENT_DEFAULT = {"card": 0.60, "paypal": 0.25, "klarna": 0.15}
STORE_PAYMENT = {"card": 0.55, "contactless_mobile": 0.25, "cash": 0.15, "gift_card": 0.05}
PAYMENT_METHODS = tuple(
    dict.fromkeys(m for mix in (*ONLINE_PAYMENT.values(), ONLINE_PAYMENT_DEFAULT, STORE_PAYMENT) for m in mix)
)

DEVICES = {"mobile": 0.58, "desktop": 0.27, "app": 0.10, "tablet": 0.05}
# Where visits come from; the campaign channel each source carries (None: no campaign).
TRAFFIC_SOURCES = {
    "direct": (0.28, None),
    "organic_search": (0.24, None),
    "paid_search": (0.12, "search"),
    "social": (0.12, "social"),
    "email": (0.10, "email"),
    "display": (0.05, "display"),
    "affiliate": (0.05, "affiliate"),
    "influencer": (0.04, "influencer"),
}

PAGE_TYPES = ("home", "category", "product", "search", "cart", "checkout", "confirmation", "campaign", "account")
HOME, CATEGORY, PRODUCT, SEARCH, CART, CHECKOUT, CONFIRMATION, CAMPAIGN, ACCOUNT = range(len(PAGE_TYPES))
LANDING = {HOME: 0.30, CATEGORY: 0.25, PRODUCT: 0.30, CAMPAIGN: 0.10, SEARCH: 0.05}
BROWSING = {PRODUCT: 0.52, CATEGORY: 0.28, HOME: 0.08, ACCOUNT: 0.04, CART: 0.08}  # search pages are placed apart

ANALYTICS_EVENTS = {  # event type → (page type it happens on, share)
    "size_guide_opened": (PRODUCT, 0.22),
    "image_zoom": (PRODUCT, 0.20),
    "video_play": (PRODUCT, 0.06),
    "colour_swatch_click": (PRODUCT, 0.12),
    "filter_applied": (CATEGORY, 0.18),
    "sort_changed": (CATEGORY, 0.08),
    "newsletter_signup": (HOME, 0.03),
    "store_locator": (HOME, 0.04),
    "share_product": (PRODUCT, 0.03),
    "promo_code_applied": (CART, 0.04),
}
FILTERS = pa.array(["size", "colour", "price", "material", "brand_line", "sustainability"])
SORTS = pa.array(["newest", "price_asc", "price_desc", "bestsellers"])

RETURN_REASONS = {  # reason → share among returns that are not for size; size reasons split small/large
    "not_as_pictured": 0.32,
    "quality": 0.18,
    "changed_mind": 0.30,
    "arrived_late": 0.08,
    "damaged": 0.12,
}
SIZE_REASONS = ("too_small", "too_large")
RETURN_REASON_NAMES = (*SIZE_REASONS, *RETURN_REASONS)

PLACEMENTS = ("product_page", "cart", "home")
ALGORITHMS = {"similar_items": 0.40, "frequently_bought_together": 0.25, "trending": 0.15, "personalised": 0.20}
SIZE_FIT = ("true_to_size", "runs_small", "runs_large")
EMAIL_EVENTS = ("sent", "opened", "clicked", "unsubscribed")
