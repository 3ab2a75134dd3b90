"""Which encoder answers FAQ questions best, per language? Accuracy@1 on hand-written paraphrases.

Data: tests/knowledge_graph/faq_paraphrases.json -- 320 paraphrases of the 32 demo FAQs
(English, Chinese, mixed) plus 30 unrelated chat lines ("negatives") the bot must decline.

Part 1 (in memory, exact cosine): for MiniLM and USE, accuracy@1 of every query set against
FAQ corpora with both languages ("bi"), English questions only ("en-only") and Chinese
only ("zh-only"); en->zh-only and zh->en-only are the cross-language figures. Then per
encoder the cosine threshold that maximizes (correct - wrong answers)/N - false answers on
negatives, and the candidate routes per detected query language with those thresholds.

Part 2 (real FalkorDB, the production path): ``answer_question`` with the shipped
``ROUTES`` on the seeded demo graph, and on graphs whose FAQs exist in one language only
(cross-language), reporting correct / wrong / declined and false answers on negatives.

Prints tables; writes bench/results/faq_eval.json. Run: .venv/bin/python bench/eval_faq.py
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.common import REPO, falkordb, write_result
from knowledge_graph.editing.faq import upsert_faqs, upsert_streamer
from knowledge_graph.editing.products import upsert_products
from knowledge_graph.model.faq import FAQ
from knowledge_graph.schema import migrate
from knowledge_graph.seed import load_catalog
from knowledge_graph.semantic import ROUTES, Leg, answer_question, encode, ensure_faq_vector_indexes
from nlu.text.language import detect_language

PARAPHRASES = REPO / "tests" / "knowledge_graph" / "faq_paraphrases.json"
ENCODERS = ("minilm", "use")
QUERY_SETS = ("en", "zh", "mixed")
CORPORA: dict[str, tuple[str, ...]] = {"bi": ("en", "zh"), "en-only": ("en",), "zh-only": ("zh",)}


def load_paraphrases(
    path: Path = PARAPHRASES,
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[str]]]:
    """``({"en": [(text, faq_id), ...], "zh": ..., "mixed": ...}, {"en": [neg...], "zh": [...]})``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    queries: dict[str, list[tuple[str, str]]] = {name: [] for name in QUERY_SETS}
    for faq_id, sets in data["paraphrases"].items():
        for name in QUERY_SETS:
            queries[name] += [(text, faq_id) for text in sets.get(name, [])]
    return queries, data["negatives"]


class Corpus:
    """FAQ question vectors per (encoder, language), for exact in-memory search."""

    def __init__(self, faqs: list[FAQ]) -> None:
        self.vectors: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}
        for encoder in ENCODERS:
            for lang in ("en", "zh"):
                items = [
                    (f.id, getattr(f, f"question_{lang}")) for f in faqs if getattr(f, f"question_{lang}")
                ]
                ids = [faq_id for faq_id, _ in items]
                self.vectors[(encoder, lang)] = (ids, encode(encoder, [text for _, text in items]))
        self._queries: dict[tuple[str, str], np.ndarray] = {}

    def query_vectors(self, encoder: str, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if (encoder, t) not in self._queries]
        if missing:
            for text, vector in zip(missing, encode(encoder, missing), strict=True):
                self._queries[(encoder, text)] = vector
        return np.stack([self._queries[(encoder, t)] for t in texts])

    def best(self, encoder: str, texts: list[str], langs: tuple[str, ...]) -> list[dict[str, float]]:
        """Per query: {faq_id: best cosine over the questions in ``langs``}."""
        qv = self.query_vectors(encoder, texts)
        out: list[dict[str, float]] = [{} for _ in texts]
        for lang in langs:
            ids, matrix = self.vectors[(encoder, lang)]
            sims = qv @ matrix.T
            for row, scores in zip(out, sims, strict=True):
                for faq_id, score in zip(ids, scores, strict=True):
                    if score > row.get(faq_id, -2.0):
                        row[faq_id] = float(score)
        return out


