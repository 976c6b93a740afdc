"""Golden metrics of sentence-transformers 6.2's CrossEncoderCorrelationEvaluator and CrossEncoderClassificationEvaluator.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    ~/.cache/sbert-ref/bin/python Tests/Fixtures/cross-encoder-evaluators/make_goldens.py .models ../shared/data Tests/Fixtures/cross-encoder-evaluators

Data: the first 100 pairs of STS Benchmark dev (Tests/Fixtures/data/stsbenchmark/sts-dev.csv) with their 0-5 scores
(correlation) and with label 1 where the score is at least 2.5 (`binary.tsv`, binary classification); the first 60
pairs of SNLI dev (e-SNLI's s1/s2/labels.dev, MIT) with entailment 0, neutral 1, contradiction 2 (`nli.tsv`,
three-class classification). Models: cross-encoder-stsb-MiniLM-L6 and its 3-label sibling, float32 on the CPU.
"""
import csv
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers.cross_encoder import CrossEncoder
from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator, CrossEncoderCorrelationEvaluator

MODELS, DATA, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)

sts = []
with open(os.path.join(HERE, "..", "data", "stsbenchmark", "sts-dev.csv"), encoding="utf-8") as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        sts.append((fields[5], fields[6], float(fields[4])))
        if len(sts) == 100:
            break
binary = [(a, b, int(score >= 2.5)) for a, b, score in sts]
classes = {"entailment": 0, "neutral": 1, "contradiction": 2}
snli = os.path.join(DATA, "snli-esnli")
with open(os.path.join(snli, "s1.dev"), encoding="utf-8") as s1, open(os.path.join(snli, "s2.dev"), encoding="utf-8") as s2, \
        open(os.path.join(snli, "labels.dev"), encoding="utf-8") as labels:
    nli = [(a.strip(), b.strip(), classes[c.strip()]) for a, b, c, _ in zip(s1, s2, labels, range(60))]

for name, rows in [("binary.tsv", binary), ("nli.tsv", nli)]:
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(["sentence1", "sentence2", "label"])
        writer.writerows(rows)

one = CrossEncoder(os.path.join(MODELS, "cross-encoder-stsb-MiniLM-L6"), device="cpu")
three = CrossEncoder(os.path.join(MODELS, "cross-encoder-stsb-MiniLM-L6-3labels"), device="cpu")
cases = {}
for name, evaluator, model in [
    ("correlation", CrossEncoderCorrelationEvaluator([[a, b] for a, b, _ in sts], [s for _, _, s in sts], name="sts-dev", write_csv=False), one),
    ("binary", CrossEncoderClassificationEvaluator([[a, b] for a, b, _ in binary], [y for _, _, y in binary], name="sts-binary", write_csv=False), one),
    ("nli", CrossEncoderClassificationEvaluator([[a, b] for a, b, _ in nli], [y for _, _, y in nli], name="nli", write_csv=False), three),
]:
    metrics = evaluator(model)
    cases[name] = {"primary_metric": evaluator.primary_metric, "metrics": {key: float(value) for key, value in metrics.items()}}

out = {"versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}, "cases": cases}
with open(os.path.join(OUT, "goldens.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
