"""Preview and run-of-show (bot/content/facts.py, preview.py, runofshow.py) from a real graph (the demo
catalog, plus a shop's history between streams: interactions, a new product, a restocked shade, a sold-out
blush) and a recorded stream."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bench.content_demo import graph_history, record_demo
from bot.__main__ import main as cli
from bot.content.facts import gather
from bot.content.preview import SHORT_LIMIT, TITLE_LIMIT, preview, preview_doc, x_length
from bot.content.runofshow import run_of_show, run_of_show_doc
from knowledge_graph.store import GraphStore


@pytest.fixture
async def facts_and_db(seeded_store: GraphStore, tmp_path: Path):
    db = tmp_path / "sessions.sqlite"
    record_demo(db, hours=1.0)  # ended a day ago
    await graph_history(seeded_store)
    return await gather(seeded_store, db), db


def test_x_length_counts_cjk_twice() -> None:
    assert x_length("abc") == 3 and x_length("直播") == 4 and x_length("LIVE10 直播") == 11


async def test_preview_in_both_languages(facts_and_db) -> None:
    facts, _ = facts_and_db
    assert facts.stream is not None and facts.new == ["LR-LIP-004"] and facts.restocked == ["LR-LIP-001"]
    en, zh = preview(facts, "en"), preview(facts, "zh")
    for p in (en, zh):
        assert x_length(p["short"]) <= SHORT_LIMIT
        assert x_length(p["title"]) <= TITLE_LIMIT
        assert "LIVE10" in p["short"] and "SERUM30" in p["short"]
        assert "SUMMER15" not in p["long"]  # ended
        # viewers' own words never go into a public post
        assert "卸妆油" not in p["short"] + p["long"] + p["title"] and "hair dye" not in p["long"]
        assert "卸妆油" in p["note"]
    assert en["title"].startswith(facts.stream.title_en)
    assert zh["title"].startswith(facts.stream.title_zh)
    assert "New: Velvet Lip Tint." in en["short"] and "Back in stock: Matte Lipstick." in en["short"]
    assert "新品：丝绒唇釉。" in zh["short"] and "补货：哑光口红。" in zh["short"]
    assert "(Beijing time)" in en["short"] and "（北京时间）" in zh["short"]
    # the sold-out blush was asked about but is not promised
    assert "Peach Blush" not in en["short"] + en["long"] and "蜜桃腮红" not in zh["short"] + zh["long"]
    # a shop-wide code applies to every product, a product code only to its product
    assert "· Hydrating Serum ¥239.00, ¥209.00 with SERUM30" in en["long"]
    assert "· Velvet Lip Tint ¥99.00, ¥89.10 with LIVE10" in en["long"]
    assert "· 补水精华 ¥239.00，用 SERUM30 到手 ¥209.00" in zh["long"]
    assert "Most asked last stream: Hydrating Serum" in en["long"]
    text = preview_doc(facts, "zh").plain()
    assert text.startswith("直播预告") and "素材来源" in text


async def test_run_of_show_in_both_languages(facts_and_db) -> None:
    facts, _ = facts_and_db
    plan = run_of_show(facts, 120, "en")
    segments = plan["segments"]
    assert segments[0].kind == "intro" and segments[-1].kind == "outro"
    assert segments[0].start_min == 0 and segments[-1].end_min == 120
    for a, b in itertools.pairwise(segments):
        assert a.end_min == b.start_min
    products = [s.sku for s in segments if s.kind == "product"]
    assert products[:3] == ["LR-LIP-001", "LR-SKN-001", "LR-MKP-001"]
    assert "LR-MKP-006" not in products  # sold out
    assert plan["flagged"][0][0] == "LR-MKP-006" and "sold out" in plan["flagged"][0][1]
    serum = next(s for s in segments if s.sku == "LR-SKN-001")
    assert any(r.startswith("asked ") and r.endswith(" times last stream") for r in serum.reasons)
    assert "promo SERUM30 running" in serum.reasons and "most popular in Skin care" in serum.reasons
    lipstick = next(s for s in segments if s.sku == "LR-LIP-001")
    assert "restocked" in lipstick.reasons
    assert any(s.kind == "requests" and "卸妆油" in " ".join(s.reasons) for s in segments)
    assert "new" in next(s for s in segments if s.sku == "LR-LIP-004").reasons
    zh = run_of_show_doc(facts, 120, "zh").plain()
    assert "00:00–00:05 开场" in zh and "01:55–02:00 收尾" in zh
    assert "优惠码 SERUM30 进行中" in zh and "护肤里最受关注" in zh and "蜜桃腮红 — 上一场被问了" in zh
    short = run_of_show(facts, 45, "en")
    assert short["segments"][-1].end_min == 45 and sum(s.kind == "product" for s in short["segments"]) == 3
    with pytest.raises(ValueError):
        run_of_show(facts, 10, "en")


async def test_empty_graph_and_no_recording(store: GraphStore, tmp_path: Path) -> None:
    facts = await gather(store, tmp_path / "none.sqlite")
    for lang, missing in (("en", "no stream scheduled"), ("zh", "暂无直播安排")):
        p = preview(facts, lang)
        assert missing in p["short"] and x_length(p["short"]) <= SHORT_LIMIT
        kinds = [s.kind for s in run_of_show(facts, 60, lang)["segments"]]
        assert kinds == ["intro", "open", "outro"]


async def test_cli_preview_and_run_of_show(
    facts_and_db, seeded_store: GraphStore, monkeypatch, capsys
) -> None:
    if seeded_store.config.backend != "falkordb":
        pytest.skip("the CLI test reads FalkorDB settings from the environment")
    _, db = facts_and_db
    monkeypatch.setenv("FALKORDB_PORT", str(seeded_store.config.falkordb_port))
    monkeypatch.setenv("LIVEROOM_GRAPH_NAME", seeded_store.config.graph_name)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert await _run(["content", "preview", "--db", str(db), "--lang", "zh"]) == 0
    assert capsys.readouterr().out.startswith("直播预告")
    assert await _run(["content", "runofshow", "--minutes", "90", "--db", str(db), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Run of show · 90 min stream") and "# 直播流程 · 90 分钟直播" in out
    assert "01:25–01:30 Outro" in out


async def _run(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(cli, argv)  # the CLI runs its own event loop
