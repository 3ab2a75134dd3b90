"""Off-topic questions answered with shop content (issue 14): today's behaviour vs the domain guard.

Off-topic set: CLINC150 (Larson et al. 2019, CC BY 3.0), read from ``$LIVEROOM_CLINC`` (default
../shared/data/eval/clinc150_test_val.json next to the repository; never copied into it). Every CLINC
query (banking, credit cards, travel, work, cooking, car, home, utilities, small talk, assistant meta,
and its own out-of-scope set) is off-topic for a cosmetics live-stream shop. Its val + oos_val parts
(3,100) only calibrate thresholds; test + oos_test (5,500) are reported and never tuned on.

A query "gets shop content" when
* the final NLU intent (after the FallbackClassifier) is a shop intent
  (``nlu.text.reply_policy.SHOP_INTENTS``) with confidence >= 0.4: its action answers with shop data; or
* the intent is ``nlu_fallback`` or ``ask_store_policy`` and the semantic FAQ search (in-memory replica
  of ``knowledge_graph.semantic.search.answer_question`` on the demo catalog's FAQs) finds an FAQ above
  its route's threshold: ``action_faq_or_handoff`` answers with it.

The reply policy (nlu/text/reply_policy.py: addressing, question form, quotas) is not applied: these figures
are what the NLU + FAQ layer would answer if the policy let every message through.

Rows: (a) baseline = today's main (its config and data, ``--baseline-ref``; FAQ thresholds of before
issue 14, now ``IN_DOMAIN_ROUTES``); (b) this tree, guard ignored (intent model with the added
out_of_scope examples; FAQ with the stricter ``ROUTES``, as for a question without a verdict); (c) with
the guard: shop content only when ``domain.in_domain``, and then the FAQ with ``IN_DOMAIN_ROUTES`` (what
actions/answers.py does). Also the FAQ search alone on every query (the gateway's degraded /
empty-turn path, which has no parse: ``ROUTES``), and the cost: shop questions of
tests/nlu/heldout_*.yml (shop intents only) marked in domain / answered.

Calibration (printed, also in the JSON): the lowest guard threshold whose CLINC val leak is <=
``GUARD_TARGET``, with the recall on tests/nlu/dev_*.yml; FAQ leg thresholds that keep CLINC val FAQ
answers <= ``FAQ_TARGET`` while answering most FAQ paraphrases (tests/knowledge_graph/
faq_paraphrases.json) correctly.

Leak examples (a few per CLINC domain, for review) are printed and written to
var/eval/offtopic/leak_examples.json, not to bench/results: CLINC text is not copied into the repo.

Models: this tree's with the project's training path (``ops.rasa_model.ensure_model``, as ``make
train``); the baseline with ``rasa train nlu`` on the baseline ref's config + data (var/eval/offtopic/).
Both are driven in-process in the Rasa runtime (``Agent.load`` + ``parse_message``) by a child
process of this script. Writes bench/results/offtopic_eval.json.

Run: ``.venv/bin/python bench/eval_offtopic.py`` (or ``make eval-offtopic``); a few minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu.text.reply_policy import FALLBACK_INTENT, SHOP_INTENTS  # pure module, both runtimes

REPO = Path(__file__).resolve().parent.parent
CLINC = Path(
    os.environ.get("LIVEROOM_CLINC", REPO.parent / "shared" / "data" / "eval" / "clinc150_test_val.json")
)
WORK = REPO / "var" / "eval" / "offtopic"
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"

FAQ_INTENTS = frozenset({FALLBACK_INTENT, "ask_store_policy"})
"""Intents answered by action_faq_or_handoff: shop content only when the FAQ search finds an FAQ."""
MIN_CONFIDENCE = 0.4
GUARD_TARGET = 0.01
"""Calibration: highest share of CLINC val queries the guard may let through to shop content."""
FAQ_TARGET = 0.01
"""Calibration: highest share of CLINC val queries the FAQ search alone may answer."""

# CLINC150's ten domains (15 intents each), for the per-domain figures and leak examples.
CLINC_DOMAINS: dict[str, tuple[str, ...]] = {
    "banking": (
        "transfer transactions balance freeze_account pay_bill bill_balance bill_due interest_rate routing "
        "min_payment order_checks pin_change report_fraud account_blocked spending_history"
    ).split(),
    "credit_cards": (
        "credit_score report_lost_card credit_limit rewards_balance new_card application_status "
        "card_declined international_fees apr redeem_rewards credit_limit_change damaged_card "
        "replacement_card_duration improve_credit_score expiration_date"
    ).split(),
    "kitchen_dining": (
        "recipe restaurant_reviews calories nutrition_info restaurant_suggestion ingredients_list "
        "ingredient_substitution cook_time food_last meal_suggestion restaurant_reservation "
        "confirm_reservation how_busy cancel_reservation accept_reservations"
    ).split(),
    "home": (
        "shopping_list shopping_list_update next_song play_music update_playlist todo_list "
        "todo_list_update calendar calendar_update what_song order order_status reminder reminder_update "
        "smart_home"
    ).split(),
    "auto_commute": (
        "traffic directions gas gas_type distance current_location mpg oil_change_when oil_change_how "
        "jump_start uber schedule_maintenance last_maintenance tire_pressure tire_change"
    ).split(),
    "travel": (
        "book_flight book_hotel car_rental travel_suggestion travel_alert travel_notification carry_on "
        "timezone vaccines translate flight_status international_visa lost_luggage plug_type exchange_rate"
    ).split(),
    "utility": (
        "time alarm share_location find_phone weather text spelling make_call timer date calculator "
        "measurement_conversion flip_coin roll_dice definition"
    ).split(),
    "work": (
        "direct_deposit pto_request taxes payday w2 pto_balance pto_request_status next_holiday insurance "
        "insurance_change schedule_meeting pto_used meeting_schedule rollover_401k income"
    ).split(),
    "small_talk": (
        "greeting goodbye tell_joke where_are_you_from how_old_are_you what_is_your_name who_made_you "
        "thank_you what_can_i_ask_you what_are_your_hobbies do_you_have_pets are_you_a_bot meaning_of_life "
        "who_do_you_work_for fun_fact"
    ).split(),
    "meta": (
        "change_ai_name change_user_name cancel user_name reset_settings whisper_mode repeat no yes maybe "
        "change_language change_accent change_volume change_speed sync_device"
    ).split(),
}
DOMAIN_OF = {intent: domain for domain, intents in CLINC_DOMAINS.items() for intent in intents}
DOMAIN_OF["oos"] = "oos"


# ---------------------------------------------------------------- Rasa runtime side (child process)


async def _parse_all(model: str, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    from bench.nlu_common import catalog_server

    out = []
    with catalog_server():
        agent = Agent.load(model)
        await asyncio.sleep(1.0)  # the product extractor fetches the catalog
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = parsed.get("intent") or {}
            domain = parsed.get("domain")
            out.append(
                {
                    "intent": intent.get("name"),
                    "confidence": round(float(intent.get("confidence") or 0.0), 4),
                    "domain": domain,
                    "product": any(e.get("entity") == "product" for e in parsed.get("entities") or []),
                }
            )
    return out


def _child(model: str, texts_file: str, out_file: str) -> None:
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    # Rasa logs every parse at debug level through structlog: 10,000 lines would slow the run down.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    started = time.perf_counter()
    rows = asyncio.run(_parse_all(model, texts))
    Path(out_file).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(f"parsed {len(texts)} messages with {Path(model).name} in {time.perf_counter() - started:.0f} s")


# ---------------------------------------------------------------- app runtime side


def _rasa_env() -> dict[str, str]:
    from ops.rasa_model import rasa_env

    env = rasa_env(REPO)
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONWARNINGS"] = "ignore"
    return env


def current_model() -> Path:
    from ops.rasa_model import ensure_model

    return ensure_model(REPO, log_file=REPO / "var" / "log" / "rasa-train.log")


def baseline_model(ref: str) -> Path:
    """NLU model of ``ref``'s config.yml + data/nlu_*.yml (this tree's nlu/ code; the guard, absent
    from that config, does not run)."""
    rev = subprocess.run(
        ["git", "rev-parse", f"{ref}^{{commit}}"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    files = {
        name: subprocess.run(
            ["git", "show", f"{rev}:{name}"], cwd=REPO, capture_output=True, check=True
        ).stdout
        for name in ("config.yml", "data/nlu_en.yml", "data/nlu_zh.yml")
    }
    digest = hashlib.sha256(b"".join(files.values())).hexdigest()[:12]
    fixed = f"baseline-{digest}"
    model = WORK / "models" / f"{fixed}.tar.gz"
    if model.exists():
        return model
    base = WORK / f"baseline-{digest}"
    (base / "data").mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (base / name).write_bytes(body)
    cmd = [str(REPO / ".venv-rasa" / "bin" / "rasa"), "train", "nlu", "--config", str(base / "config.yml")]
    cmd += ["--nlu", str(base / "data"), "--out", str(WORK / "models"), "--fixed-model-name", fixed]
    print(f"training the baseline NLU model of {ref} ({rev[:10]})", flush=True)
    with (WORK / "train-baseline.log").open("wb") as fh:
        subprocess.run(cmd, cwd=REPO, env=_rasa_env(), stdout=fh, stderr=subprocess.STDOUT, check=True)
    return model


def parse(model: Path, texts: list[str], tag: str) -> list[dict[str, Any]]:
    """Parses of ``texts`` by ``model`` (reused when the same model already parsed the same texts)."""
    WORK.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(model.name.encode() + json.dumps(texts).encode()).hexdigest()[:12]
    texts_file, out_file = WORK / f"texts-{tag}.json", WORK / f"parsed-{tag}-{key}.json"
    if out_file.exists():
        return json.loads(out_file.read_text(encoding="utf-8"))
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    cmd = [
        str(RASA_PYTHON),
        str(Path(__file__).resolve()),
        "--child",
        str(model),
        str(texts_file),
        str(out_file),
    ]
    subprocess.run(cmd, cwd=REPO, env=_rasa_env(), check=True)
    return json.loads(out_file.read_text(encoding="utf-8"))


def heldout_shop(split: str) -> list[str]:
    """Shop-intent lines of tests/nlu/{split}_{en,zh}.yml (annotations stripped)."""
    from tests.nlu.split_overlap import examples

    return [
        text
        for lang in ("en", "zh")
        for intent, text in examples(REPO / "tests" / "nlu" / f"{split}_{lang}.yml")
        if intent in SHOP_INTENTS
    ]


class FaqMatcher:
    """In-memory replica of ``answer_question`` over the demo catalog's FAQs (exact cosine)."""

    def __init__(self) -> None:
        from bench.eval_faq import Corpus
        from knowledge_graph.seed import load_catalog

        self.corpus = Corpus(list(load_catalog().faqs))

    def answers(self, texts: list[str], routes: dict[str, tuple[Any, ...]]) -> list[str | None]:
        from bench.eval_faq import route_answers
        from nlu.text.language import detect_language

        out: list[str | None] = [None] * len(texts)
        by_lang: dict[str, list[int]] = defaultdict(list)
        for n, text in enumerate(texts):
            by_lang[detect_language(text.strip())].append(n)
        for lang, idx in by_lang.items():
            got = route_answers(
                self.corpus, routes[lang], [texts[n].strip() or "." for n in idx], ("en", "zh")
            )
            for n, (faq_id, _margin) in zip(idx, got, strict=True):
                out[n] = faq_id
        return out

    def leg_scores(self, texts: list[str], encoder: str, langs: tuple[str, ...]) -> list[tuple[str, float]]:
        rows = self.corpus.best(encoder, texts, langs)
        return [(max(r, key=r.get), max(r.values())) for r in rows]