def accuracy_table(corpus: Corpus, queries: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for encoder in ENCODERS:
        for qset in QUERY_SETS:
            texts = [t for t, _ in queries[qset]]
            golds = [g for _, g in queries[qset]]
            for corpus_name, langs in CORPORA.items():
                best = corpus.best(encoder, texts, langs)
                hits = sum(max(row, key=row.get) == gold for row, gold in zip(best, golds, strict=True))
                table[f"{encoder}|{qset}->{corpus_name}"] = round(hits / len(texts), 3)
    return table


def _utility(tops: list[tuple[float, bool]], neg_tops: list[float], threshold: float) -> dict[str, float]:
    correct = sum(s >= threshold and ok for s, ok in tops)
    wrong = sum(s >= threshold and not ok for s, ok in tops)
    false = sum(s >= threshold for s in neg_tops)
    return {
        "utility": round((correct - wrong) / len(tops) - false / max(1, len(neg_tops)), 3),
        "correct": round(correct / len(tops), 3),
        "wrong": round(wrong / len(tops), 3),
        "declined": round(1 - (correct + wrong) / len(tops), 3),
        "negatives_answered": round(false / max(1, len(neg_tops)), 3),
    }


def by_detected_language(
    queries: dict[str, list[tuple[str, str]]], negatives: dict[str, list[str]], lang: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """All paraphrases (en, zh, mixed) and negatives that ``detect_language`` routes to ``lang``."""
    items = [pair for qset in QUERY_SETS for pair in queries[qset] if detect_language(pair[0]) == lang]
    negs = [t for texts in negatives.values() for t in texts if detect_language(t) == lang]
    return items, negs


def calibrate_leg(
    corpus: Corpus, encoder: str, fields: tuple[str, ...], items: list[tuple[str, str]], negs: list[str]
) -> float:
    """Cosine threshold for one leg: maximizes (correct - wrong)/N - false-answer rate on negatives,
    on the queries the leg serves, against a corpus holding only the leg's question languages."""
    rows = corpus.best(encoder, [t for t, _ in items], fields)
    tops = [(max(r.values()), max(r, key=r.get) == g) for r, (_, g) in zip(rows, items, strict=True)]
    neg_tops = [max(r.values()) for r in corpus.best(encoder, negs, fields)] if negs else []
    grid = [round(float(t), 2) for t in np.arange(0.25, 0.91, 0.01)]
    return max(grid, key=lambda t: (_utility(tops, neg_tops, t)["utility"], -t))


def candidate_routes(
    corpus: Corpus, queries: dict[str, list[tuple[str, str]]], negatives: dict[str, list[str]]
) -> dict[str, dict[str, tuple[Leg, ...]]]:
    """Per detected language, the routes worth comparing, each leg with its calibrated threshold."""
    shapes: dict[str, dict[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
        "en": {
            "minilm": (("minilm", ("en", "zh")),),
            "use": (("use", ("en", "zh")),),
            "minilm(en)+use(zh)": (("minilm", ("en",)), ("use", ("zh",))),
        },
        "zh": {
            "minilm": (("minilm", ("en", "zh")),),
            "use": (("use", ("en", "zh")),),
            "minilm(zh)+use(en)": (("minilm", ("zh",)), ("use", ("en",))),
        },
    }
    out: dict[str, dict[str, tuple[Leg, ...]]] = {}
    for lang, routes in shapes.items():
        items, negs = by_detected_language(queries, negatives, lang)
        out[lang] = {
            name: tuple(
                Leg(enc, fields, calibrate_leg(corpus, enc, fields, items, negs)) for enc, fields in legs
            )
            for name, legs in routes.items()
        }
    return out


def route_answers(
    corpus: Corpus, legs: tuple[Leg, ...], texts: list[str], langs: tuple[str, ...]
) -> list[tuple[str | None, float]]:
    """In-memory replica of answer_question's merge: best (cosine - leg threshold) >= 0."""
    out: list[tuple[float, str | None, float]] = [(-9.0, None, 0.0)] * len(texts)
    for leg in legs:
        use_langs = tuple(lang for lang in leg.langs if lang in langs)
        if not use_langs:
            continue
        for n, row in enumerate(corpus.best(leg.encoder, texts, use_langs)):
            faq_id = max(row, key=row.get)
            margin = row[faq_id] - leg.threshold
            if margin > out[n][0]:
                out[n] = (margin, faq_id, row[faq_id])
    return [(faq_id if margin >= 0 else None, margin) for margin, faq_id, _ in out]


def score_route(
    corpus: Corpus, legs: tuple[Leg, ...], items: list[tuple[str, str]], negs: list[str]
) -> dict[str, Any]:
    """Correct / wrong / declined per corpus, false answers on negatives, and the mean utility."""
    out: dict[str, Any] = {}
    texts = [t for t, _ in items]
    for corpus_name, langs in CORPORA.items():
        got = [faq_id for faq_id, _ in route_answers(corpus, legs, texts, langs)]
        correct = sum(a == g for a, (_, g) in zip(got, items, strict=True))
        wrong = sum(a is not None and a != g for a, (_, g) in zip(got, items, strict=True))
        out[corpus_name] = {
            "correct": round(correct / len(items), 3),
            "wrong": round(wrong / len(items), 3),
            "declined": round(1 - (correct + wrong) / len(items), 3),
        }
    false = sum(a is not None for a, _ in route_answers(corpus, legs, negs, ("en", "zh"))) if negs else 0
    out["negatives_answered"] = round(false / max(1, len(negs)), 3)
    out["utility"] = round(
        sum(v["correct"] - v["wrong"] for k, v in out.items() if k in CORPORA) / len(CORPORA)
        - out["negatives_answered"],
        3,
    )
    return out


async def graph_eval(
    faqs: list[FAQ], queries: dict[str, list[tuple[str, str]]], negatives: dict[str, list[str]]
) -> dict[str, Any]:
    """answer_question with the shipped ROUTES on real FalkorDB graphs."""
    catalog = load_catalog()
    results: dict[str, Any] = {}
    variants = {
        "bi": faqs,
        "en-only": [dataclasses.replace(f, question_zh="", answer_zh="") for f in faqs],
        "zh-only": [dataclasses.replace(f, question_en="", answer_en="") for f in faqs],
    }
    with falkordb() as server:
        for name, corpus_faqs in variants.items():
            store = server.graph_config(f"eval-{name}")
            from knowledge_graph.store import open_store

            async with open_store(store) as graph:
                await migrate(graph)
                await ensure_faq_vector_indexes(graph)
                if catalog.streamer is not None:
                    await upsert_streamer(graph, catalog.streamer)
                await upsert_products(graph, catalog.products)
                await upsert_faqs(graph, corpus_faqs)
                for qset in QUERY_SETS:
                    correct = wrong = declined = 0
                    for text, gold in queries[qset]:
                        answer = await answer_question(graph, text)
                        if answer is None:
                            declined += 1
                        elif answer.faq_id == gold:
                            correct += 1
                        else:
                            wrong += 1
                    n = len(queries[qset])
                    results[f"{qset}->{name}"] = {
                        "correct": round(correct / n, 3),
                        "wrong": round(wrong / n, 3),
                        "declined": round(declined / n, 3),
                    }
                if name == "bi":
                    negs = negatives["en"] + negatives["zh"]
                    answered = [t for t in negs if await answer_question(graph, t) is not None]
                    results["negatives_answered"] = round(len(answered) / len(negs), 3)
                    results["negatives_answered_examples"] = answered[:5]
    return results


def main() -> None:
    started = time.perf_counter()
    queries, negatives = load_paraphrases()
    faqs = list(load_catalog().faqs)
    corpus = Corpus(faqs)
    table = accuracy_table(corpus, queries)
    candidates = candidate_routes(corpus, queries, negatives)
    scored: dict[str, dict[str, Any]] = {}
    chosen: dict[str, str] = {}
    for lang, routes in candidates.items():
        items, negs = by_detected_language(queries, negatives, lang)
        scored[lang] = {name: score_route(corpus, legs, items, negs) for name, legs in routes.items()}
        scored[lang]["shipped"] = score_route(corpus, ROUTES[lang], items, negs)
        chosen[lang] = max(routes, key=lambda name, lang=lang: scored[lang][name]["utility"])
    graph = asyncio.run(graph_eval(faqs, queries, negatives))

    counts = {qset: len(queries[qset]) for qset in QUERY_SETS}
    negs_total = sum(map(len, negatives.values()))
    print(f"FAQ accuracy@1, exact cosine ({len(faqs)} FAQs; queries {counts}; {negs_total} negatives)")
    print(f"{'query -> FAQ corpus':<22}" + "".join(f"{e:>9}" for e in ENCODERS))
    for qset in QUERY_SETS:
        for corpus_name in CORPORA:
            key = f"{qset}->{corpus_name}"
            print(f"{key:<22}" + "".join(f"{table[f'{e}|{key}']:>9.3f}" for e in ENCODERS))
    print("\nroutes per detected language, with calibrated thresholds: correct/wrong per corpus")
    for lang, routes in scored.items():
        for name, fig in routes.items():
            legs = candidates[lang].get(name) or ROUTES[lang]
            legs_text = " + ".join(f"{leg.encoder}{list(leg.langs)}>={leg.threshold:.2f}" for leg in legs)
            cells = "  ".join(f"{c}: {fig[c]['correct']:.3f}/{fig[c]['wrong']:.3f}" for c in CORPORA)
            mark = " <- best" if name == chosen[lang] else ""
            print(
                f"  {lang} {name:<20} {cells}  neg {fig['negatives_answered']:.3f}  "
                f"utility {fig['utility']:.3f}  [{legs_text}]{mark}"
            )
    print("\nshipped ROUTES on FalkorDB (answer_question): correct / wrong / declined")
    for key, value in graph.items():
        if isinstance(value, dict):
            print(f"  {key:<20} {value['correct']:.3f} / {value['wrong']:.3f} / {value['declined']:.3f}")
    print(f"  negatives answered: {graph['negatives_answered']:.3f} {graph['negatives_answered_examples']}")
    path = write_result(
        "faq_eval",
        {
            "faqs": len(faqs),
            "queries": counts,
            "negatives": negs_total,
            "accuracy_at_1": table,
            "candidate_routes": {
                lang: {name: [dataclasses.asdict(leg) for leg in legs] for name, legs in routes.items()}
                for lang, routes in candidates.items()
            },
            "route_scores_in_memory": scored,
            "best_route_by_utility": chosen,
            "shipped_routes": {
                lang: [dataclasses.asdict(leg) for leg in legs] for lang, legs in ROUTES.items()
            },
            "shipped_on_falkordb": graph,
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    print(f"\nwrote {path.relative_to(REPO)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
