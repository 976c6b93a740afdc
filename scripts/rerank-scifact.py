"""The Python side of scripts/rerank-scifact.sh (sentence-transformers 6.2, the reference venv).

    prepare DATA WORK         SciFact train pairs (query, answer) and corpus texts for `sbert mine`, test queries
    train BASE MINED OUT ARGS Python's CrossEncoderTrainer on the mined labeled pairs (BinaryCrossEntropyLoss), the
                              same settings as `sbert train --cross-encoder` (ARGS: a JSON object of them)
    score MODEL CANDIDATES OUT  Python's CrossEncoder scores of each query's candidates (sbert search JSON lines)
    table DATA WORK           NDCG@10 on SciFact test of each ranking in WORK/rankings/*.jsonl, as a Markdown table,
                              after the training times and peak RSS that `measure` recorded
    measure LABEL COMMAND...  runs COMMAND and records its wall time and peak RSS under LABEL (SBERT_MEASURE_FILE)

A document's text is `(title + " " + text).strip()`, as the mining fixture and the BEIR loaders make it. NDCG@10 is
the retrieval one (binary relevance from the test qrels, the ideal over all of a query's relevant documents), as
InformationRetrievalEvaluator computes it.
"""
import json
import math
import os
import sys


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def qrels(path):
    relevant = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            query, document, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                relevant.setdefault(query, set()).add(document)
    return relevant


def corpus(data):
    return {row["_id"]: (row.get("title", "") + " " + row["text"]).strip() for row in jsonl(os.path.join(data, "corpus.jsonl"))}


def prepare(data, work):
    os.makedirs(work, exist_ok=True)
    texts = corpus(data)
    queries = {row["_id"]: row["text"] for row in jsonl(os.path.join(data, "queries.jsonl"))}
    train = qrels(os.path.join(data, "qrels", "train.tsv"))
    with open(os.path.join(work, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for query in sorted(train, key=int):
            for document in sorted(train[query]):
                f.write(json.dumps({"query": queries[query], "answer": texts[document]}, ensure_ascii=False) + "\n")
    with open(os.path.join(work, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for document in texts:
            f.write(json.dumps({"text": texts[document]}, ensure_ascii=False) + "\n")
    test = qrels(os.path.join(data, "qrels", "test.tsv"))
    with open(os.path.join(work, "test-queries.txt"), "w", encoding="utf-8") as f, \
            open(os.path.join(work, "test-query-ids.txt"), "w", encoding="utf-8") as ids:
        for query in sorted(test, key=int):
            f.write(queries[query].replace("\n", " ") + "\n")
            ids.write(query + "\n")


def train(base, mined, out, settings):
    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    settings = json.loads(settings)
    torch.set_num_threads(os.cpu_count() or 1)
    rows = jsonl(mined)
    dataset = Dataset.from_dict({"query": [r["query"] for r in rows], "answer": [r["answer"] for r in rows],
                                 "label": [float(r["label"]) for r in rows]})
    model = CrossEncoder(base, max_length=settings["max_seq_length"], device="cpu")
    args = CrossEncoderTrainingArguments(
        output_dir=out + ".run", num_train_epochs=1, per_device_train_batch_size=settings["batch_size"],
        learning_rate=settings["lr"], warmup_ratio=settings["warmup_ratio"], weight_decay=settings["weight_decay"],
        seed=settings["seed"], logging_steps=20, save_strategy="no", report_to="none", use_cpu=True)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=BinaryCrossEntropyLoss(model))
    trainer.train()
    model.save(out)


def score(model_path, candidates, out):
    from sentence_transformers.cross_encoder import CrossEncoder

    model = CrossEncoder(model_path, device="cpu")
    with open(out, "w", encoding="utf-8") as f:
        for line, query in zip(jsonl(candidates), open(candidates + ".queries", encoding="utf-8").read().splitlines()):
            hits = line if isinstance(line, list) else line["hits"]
            scores = model.predict([(query, hit["text"]) for hit in hits], batch_size=32) if hits else []
            ranked = sorted(zip(hits, scores), key=lambda pair: -float(pair[1]))
            f.write(json.dumps([{"id": hit["id"], "score": float(s)} for hit, s in ranked]) + "\n")


def measure(label, *command):
    """Runs `command`; records its wall time and peak RSS (of it and its children) under `label` in the file
    SBERT_MEASURE_FILE names, replacing an earlier line of that label."""
    import resource
    import subprocess
    import time

    start = time.monotonic()
    subprocess.run(command, check=True)
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{label}\t{seconds:.1f}\t{peak:.0f}", file=sys.stderr)
    path = os.environ["SBERT_MEASURE_FILE"]
    kept = [line for line in open(path, encoding="utf-8") if not line.startswith(label + "\t")] if os.path.exists(path) else []
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(kept + [f"{label}\t{seconds:.1f}\t{peak:.0f}\n"])


def ndcg_at_10(ranked, relevant):
    dcg = sum(1 / math.log2(i + 2) for i, document in enumerate(ranked[:10]) if document in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return dcg / ideal if ideal else 0.0


def table(data, work):
    timings = os.path.join(work, "training.tsv")
    if os.path.exists(timings):
        rows = sum(1 for line in open(os.path.join(work, "mined.jsonl"), encoding="utf-8") if line.strip())
        print("| training (one epoch, %d rows) | seconds | examples/s | peak RSS MiB |" % rows)
        print("|---|---|---|---|")
        for line in open(timings, encoding="utf-8"):
            label, seconds, peak = line.rstrip("\n").split("\t")
            print(f"| {label} | {float(seconds):.0f} | {rows / float(seconds):.1f} | {peak} |")
        print()
    test = qrels(os.path.join(data, "qrels", "test.tsv"))
    ids = open(os.path.join(work, "test-query-ids.txt"), encoding="utf-8").read().split()
    count = sum(1 for line in open(os.path.join(work, "queries.txt"), encoding="utf-8") if line.strip())
    print(f"| ranking (SciFact test, first {count} of {len(ids)} queries, top 100) | NDCG@10 |")
    print("|---|---|")
    folder = os.path.join(work, "rankings")
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".jsonl")):
        lists = jsonl(os.path.join(folder, name))
        assert len(lists) == count, f"{name}: {len(lists)} rankings for {count} queries"
        values = [ndcg_at_10([hit["id"] for hit in hits], test[query]) for query, hits in zip(ids, lists)]
        print(f"| {name[:-len('.jsonl')]} | {100 * sum(values) / len(values):.2f} |")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"prepare": prepare, "train": train, "score": score, "table": table, "measure": measure}[command](*arguments)
