"""Golden metrics of sentence-transformers 6.2's pair evaluators, with the model's own similarity function (the
default) and with all four (`similarity_fn_names`, which adds the `max_` keys): `EmbeddingSimilarityEvaluator`,
`BinaryClassificationEvaluator` and `TripletEvaluator`, on data cut from STS-B dev.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3 scikit-learn
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/evaluator-keys/make_goldens.py Tests/Fixtures/evaluator-keys

Writes `pairs.tsv` (sentence1, sentence2, label: 1 where the STS-B score is at least 3), `triplets.tsv` (anchor,
positive: pairs scored at least 4; negative: the next such pair's second sentence), `sts.csv` (the pairs with their
scores divided by 5, in the stsb-multi-mt layout: no header) and `goldens.json`. Deterministic: no randomness, float32 on the CPU.
"""
import csv
import json
import os
import sys

import sentence_transformers
import sklearn
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.evaluation import (BinaryClassificationEvaluator,
                                                                   EmbeddingSimilarityEvaluator, TripletEvaluator)

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
torch.set_num_threads(2)

rows = []
with open("Tests/Fixtures/data/stsbenchmark/sts-dev.csv", encoding="utf-8") as handle:
    for line in handle:
        fields = line.rstrip("\n").split("\t")
        if len(fields) >= 7:
            rows.append((fields[5], fields[6], float(fields[4])))
rows = rows[:200]
first = [row[0] for row in rows]
second = [row[1] for row in rows]
scores = [row[2] for row in rows]
labels = [1 if score >= 3 else 0 for score in scores]
close = [row for row in rows if row[2] >= 4]
anchors = [row[0] for row in close]
positives = [row[1] for row in close]
negatives = [close[(index + 1) % len(close)][1] for index in range(len(close))]


def clean(text):
    return text.replace("\t", " ")


with open(os.path.join(OUT, "pairs.tsv"), "w", encoding="utf-8") as handle:
    handle.write("sentence1\tsentence2\tlabel\n")
    for a, b, label in zip(first, second, labels):
        handle.write(f"{clean(a)}\t{clean(b)}\t{label}\n")
with open(os.path.join(OUT, "triplets.tsv"), "w", encoding="utf-8") as handle:
    handle.write("anchor\tpositive\tnegative\n")
    for a, p, n in zip(anchors, positives, negatives):
        handle.write(f"{clean(a)}\t{clean(p)}\t{clean(n)}\n")
with open(os.path.join(OUT, "sts.csv"), "w", encoding="utf-8", newline="") as handle:
    writer = csv.writer(handle)
    for a, b, score in zip(first, second, scores):
        writer.writerow([a, b, score / 5])

model = SentenceTransformer(os.path.join(".models", "all-MiniLM-L6-v2"), device="cpu")
ALL = ["cosine", "dot", "euclidean", "manhattan"]
goldens = {"versions": {"sentence-transformers": sentence_transformers.__version__, "torch": torch.__version__.split("+")[0],
                        "scikit-learn": sklearn.__version__}, "model": "all-MiniLM-L6-v2"}
for names, suffix in [(None, "default"), (ALL, "all")]:
    sts = EmbeddingSimilarityEvaluator(first, second, [score / 5 for score in scores], similarity_fn_names=names)
    binary = BinaryClassificationEvaluator(first, second, labels, similarity_fn_names=names)
    triplet = TripletEvaluator(anchors, positives, negatives, similarity_fn_names=names)
    for key, evaluator in [("sts", sts), ("binary", binary), ("triplet", triplet)]:
        metrics = evaluator(model)
        goldens[f"{key}_{suffix}"] = {name: float(value) for name, value in sorted(metrics.items())}
        goldens[f"{key}_{suffix}_primary"] = evaluator.primary_metric

with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as handle:
    json.dump(goldens, handle, indent=1, sort_keys=True)
    handle.write("\n")
