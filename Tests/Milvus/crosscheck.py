#!/usr/bin/env python3
"""Reads a collection written by swift-sentence-transformers with the Python client, pymilvus, for the Swift tests'
cross-check (Tests/STMilvusTests/MilvusIngestionTests.swift).

    python crosscheck.py --port PORT --collection NAME < request.json > answer.json

request.json: {"ids": [...], "queries": [[float, ...], ...], "top_k": 10, "ef": 200}
answer.json:  {"rows": {id: {"text", "metadata", "embedding"}}, "hits": [[id, ...], ...], "scores": [[float, ...], ...]}

Runs with pymilvus 2.3.7 against Milvus 2.3.5 (.venv-milvus) and pymilvus 3.0.2 against milvus-lite (.venv-milvus-lite),
through the ORM API both versions have.
"""
import argparse
import json
import sys

from pymilvus import Collection, connections


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--collection", required=True)
    args = parser.parse_args()
    request = json.load(sys.stdin)
    connections.connect(host="127.0.0.1", port=str(args.port))
    collection = Collection(args.collection)
    ids = request["ids"]
    rows = collection.query(expr=f"id in {json.dumps(ids)}", output_fields=["id", "text", "metadata", "embedding"],
                            consistency_level="Strong")
    answer = {"rows": {}, "hits": [], "scores": []}
    for row in rows:
        answer["rows"][row["id"]] = {
            "text": row["text"],
            "metadata": row["metadata"],
            "embedding": [float(x) for x in row["embedding"]],
        }
    results = collection.search(data=request["queries"], anns_field="embedding",
                                param={"metric_type": "COSINE", "params": {"ef": request["ef"]}},
                                limit=request["top_k"], consistency_level="Strong")
    for hits in results:
        answer["hits"].append([str(hit.id) for hit in hits])
        answer["scores"].append([float(hit.distance) for hit in hits])
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
