"""Golden retrieval results of sentence-transformers 6.2 on models whose queries and documents are embedded
differently: `InformationRetrievalEvaluator` (which embeds queries with `encode_query` and the corpus with
`encode_document`) and exact search over `encode_document` vectors for `encode_query` queries, on a SciFact subset.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/ir-prompts/make_goldens.py Tests/Fixtures/ir-prompts

Writes `scifact-subset/` (a BEIR folder: the first 40 test queries with a relevant document, their relevant
documents and the first corpus documents up to 300, in corpus order) and `goldens.json`. Deterministic: no
randomness, float32 on the CPU.
"""
import json
import os
import sys

import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer, util
from sentence_transformers.evaluation import InformationRetrievalEvaluator

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
SCIFACT = "Tests/Fixtures/data/beir-scifact"
MODELS = ["tiny-gemma3-embedding", "tiny-router-asym", "all-MiniLM-L6-v2"]
torch.set_num_threads(2)


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


corpus_rows = read_jsonl(os.path.join(SCIFACT, "corpus.jsonl"))
query_rows = read_jsonl(os.path.join(SCIFACT, "queries.jsonl"))
qrels = {}
with open(os.path.join(SCIFACT, "qrels", "test.tsv"), encoding="utf-8") as handle:
    next(handle)
    for line in handle:
        query_id, corpus_id, score = line.rstrip("\n").split("\t")
        if int(score) > 0:
            qrels.setdefault(query_id, set()).add(corpus_id)

queries = [row for row in query_rows if row["_id"] in qrels][:40]
wanted = set().union(*(qrels[row["_id"]] for row in queries))
kept = [row for row in corpus_rows if row["_id"] in wanted]
for row in corpus_rows:
    if len(kept) >= 300:
        break
    if row["_id"] not in wanted:
        kept.append(row)
order = {row["_id"]: index for index, row in enumerate(corpus_rows)}
kept.sort(key=lambda row: order[row["_id"]])

subset = os.path.join(OUT, "scifact-subset")
os.makedirs(os.path.join(subset, "qrels"), exist_ok=True)
with open(os.path.join(subset, "corpus.jsonl"), "w", encoding="utf-8") as handle:
    for row in kept:
        handle.write(json.dumps({"_id": row["_id"], "title": row.get("title", ""), "text": row["text"]}, ensure_ascii=False) + "\n")
with open(os.path.join(subset, "queries.jsonl"), "w", encoding="utf-8") as handle:
    for row in queries:
        handle.write(json.dumps({"_id": row["_id"], "text": row["text"]}, ensure_ascii=False) + "\n")
with open(os.path.join(subset, "qrels", "test.tsv"), "w", encoding="utf-8") as handle:
    handle.write("query-id\tcorpus-id\tscore\n")
    for row in queries:
        for corpus_id in sorted(qrels[row["_id"]]):
            handle.write(f"{row['_id']}\t{corpus_id}\t1\n")

# BEIR's convention, as the Swift BEIRDataset and sentence-transformers' examples: "title text" when a title exists.
corpus = {row["_id"]: (row.get("title", "") + " " + row["text"]).strip() for row in kept}
query_texts = {row["_id"]: row["text"] for row in queries}
relevant = {row["_id"]: qrels[row["_id"]] for row in queries}

goldens = {"versions": {"sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
                        "torch": torch.__version__},
           "documents": len(kept), "queries": len(queries), "models": {}}
for name in MODELS:
    model = SentenceTransformer(os.path.join(".models", name), device="cpu")
    evaluator = InformationRetrievalEvaluator(query_texts, corpus, relevant, name="", show_progress_bar=False)
    metrics = evaluator(model)
    corpus_ids = list(corpus)
    documents = model.encode_document([corpus[i] for i in corpus_ids], convert_to_tensor=True)
    first = [row["_id"] for row in queries[:5]]
    hits = util.semantic_search(model.encode_query([query_texts[i] for i in first], convert_to_tensor=True), documents, top_k=10)
    plain_documents = model.encode([corpus[i] for i in corpus_ids], convert_to_tensor=True)
    plain_hits = util.semantic_search(model.encode([query_texts[i] for i in first], convert_to_tensor=True), plain_documents, top_k=10)
    goldens["models"][name] = {
        "metrics": {key: float(value) for key, value in metrics.items()},
        "search": {query_id: [corpus_ids[hit["corpus_id"]] for hit in result] for query_id, result in zip(first, hits)},
        "search_scores": {query_id: [float(hit["score"]) for hit in result] for query_id, result in zip(first, hits)},
        "search_without_prompts": {query_id: [corpus_ids[hit["corpus_id"]] for hit in result] for query_id, result in zip(first, plain_hits)},
    }
with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as handle:
    json.dump(goldens, handle, indent=1, sort_keys=True)
    handle.write("\n")
