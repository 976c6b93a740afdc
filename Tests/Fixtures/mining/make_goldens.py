"""Golden outputs of sentence-transformers 6.2's `util.mine_hard_negatives` on SciFact train with all-MiniLM-L6-v2.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3 datasets==4.4.1
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/mining/make_goldens.py Tests/Fixtures/mining

Reads SciFact from ../shared/data/beir-scifact (its SOURCE.md; the corpus is the same as Tests/Fixtures/data's).
A document's text is `(title + " " + text).strip()`. Writes:
- `train.tsv`: SciFact's train qrels (the full run's pairs);
- `sample/pairs.jsonl` ({"query", "answer"}: the first 120 train pairs) and `sample/corpus.jsonl` ({"text"}: the first
  600 corpus documents), the sample CI mines;
- `goldens.json`: for the sample and for the whole (all train pairs, the whole corpus), the mined rows of each
  setting in SETTINGS, as the datasets' rows with texts as indices (see `compact`).
Deterministic: no randomness (the random-sampling setting records the candidate pool instead: the negatives `top`
finds with as many negatives as the window holds), float32 on the CPU.
"""
import json
import os
import shutil
import sys
import tempfile

import datasets
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.util import mine_hard_negatives

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
SCIFACT = "../shared/data/beir-scifact"
torch.set_num_threads(2)

SETTINGS = {
    "default": {},
    "ntuple_margin": {"range_min": 2, "range_max": 25, "absolute_margin": 0.02, "num_negatives": 4, "output_format": "n-tuple",
                      "output_scores": True},
    "pairs_relative": {"relative_margin": 0.05, "max_score": 0.9, "min_score": 0.1, "output_format": "labeled-pair"},
    "list_scores": {"range_min": 1, "num_negatives": 2, "output_format": "labeled-list", "output_scores": True},
    "with_positives": {"include_positives": True, "output_format": "n-tuple"},
    "random_pool": {"range_max": 20, "num_negatives": 20, "output_format": "labeled-pair"},
}


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


documents = read_jsonl(os.path.join(SCIFACT, "corpus.jsonl"))
text_of = {str(row["_id"]): (row.get("title", "") + " " + row["text"]).strip() for row in documents}
corpus_all = [text_of[str(row["_id"])] for row in documents]
query_of = {str(row["_id"]): row["text"] for row in read_jsonl(os.path.join(SCIFACT, "queries.jsonl"))}
pairs_all = []
with open(os.path.join(SCIFACT, "qrels", "train.tsv"), encoding="utf-8") as handle:
    next(handle)
    for line in handle:
        query_id, corpus_id, score = line.rstrip("\n").split("\t")
        if int(score) > 0:
            pairs_all.append((query_of[query_id], text_of[corpus_id]))
shutil.copyfile(os.path.join(SCIFACT, "qrels", "train.tsv"), os.path.join(OUT, "train.tsv"))

sample_pairs = pairs_all[:120]
sample_corpus = corpus_all[:600]
os.makedirs(os.path.join(OUT, "sample"), exist_ok=True)
with open(os.path.join(OUT, "sample", "pairs.jsonl"), "w", encoding="utf-8") as handle:
    for query, answer in sample_pairs:
        handle.write(json.dumps({"query": query, "answer": answer}, ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "sample", "corpus.jsonl"), "w", encoding="utf-8") as handle:
    for text in sample_corpus:
        handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")

def compact(row, queries, texts):
    cells = [queries[row[0]]]
    for value in row[1:]:
        if isinstance(value, str):
            cells.append(texts[value])
        elif isinstance(value, list) and value and isinstance(value[0], str):
            cells.append([texts[text] for text in value])
        else:
            cells.append(value)
    return cells


model = SentenceTransformer(os.path.join(".models", "all-MiniLM-L6-v2"), device="cpu")
CACHE = tempfile.mkdtemp(prefix="mining-cache-")
goldens = {"versions": {"sentence-transformers": sentence_transformers.__version__, "torch": torch.__version__.split("+")[0],
                        "datasets": datasets.__version__},
           "model": "all-MiniLM-L6-v2", "settings": SETTINGS}
for size, pairs, corpus in [("sample", sample_pairs, sample_corpus), ("full", pairs_all, corpus_all)]:
    dataset = datasets.Dataset.from_dict({"query": [p[0] for p in pairs], "answer": [p[1] for p in pairs]})
    goldens[size] = {}
    # Texts as indices, to keep the file small: the anchor by its place among the distinct anchors, every other text
    # by its place in the mining corpus (the corpus, then the positives; each text once, in order).
    queries = {text: index for index, text in enumerate(dict.fromkeys(p[0] for p in pairs))}
    texts = {text: index for index, text in enumerate(dict.fromkeys(list(corpus) + [p[1] for p in pairs]))}
    for name, setting in SETTINGS.items():
        # One embedding per size: the cache holds it between settings (the same vectors as embedding anew).
        mined = mine_hard_negatives(dataset, model, corpus=corpus, batch_size=32, verbose=False, cache_folder=CACHE, **setting)
        goldens[size][name] = {"columns": mined.column_names, "rows": [compact(list(row.values()), queries, texts) for row in mined]}

with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as handle:
    json.dump(goldens, handle, ensure_ascii=False, separators=(",", ":"))
    handle.write("\n")
