"""nlu.text.normalizer: live-chat text -> what the NLU models see, with offsets back into the raw text."""

from __future__ import annotations

import pytest

from nlu.text.catalog_names import ProductMatcher, default_catalog_url
from nlu.text.normalizer import normalize, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("price??????", "price??"),
        ("@bot is the RED one in stock", "is the red one in stock"),
        ("多少钱啊主播～～～", "多少钱啊主播~~"),
        ("lol 666666 PogChamp", "emotelaugh 66 emotehype"),
        ("主播这个有ＭＬ码吗", "主播这个有ml码吗"),
        ("looool KEKW", "emotelaugh emotelaugh"),
        ("hahahaha", "emotelaugh"),
        ("link pls https://shop.example.com/a?b=1", "link pls url"),
        ("[doge][笑哭]主播太好笑了", "emotelaugh emotelaugh 主播太好笑了"),
        ("soooo goood <3", "soo good emotelove"),
        ("email me@x.com", "email me@x.com"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_offsets_map_normalized_spans_back_to_the_raw_text() -> None:
    raw = "@bot priceeee of the ＳＥＲＵＭ? KEKW"
    norm = normalize(raw)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    i = norm.text.index("serum")
    start, end = norm.source_span(i, i + 5)
    assert raw[start:end] == "ＳＥＲＵＭ"
    i = norm.text.index("pricee")
    start, end = norm.source_span(i, i + 6)
    assert raw[start:end] == "priceeee"
    i = norm.text.index("emotelaugh")
    start, end = norm.source_span(i, i + len("emotelaugh"))
    assert raw[start:end] == "KEKW"


def test_exact_product_matching_without_the_rasa_runtime() -> None:
    matcher = ProductMatcher.from_products(
        [
            {
                "sku": "A",
                "names": {"en": "Matte Lipstick", "zh": "哑光口红"},
                "aliases": {"en": ["lipstick"], "zh": ["口红"]},
            },
            {
                "sku": "B",
                "names": {"en": "Lip Gloss", "zh": "水光唇釉"},
                "aliases": {"en": ["gloss"], "zh": []},
            },
        ]
    )
    found = [(m.sku, m.key) for m in matcher.find("matte lipstick or the GLOSS? 口红也行")]
    assert found == [("A", "matte lipstick"), ("B", "gloss"), ("A", "口红")]
    assert matcher.find("glossy lips") == []  # word boundary
    assert [m.key for m in matcher.find("lipsticks?")] == ["lipstick"]  # plural


def test_catalog_url_comes_from_the_environment() -> None:
    assert default_catalog_url({}) == "http://127.0.0.1:8080/api/v1/catalog/names"
    assert (
        default_catalog_url({"LIVEROOM_GATEWAY_PORT": "9123"}) == "http://127.0.0.1:9123/api/v1/catalog/names"
    )
    assert default_catalog_url({"LIVEROOM_CATALOG_URL": "http://x/y"}) == "http://x/y"