def shop_content(rows: list[dict[str, Any]], faq: list[str | None], *, guard: bool) -> list[bool]:
    out = []
    for row, faq_id in zip(rows, faq, strict=True):
        shop = row["intent"] in SHOP_INTENTS - FAQ_INTENTS and row["confidence"] >= MIN_CONFIDENCE
        faq_answer = row["intent"] in FAQ_INTENTS and faq_id is not None
        allowed = bool(row["domain"]["in_domain"]) if guard and row.get("domain") else True
        out.append((shop or faq_answer) and allowed)
    return out


def share(flags: list[bool]) -> float:
    return round(sum(flags) / max(1, len(flags)), 4)


def calibrate_guard(
    val_rows: list[dict[str, Any]], val_faq: list[str | None], dev_rows: list[dict[str, Any]]
):
    """Lowest threshold with CLINC val leak <= GUARD_TARGET; the sweep around it for the report."""
    sweep = []
    for step in range(30, 100):
        t = step / 100
        leak = [
            ok and r["domain"]["score"] >= t
            for ok, r in zip(shop_content(val_rows, val_faq, guard=False), val_rows, strict=True)
        ]
        recall = [r["domain"]["score"] >= t for r in dev_rows]
        sweep.append({"threshold": t, "clinc_val_leak": share(leak), "dev_shop_in_domain": share(recall)})
    chosen = next((s for s in sweep if s["clinc_val_leak"] <= GUARD_TARGET), sweep[-1])
    return chosen, sweep


