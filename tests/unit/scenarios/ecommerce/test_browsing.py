"""Browsing: product views cluster in few departments, a few products draw most views, searches name what is sold."""

from __future__ import annotations

import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ecommerce_data import codes, human_sessions, ints, strings


def _human_views(tables: dict[str, pa.Table]) -> pa.Table:
    k = tables["clickstream"]
    views = k.filter(pc.equal(k.column("event_type"), "product_view"))
    humans = human_sessions(tables).column("session_id").combine_chunks()
    return views.filter(pc.is_in(views.column("session_id"), value_set=humans))


def _distinct_per_session(session: np.ndarray, category: np.ndarray) -> float:
    pairs = np.unique(np.stack([session, category]), axis=1)
    return float(np.bincount(pairs[0]).astype(np.float64)[np.unique(session)].mean())


def test_a_sessions_views_cluster_in_few_categories(march) -> None:
    views = _human_views(march)
    category = codes(march["products"], "category")[ints(views, "product_id") - 1]
    session = codes(views, "session_id")
    many = np.bincount(session)[session] >= 4  # sessions with at least four product views
    session, category = session[many], category[many]
    actual = _distinct_per_session(session, category)
    # the same views dealt to sessions at random (same session sizes, same product popularity)
    rng = np.random.default_rng(0)
    shuffled = np.mean([_distinct_per_session(session, rng.permutation(category)) for _ in range(3)])
    assert np.unique(session).size > 2000
    assert actual < 0.75 * shuffled, (actual, shuffled)


def test_a_few_products_draw_most_views(march) -> None:
    views = _human_views(march)
    n = march["products"].num_rows
    per_product = np.sort(np.bincount(ints(views, "product_id") - 1, minlength=n))[::-1]
    top = per_product[: n // 10].sum() / per_product.sum()
    # ~100k views over 400 products: a uniform catalogue would give the top tenth ~12 %, sampling noise included
    assert top > 0.35, top
    # Zipf-like: views fall steadily with rank, by more than an order of magnitude from the head to the middle
    assert per_product[0] > 10 * per_product[n // 2], (per_product[0], per_product[n // 2])


def test_every_search_names_something_the_catalogue_holds(sale_weeks) -> None:
    k, p = sale_weeks["clickstream"], sale_weeks["products"]
    searches = k.filter(pc.equal(k.column("event_type"), "search"))
    assert searches.num_rows > 1000
    assert searches.column("search_query").null_count == 0
    colours = [json.loads(a)["colour"] for a in p.column("attributes").to_pylist()]
    words = [
        set(re.findall(r"[\w&'-]+", f"{b} {s} {c}".lower()))
        for b, s, c in zip(strings(p, "brand"), strings(p, "subcategory"), colours, strict=True)
    ]
    for query in set(strings(searches, "search_query")):
        wanted = set(re.findall(r"[\w&'-]+", query.lower()))
        assert any(wanted <= w for w in words), query


def test_a_search_followed_by_a_view_shows_what_it_named(sale_weeks) -> None:
    """When a product view follows a search in a session, the product answers the query."""
    k, p = sale_weeks["clickstream"], sale_weeks["products"]
    k = k.sort_by([("session_id", "ascending"), ("position", "ascending")])
    kind, sess, query, product = (strings(k, c) for c in ("event_type", "session_id", "search_query", "product_id"))
    follows = np.flatnonzero((kind[:-1] == "search") & (kind[1:] == "product_view") & (sess[:-1] == sess[1:]))
    assert follows.size > 500
    colours = [json.loads(a)["colour"] for a in p.column("attributes").to_pylist()]
    text = [
        f"{b} {s} {c}".lower() for b, s, c in zip(strings(p, "brand"), strings(p, "subcategory"), colours, strict=True)
    ]
    misses = sum(not set(query[i].lower().split()) <= set(text[int(product[i + 1]) - 1].split()) for i in follows)
    assert misses == 0, misses
