#!/usr/bin/env python3
"""Derives the three model directories the server's conformance tests need from models that already exist, with the
standard library only, byte for byte the same on every machine (each output's model.safetensors is checked against
its sha256 below).

  cross-encoder-stsb-MiniLM-L6-3labels   sequence classification with three labels, for TEI's /predict: the encoder,
      pooler and tokenizer of cross-encoder-stsb-MiniLM-L6 and a [3, 384] classifier whose rows are
        0 "similar":    the original 1-logit head (weight w, bias b)
        1 "dissimilar": its negation (-w, -b)
        2 "noise":      0.05 * u, u uniform in [-1, 1) from a 32-bit LCG (seed 13), bias 0
      so that softmax scores follow the STS-B head (similar pairs score "similar" highest) and are no identity.
  tiny-distilbert-nan                     tiny-distilbert-weightedmean with embeddings.LayerNorm.weight[0] = NaN: every
      embedding it computes is NaN, so the server must answer 424 (backend) and /health 503 (unhealthy).
  tiny-distilbert-backtracking-tokenizer  tiny-distilbert-weightedmean whose pre-tokenizer adds a Split on the regex
      (q+q+)+z: it passes the loader's backtracking probes (none of them contains a q) but takes exponential time on a
      run of q's, so the tokenizer's work budget stops it: the server must answer 422 (tokenizer).

Usage: make-server-test-models.py MODELS_DIR   (reads and writes MODELS_DIR/<name>; existing outputs are kept
when their sha256 matches)
"""
import hashlib
import json
import math
import os
import shutil
import struct
import sys

# The file each maker changes, and its sha256.
SHA256 = {
    "cross-encoder-stsb-MiniLM-L6-3labels": ("model.safetensors", "db6167f952153d849b3264db210f38d1cdeafbab8bcf634ac3d472c4faf44510"),
    "tiny-distilbert-nan": ("model.safetensors", "2422c1cadb40cd42472c50563a7d29a13b99eb55d294135344716aeb5f94258c"),
    "tiny-distilbert-backtracking-tokenizer": ("tokenizer.json", "9514692ec70220cfa340e331731acaeabb4a104b451e73d4c484b0cde3b27e26"),
}


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        tensors[name] = (info["dtype"], info["shape"], data[start:end])
    return metadata, tensors


def write_safetensors(path, metadata, tensors):
    """Tensors in name order, data tiled without holes, header padded with spaces to a multiple of 8 bytes."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name in sorted(tensors):
        dtype, shape, blob = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def floats(blob):
    return list(struct.unpack("<%df" % (len(blob) // 4), blob))


def pack(values):
    return struct.pack("<%df" % len(values), *values)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_model(source, target):
    """A fresh, writable copy of `source` (files only: symbolic links are read through, never written through)."""
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=False)
    for root, dirs, files in os.walk(target):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)


def make_three_labels(models, target):
    source = os.path.join(models, "cross-encoder-stsb-MiniLM-L6")
    copy_model(source, target)
    metadata, tensors = read_safetensors(os.path.join(source, "model.safetensors"))
    weight = floats(tensors["classifier.weight"][2])
    bias = floats(tensors["classifier.bias"][2])
    hidden = len(weight)
    state = 13
    noise = []
    for _ in range(hidden):
        state = (1664525 * state + 1013904223) % 2**32
        noise.append(0.05 * (state / 2**31 - 1.0))
    tensors["classifier.weight"] = ("F32", [3, hidden], pack(weight + [-v for v in weight] + noise))
    tensors["classifier.bias"] = ("F32", [3], pack([bias[0], -bias[0], 0.0]))
    write_safetensors(os.path.join(target, "model.safetensors"), metadata, tensors)
    config_path = os.path.join(target, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    labels = ["similar", "dissimilar", "noise"]
    config["id2label"] = {str(i): name for i, name in enumerate(labels)}
    config["label2id"] = {name: i for i, name in enumerate(labels)}
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)
    # No activation_fn: a model with several labels then takes the library default (identity), as in Python.
    settings_path = os.path.join(target, "config_sentence_transformers.json")
    with open(settings_path) as f:
        settings = json.load(f)
    settings.pop("activation_fn", None)
    with open(settings_path, "w") as f:
        json.dump(settings, f, indent=2)
    with open(os.path.join(target, "README.md"), "w") as f:
        f.write("Made by scripts/make-server-test-models.py from cross-encoder-stsb-MiniLM-L6 (see that script).\n")


def make_nan(models, target):
    source = os.path.join(models, "tiny-distilbert-weightedmean")
    copy_model(source, target)
    metadata, tensors = read_safetensors(os.path.join(source, "model.safetensors"))
    dtype, shape, blob = tensors["embeddings.LayerNorm.weight"]
    values = floats(blob)
    values[0] = math.nan
    tensors["embeddings.LayerNorm.weight"] = (dtype, shape, pack(values))
    write_safetensors(os.path.join(target, "model.safetensors"), metadata, tensors)
    with open(os.path.join(target, "README.md"), "w") as f:
        f.write("Made by scripts/make-server-test-models.py: tiny-distilbert-weightedmean with a NaN LayerNorm weight.\n")


def make_backtracking(models, target):
    source = os.path.join(models, "tiny-distilbert-weightedmean")
    copy_model(source, target)
    path = os.path.join(target, "tokenizer.json")
    with open(path) as f:
        tokenizer = json.load(f)
    split = {"type": "Split", "pattern": {"Regex": "(q+q+)+z"}, "behavior": "Isolated", "invert": False}
    tokenizer["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [tokenizer["pre_tokenizer"], split]}
    with open(path, "w") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    with open(os.path.join(target, "README.md"), "w") as f:
        f.write("Made by scripts/make-server-test-models.py: tiny-distilbert-weightedmean with a backtracking Split regex.\n")


def main():
    models = sys.argv[1] if len(sys.argv) > 1 else ".models"
    makers = {
        "cross-encoder-stsb-MiniLM-L6-3labels": make_three_labels,
        "tiny-distilbert-nan": make_nan,
        "tiny-distilbert-backtracking-tokenizer": make_backtracking,
    }
    for name, make in makers.items():
        target = os.path.join(models, name)
        changed, expected = SHA256[name]
        if os.path.exists(os.path.join(target, changed)) and sha256(os.path.join(target, changed)) == expected \
                and os.path.exists(os.path.join(target, "README.md")):
            continue
        make(models, target + ".tmp")
        actual = sha256(os.path.join(target + ".tmp", changed))
        if actual != expected:
            sys.exit(f"{name}: {changed} has sha256 {actual}, expected {expected}")
        if os.path.exists(target):
            shutil.rmtree(target)
        os.replace(target + ".tmp", target)
        print(f"make-server-test-models: {name} ({actual})", file=sys.stderr)


if __name__ == "__main__":
    main()