def calibrate_faq(matcher: FaqMatcher, val_texts: list[str]) -> dict[str, Any]:
    """English route (CLINC is English): per leg, the lowest threshold at which that leg alone answers
    <= FAQ_TARGET / 2 of CLINC val (so both legs together stay <= FAQ_TARGET), with what it keeps of
    the English-detected FAQ paraphrases."""
    from bench.eval_faq import load_paraphrases
    from nlu.text.language import detect_language

    queries, _negatives = load_paraphrases()
    para = [(t, g) for qset in queries.values() for t, g in qset if detect_language(t) == "en"]
    out: dict[str, Any] = {"paraphrases_en_detected": len(para)}
    for encoder, langs in (("minilm", ("en",)), ("use", ("zh",))):
        neg = [s for _f, s in matcher.leg_scores(val_texts, encoder, langs)]
        pos = [
            (f == g, s)
            for (f, s), (_t, g) in zip(
                matcher.leg_scores([t for t, _ in para], encoder, langs), para, strict=True
            )
        ]
        rows = []
        for step in range(30, 91):
            t = step / 100
            rows.append(
                {
                    "threshold": t,
                    "clinc_val_answered": round(sum(s >= t for s in neg) / len(neg), 4),
                    "paraphrases_correct": round(sum(ok and s >= t for ok, s in pos) / len(pos), 3),
                    "paraphrases_wrong": round(sum((not ok) and s >= t for ok, s in pos) / len(pos), 3),
                }
            )
        chosen = next(r for r in rows if r["clinc_val_answered"] <= FAQ_TARGET / 2)
        out[f"{encoder}->{'+'.join(langs)}"] = {"chosen": chosen, "sweep": rows}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("MODEL", "TEXTS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--baseline-ref", default="main", help="git ref of today's behaviour (default main)")
    parser.add_argument("--examples", type=int, default=3, help="leak examples printed per CLINC domain")
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    from bench.common import write_result
    from knowledge_graph.semantic.search import IN_DOMAIN_ROUTES, ROUTES, Leg

    old_routes = {  # before issue 14 (now IN_DOMAIN_ROUTES)
        "en": (Leg("minilm", ("en",), 0.45), Leg("use", ("zh",), 0.40)),
        "zh": (Leg("use", ("en", "zh"), 0.48),),
    }
    started = time.perf_counter()
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    test = [(t, i) for t, i in data["test"] + data["oos_test"]]
    val = [(t, i) for t, i in data["val"] + data["oos_val"]]
    heldout, dev = heldout_shop("heldout"), heldout_shop("dev")
    texts = [t for t, _ in test] + [t for t, _ in val] + heldout + dev
    cut = [0, len(test), len(test) + len(val), len(test) + len(val) + len(heldout), len(texts)]

    def split(rows: list[Any]) -> tuple[list[Any], ...]:
        return tuple(rows[cut[k] : cut[k + 1]] for k in range(4))

    WORK.mkdir(parents=True, exist_ok=True)
    model = current_model()
    base_model = baseline_model(args.baseline_ref)
    cur = split(parse(model, texts, "current"))
    base = split(parse(base_model, texts, "baseline"))
    print("FAQ search (in memory, demo catalog FAQs) ...", flush=True)
    matcher = FaqMatcher()
    faq_old = split(matcher.answers(texts, old_routes))
    faq_new = split(matcher.answers(texts, ROUTES))  # no domain verdict (degraded path)
    faq_guarded = split(matcher.answers(texts, IN_DOMAIN_ROUTES))  # the guard said in domain

    rows: dict[str, dict[str, Any]] = {}
    variants = {
        "a_baseline_today": (base, faq_old, False),
        "b_new_data_no_guard": (cur, faq_new, False),
        "c_guard_and_faq_threshold": (cur, faq_guarded, True),
    }
    flags_of: dict[str, tuple[list[bool], ...]] = {}
    for name, (parsed, faq, guard) in variants.items():
        flags = tuple(shop_content(p, f, guard=guard) for p, f in zip(parsed, faq, strict=True))
        flags_of[name] = flags
        intent_only = [
            r["intent"] in SHOP_INTENTS - FAQ_INTENTS
            and r["confidence"] >= MIN_CONFIDENCE
            and (not guard or r["domain"]["in_domain"])
            for r in parsed[0]
        ]
        rows[name] = {
            "clinc_test_shop_content": share(flags[0]),
            "clinc_test_shop_intent_answer": share(intent_only),
            "clinc_val_shop_content": share(flags[1]),
            "heldout_shop_answered": share(flags[2]),
            "dev_shop_answered": share(flags[3]),
        }
        if guard:
            rows[name]["heldout_shop_in_domain"] = share([r["domain"]["in_domain"] for r in parsed[2]])
            rows[name]["clinc_test_in_domain"] = share([r["domain"]["in_domain"] for r in parsed[0]])
    pair = [(faq_guarded[k], cur[k]) for k in range(4)]
    faq_path = {
        "old_thresholds": {
            "clinc_test": share([f is not None for f in faq_old[0]]),
            "heldout_shop": share([f is not None for f in faq_old[2]]),
        },
        "new_thresholds": {
            "clinc_test": share([f is not None for f in faq_new[0]]),
            "heldout_shop": share([f is not None for f in faq_new[2]]),
        },
        "in_domain_thresholds_when_guard_says_in_domain": {
            "clinc_test": share(
                [f is not None and r["domain"]["in_domain"] for f, r in zip(*pair[0], strict=True)]
            ),
            "heldout_shop": share(
                [f is not None and r["domain"]["in_domain"] for f, r in zip(*pair[2], strict=True)]
            ),
        },
    }

    per_domain: dict[str, dict[str, float]] = {}
    examples: dict[str, list[dict[str, Any]]] = {}
    rng = random.Random(14)
    for name in ("a_baseline_today", "c_guard_and_faq_threshold"):
        counts, leaks = Counter(), Counter()
        for (_text, intent), leak in zip(test, flags_of[name][0], strict=True):
            dom = DOMAIN_OF.get(intent, "other")
            counts[dom] += 1
            leaks[dom] += leak
        per_domain[name] = {d: round(leaks[d] / counts[d], 4) for d in sorted(counts)}
    leaked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (text, intent), leak, row, faq_id in zip(
        test, flags_of["c_guard_and_faq_threshold"][0], cur[0], faq_guarded[0], strict=True
    ):
        if leak:
            leaked[DOMAIN_OF.get(intent, "other")].append(
                {
                    "text": text,
                    "clinc_intent": intent,
                    "intent": row["intent"],
                    "confidence": row["confidence"],
                    "domain_score": row["domain"]["score"],
                    "faq": faq_id if row["intent"] in FAQ_INTENTS else None,
                }
            )
    for dom, items in sorted(leaked.items()):
        examples[dom] = rng.sample(items, min(args.examples, len(items)))

    guard_chosen, guard_sweep = calibrate_guard(cur[1], faq_guarded[1], cur[3])
    faq_cal = calibrate_faq(matcher, [t for t, _ in val])
    result = {
        "clinc": {
            "test_queries": len(test),
            "val_queries": len(val),
            "source": "CLINC150 (CC BY 3.0), test+oos_test reported, val+oos_val for calibration",
        },
        "heldout_shop_questions": len(heldout),
        "dev_shop_questions": len(dev),
        "baseline_ref": args.baseline_ref,
        "variants": rows,
        "faq_search_alone": faq_path,
        "faq_routes": {
            "old": {
                lang: [vars(leg) | {"langs": list(leg.langs)} for leg in legs]
                for lang, legs in old_routes.items()
            },
            "shipped_without_verdict": {
                lang: [vars(leg) | {"langs": list(leg.langs)} for leg in legs]
                for lang, legs in ROUTES.items()
            },
            "shipped_in_domain": {
                lang: [vars(leg) | {"langs": list(leg.langs)} for leg in legs]
                for lang, legs in IN_DOMAIN_ROUTES.items()
            },
        },
        "per_clinc_domain_shop_content": per_domain,
        "leak_examples_with_guard": str((WORK / "leak_examples.json").relative_to(REPO)),
        "calibration": {
            "guard_target_clinc_val_leak": GUARD_TARGET,
            "guard_chosen": guard_chosen,
            "guard_sweep": [s for s in guard_sweep if abs(s["threshold"] - guard_chosen["threshold"]) <= 0.1],
            "faq_target_clinc_val_answered": FAQ_TARGET,
            "faq": {
                k: (
                    v
                    if not isinstance(v, dict)
                    else {
                        "chosen": v["chosen"],
                        "sweep": [
                            r for r in v["sweep"] if abs(r["threshold"] - v["chosen"]["threshold"]) <= 0.08
                        ],
                    }
                )
                for k, v in faq_cal.items()
            },
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_result("offtopic_eval", result)
    # CLINC texts stay out of the repository: the examples go to var/ (ignored by git).
    (WORK / "leak_examples.json").write_text(
        json.dumps(examples, ensure_ascii=False, indent=1), encoding="utf-8"
    )

    print(
        f"\nCLINC150 test + oos_test: {len(test)} off-topic queries; shop questions held out: {len(heldout)}"
    )
    header = ("variant", "CLINC->shop", "(intent)", "val", "heldout answered", "heldout in_domain")
    print("{:28s} {:>11s} {:>9s} {:>7s} {:>17s} {:>18s}".format(*header))
    for name, r in rows.items():
        print(
            f"{name:28s} {r['clinc_test_shop_content']:11.2%} {r['clinc_test_shop_intent_answer']:9.2%} "
            f"{r['clinc_val_shop_content']:7.2%} {r['heldout_shop_answered']:17.2%} "
            f"{r.get('heldout_shop_in_domain', float('nan')):18.2%}"
        )
    print("FAQ search alone (gateway degraded path), share answered:")
    for name, r in faq_path.items():
        print(
            f"  {name:26s} CLINC test {r['clinc_test']:.2%}   held-out shop questions {r['heldout_shop']:.2%}"
        )
    print("per CLINC domain, shop content (baseline -> guard):")
    for dom in per_domain["a_baseline_today"]:
        before, after = per_domain["a_baseline_today"][dom], per_domain["c_guard_and_faq_threshold"][dom]
        print(f"  {dom:15s} {before:7.2%} -> {after:6.2%}")
    print("leaks left with the guard (examples):")
    for dom, items in examples.items():
        for item in items:
            print(
                f"  [{dom}] {item['text']!r} -> {item['intent']} {item['confidence']:.2f}"
                f" score {item['domain_score']:.2f}" + (f" faq {item['faq']}" if item["faq"] else "")
            )
    print(
        f"calibration: guard threshold {guard_chosen['threshold']}"
        f" (CLINC val leak {guard_chosen['clinc_val_leak']:.2%}, "
        f"dev shop in domain {guard_chosen['dev_shop_in_domain']:.2%});"
        + "".join(
            f" FAQ {k} >= {v['chosen']['threshold']}" for k, v in faq_cal.items() if isinstance(v, dict)
        )
    )
    print(f"wrote {path.relative_to(REPO)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
