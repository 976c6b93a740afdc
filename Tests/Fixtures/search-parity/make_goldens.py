"""Golden outputs of sentence-transformers' search utilities on edge cases, for SearchParity tests.

Regenerate (from the repository root):

    pip install --no-deps --target ~/.cache/sbert-ref-usearch usearch==2.26.6 numkong==7.8.6     # once; only for quantized_search.json
    PYTHONPATH=~/.cache/sbert-ref-usearch ~/.cache/sbert-ref/bin/python \
        Tests/Fixtures/search-parity/make_goldens.py Tests/Fixtures/search-parity

Every input is float32 drawn from a seeded NumPy generator (or written out by hand) and stored in the JSON, so the
Swift tests read the very inputs the reference saw. Nothing here re-implements a utility: each output is what
sentence_transformers.util (or scikit-learn, or usearch, for the utilities sentence-transformers delegates to) returned.
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
import torch

import sentence_transformers
from sentence_transformers import util
from sentence_transformers.util import quantization as quant

warnings.simplefilter("ignore")
torch.manual_seed(0)
OUT = sys.argv[1] if len(sys.argv) > 1 else "."

FUNCTIONS = {"cosine": util.cos_sim, "dot": util.dot_score, "euclidean": util.euclidean_sim, "manhattan": util.manhattan_sim}


def f32(rows):
    return np.asarray(rows, dtype=np.float32)


def rows_json(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float32)]


def random(seed, n, d, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=(n, d)).astype(np.float32)


def blobs(seed, centers, per, noise, extra=0):
    rng = np.random.default_rng(seed)
    rows = [np.asarray(c, dtype=np.float32) + rng.uniform(-noise, noise, size=len(c)).astype(np.float32)
            for c in centers for _ in range(per)]
    rows += [rng.uniform(-1, 1, size=len(centers[0])).astype(np.float32) for _ in range(extra)]
    order = rng.permutation(len(rows))  # interleave the groups so no group is a contiguous range
    return np.stack([rows[i] for i in order]).astype(np.float32)


DYADIC = f32([[1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, -0.5], [0, 0, 0, 1]])  # pairwise cosines 0.5 / 0 exactly


def provenance():
    return {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__,
            "numpy": np.__version__, "sklearn": sklearn.__version__,
            "command": "PYTHONPATH=~/.cache/sbert-ref-usearch ~/.cache/sbert-ref/bin/python "
                       "Tests/Fixtures/search-parity/make_goldens.py Tests/Fixtures/search-parity"}


def write(name, cases):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"provenance": provenance(), "cases": cases}, f, indent=1)
        f.write("\n")


# --- semantic_search -------------------------------------------------------------------------------------------------
def semantic_search_case(name, queries, corpus, top_k, function="cosine", query_chunk_size=100, corpus_chunk_size=500000):
    q, c = torch.from_numpy(f32(queries)), torch.from_numpy(f32(corpus))
    hits = util.semantic_search(q, c, top_k=top_k, score_function=FUNCTIONS[function],
                                query_chunk_size=query_chunk_size, corpus_chunk_size=corpus_chunk_size)
    scores = FUNCTIONS[function](q, c).tolist() if len(q) and len(c) else [[] for _ in range(len(q))]
    return {"name": name, "queries": rows_json(queries), "corpus": rows_json(corpus), "dimension": int(f32(corpus).shape[1]) if len(corpus) else int(f32(queries).shape[1]),
            "top_k": top_k, "function": function, "query_chunk_size": query_chunk_size, "corpus_chunk_size": corpus_chunk_size,
            "hits": [[[h["corpus_id"], h["score"]] for h in row] for row in hits], "scores": scores}


def semantic_search_cases():
    q, c = random(1, 7, 8), random(2, 23, 8)
    cases = []
    for fn in FUNCTIONS:
        cases.append(semantic_search_case(f"chunked-{fn}", q, c, 5, fn, query_chunk_size=3, corpus_chunk_size=4))
        cases.append(semantic_search_case(f"topk-above-corpus-{fn}", q, c, 30, fn, corpus_chunk_size=10))
    cases += [
        semantic_search_case("topk-equals-corpus", q, c, 23, corpus_chunk_size=23),
        semantic_search_case("chunk-one-by-one", q, c, 4, query_chunk_size=1, corpus_chunk_size=1),
        semantic_search_case("chunk-corpus-plus-one", q, c, 4, query_chunk_size=8, corpus_chunk_size=24),
        semantic_search_case("topk-zero", q, c, 0),
        semantic_search_case("empty-corpus", q, np.zeros((0, 8), np.float32), 3),
        semantic_search_case("empty-queries", np.zeros((0, 8), np.float32), c, 3),
        semantic_search_case("one-row-corpus", q, c[:1], 3),
        semantic_search_case("one-query-one-row", q[:1], c[:1], 1),
        # Five copies of one row among others: a tie group that top_k cuts in the middle, split over corpus chunks.
        semantic_search_case("duplicates-cut-by-topk", q[:3], np.vstack([c[:4], np.repeat(c[4:5], 5, axis=0), c[5:9]]), 6, corpus_chunk_size=3),
        semantic_search_case("duplicates-cut-by-topk-dot", q[:3], np.vstack([c[:4], np.repeat(c[4:5], 5, axis=0), c[5:9]]), 6, "dot", corpus_chunk_size=3),
        # Zero vectors: cosine 0 against everything (normalization divides by max(norm, 1e-12)).
        semantic_search_case("zero-vectors-cosine", np.vstack([np.zeros((1, 8), np.float32), q[:2]]), np.vstack([c[:3], np.zeros((2, 8), np.float32), -c[:3]]), 4),
        semantic_search_case("zero-vectors-euclidean", np.vstack([np.zeros((1, 8), np.float32), q[:2]]), np.vstack([c[:3], np.zeros((2, 8), np.float32)]), 4, "euclidean"),
        # Exactly representable scores: ties by construction.
        semantic_search_case("dyadic-ties", DYADIC, DYADIC, 2),
    ]
    return cases


# --- paraphrase_mining -----------------------------------------------------------------------------------------------
def mining_case(name, embeddings, top_k, max_pairs, function="cosine", query_chunk_size=5000, corpus_chunk_size=100000):
    e = torch.from_numpy(f32(embeddings))
    pairs = util.paraphrase_mining_embeddings(e, query_chunk_size=query_chunk_size, corpus_chunk_size=corpus_chunk_size,
                                              max_pairs=max_pairs, top_k=top_k, score_function=FUNCTIONS[function])
    scores = FUNCTIONS[function](e, e).tolist() if len(e) else []
    return {"name": name, "embeddings": rows_json(embeddings), "dimension": int(f32(embeddings).shape[1]),
            "top_k": top_k, "max_pairs": max_pairs, "function": function,
            "pairs": [[float(s), int(i), int(j)] for s, i, j in pairs], "scores": scores}


def mining_cases():
    e = random(3, 20, 8)
    dup = np.vstack([e[:6], np.repeat(e[6:7], 4, axis=0), e[7:10]])
    return [
        mining_case("random", e, 3, 100, query_chunk_size=7, corpus_chunk_size=6),
        mining_case("max-pairs-cuts", e, 3, 5),
        mining_case("topk-one", e, 1, 100),
        mining_case("topk-above-rows", e, 50, 1000),
        mining_case("topk-zero", e, 0, 100),
        mining_case("max-pairs-zero", e, 3, 0),
        mining_case("dot", e, 2, 100, "dot"),
        mining_case("euclidean", e, 2, 100, "euclidean"),
        mining_case("manhattan", e, 2, 12, "manhattan"),
        mining_case("one-row", e[:1], 5, 10),
        mining_case("two-rows", e[:2], 5, 10),
        mining_case("empty", np.zeros((0, 8), np.float32), 5, 10),
        mining_case("duplicates-topk-one", dup, 1, 100),
        mining_case("duplicates-topk-two", dup, 2, 4),
        mining_case("zero-vectors", np.vstack([np.zeros((2, 8), np.float32), e[:4]]), 2, 100),
        # Dot scores where a row is not its own best match: top_k + 1 candidates hold no self to drop.
        mining_case("dot-self-not-best", f32([[1, 0], [2, 0], [3, 0], [4, 0], [0, 1], [0, 3]]), 1, 100, "dot"),
        mining_case("dot-self-not-best-topk-two", f32([[1, 0], [2, 0], [3, 0], [4, 0], [0, 1], [0, 3]]), 2, 100, "dot"),
    ]


# --- community_detection ---------------------------------------------------------------------------------------------
def community_case(name, embeddings, threshold, min_community_size, batch_size=1024):
    e = f32(embeddings)
    communities = util.community_detection(e, threshold=threshold, min_community_size=min_community_size, batch_size=batch_size)
    scores = util.cos_sim(e, e).tolist() if len(e) else []
    return {"name": name, "embeddings": rows_json(e), "dimension": int(e.shape[1]), "threshold": threshold,
            "min_community_size": min_community_size, "batch_size": batch_size,
            "communities": [[int(i) for i in c] for c in communities], "scores": scores}


def community_cases():
    same = np.ones((3, 4), np.float32)
    groups = blobs(11, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], 8, 0.3, extra=6)
    overlapping = random(12, 40, 3)
    return [
        community_case("issue-15-three-identical-min-four", same, 0.75, 4),
        community_case("three-identical-min-three", same, 0.75, 3),
        community_case("empty", np.zeros((0, 4), np.float32), 0.75, 1),
        community_case("one-row-min-one", same[:1], 0.75, 1),
        community_case("one-row-default-min", same[:1], 0.75, 10),
        community_case("threshold-equal-dyadic", DYADIC, 0.5, 2),
        community_case("threshold-just-above-dyadic", DYADIC, 0.5000001, 2),
        community_case("blobs", groups, 0.8, 5, batch_size=7),
        community_case("blobs-min-above-groups", groups, 0.8, 12),
        community_case("overlapping-neighbourhoods", overlapping, 0.9, 3, batch_size=16),
        community_case("overlapping-neighbourhoods-min-two", overlapping, 0.95, 2),
        community_case("overlapping-min-one", overlapping[:10], 0.5, 1),
        community_case("zero-vectors-threshold-zero", np.vstack([np.zeros((3, 4), np.float32), -same[:1]]), 0.0, 2),
        community_case("zero-vectors-threshold-positive", np.vstack([np.zeros((3, 4), np.float32), same]), 0.1, 2),
        community_case("rows-equal-min", groups[:5], -1.0, 5),
    ]


# --- quantize_embeddings ---------------------------------------------------------------------------------------------
def quantize_case(name, embeddings, precision, ranges=None, calibration=None):
    e = f32(embeddings)
    case = {"name": name, "embeddings": rows_json(e), "dimension": int(e.shape[1]), "precision": precision,
            "ranges": None if ranges is None else rows_json(ranges),
            "calibration": None if calibration is None else rows_json(calibration)}
    try:
        out = quant.quantize_embeddings(e, precision, ranges=None if ranges is None else f32(ranges),
                                        calibration_embeddings=None if calibration is None else f32(calibration))
        case["output"] = np.asarray(out).astype(np.int64).tolist() if precision != "float32" else rows_json(out)
        case["error"] = None
        if precision.endswith("int8") and len(e):
            used = f32(ranges) if ranges is not None else quant._get_quantization_ranges(e, precision, None if calibration is None else f32(calibration))
            case["used_ranges"] = rows_json(used)
            case["dequantized"] = rows_json(quant._dequantize_embeddings(np.asarray(out).astype(int), precision, used).astype(np.float32))
    except ValueError as error:
        case["output"], case["error"] = None, str(error)
    return case


def quantize_cases():
    e = random(21, 6, 10)
    calibration = random(22, 50, 10, -0.8, 0.8)  # narrower than e: values outside the range are clipped
    edges = f32([[0.0, -0.0, 1e-30, -1e-30, 1, -1, 0.5, 2, 3, 0.25, 0, 7, -7]])
    cases = []
    for p in ["int8", "uint8"]:
        cases += [
            quantize_case(f"self-ranges-{p}", e, p),
            quantize_case(f"calibration-{p}", e, p, calibration=calibration),
            quantize_case(f"explicit-ranges-{p}", e, p, ranges=np.vstack([np.linspace(-1, 0, 10), np.r_[np.linspace(0.1, 1, 9), -0.5]]).astype(np.float32)),
            quantize_case(f"zero-width-range-{p}", np.vstack([e, e[:1]])[:, :4] * f32([1, 1, 0, 1]), p),
            # A calibration column of one value (step 1) and rows far outside it: buckets 0…4 and clipping.
            quantize_case(f"zero-width-calibration-{p}", e[:, :3] * f32([1, 5, 1]), p, calibration=np.column_stack([calibration[:, 0], np.full(50, 0.2), calibration[:, 2]]).astype(np.float32)),
            quantize_case(f"value-at-maximum-{p}", f32([[0, 0, 0], [1, 2, 3], [0.5, 1, 1.5]]), p, calibration=f32([[0, 0, 0], [1, 1, 1]])),
            quantize_case(f"single-row-{p}", e[:1], p),
            quantize_case(f"single-row-calibrated-{p}", e[:1], p, calibration=calibration),
            quantize_case(f"single-calibration-row-{p}", e[:2], p, calibration=calibration[:1]),
            quantize_case(f"empty-{p}", np.zeros((0, 10), np.float32), p),
        ]
    for p in ["binary", "ubinary"]:
        cases += [
            quantize_case(f"random-{p}", e, p),
            quantize_case(f"edges-{p}", edges, p),
            quantize_case(f"dimension-eight-{p}", e[:, :8], p),
            quantize_case(f"dimension-one-{p}", e[:, :1], p),
            quantize_case(f"empty-{p}", np.zeros((0, 10), np.float32), p),
        ]
    cases.append(quantize_case("float32", e, "float32"))
    return cases


# --- semantic_search_usearch over a binary corpus (exact Hamming search, no rescoring) ---------------------------------
def binary_search_case(name, queries, corpus, top_k, precision="ubinary"):
    from usearch.index import Index  # noqa: F401 (fails early when usearch is missing)

    q, c = f32(queries), f32(corpus)
    packed = quant.quantize_embeddings(c, precision)
    hits, _ = quant.semantic_search_usearch(q, corpus_embeddings=packed, corpus_precision=precision, top_k=top_k, rescore=False, exact=True)
    everything, _ = quant.semantic_search_usearch(q, corpus_embeddings=packed, corpus_precision=precision, top_k=len(c), rescore=False, exact=True)
    distances = [[0.0] * len(c) for _ in range(len(q))]
    for row, found in enumerate(everything):
        for h in found:
            distances[row][h["corpus_id"]] = h["score"]
    return {"name": name, "queries": rows_json(q), "corpus": rows_json(c), "dimension": int(c.shape[1]), "top_k": top_k,
            "precision": precision, "hits": [[[h["corpus_id"], h["score"]] for h in row] for row in hits], "distances": distances}


def binary_search_cases():
    c, q = random(31, 40, 24), random(32, 6, 24)
    return [
        binary_search_case("ubinary", q, c, 5),
        binary_search_case("binary", q, c, 5, "binary"),
        binary_search_case("topk-above-corpus", q, c[:7], 10),
        binary_search_case("dimension-twelve", q[:, :12], c[:, :12], 4),
        binary_search_case("one-row", q, c[:1], 3),
    ]


# --- scikit-learn: AgglomerativeClustering / KMeans (sentence-transformers' clustering examples use these) --------------
def agglomerative_case(name, embeddings, threshold, linkage):
    from sklearn.cluster import AgglomerativeClustering

    e = f32(embeddings)
    labels = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine", linkage=linkage).fit(e).labels_
    return {"name": name, "embeddings": rows_json(e), "dimension": int(e.shape[1]), "threshold": threshold, "linkage": linkage,
            "labels": [int(x) for x in labels]}


def kmeans_case(name, embeddings, clusters):
    from sklearn.cluster import KMeans

    e = f32(embeddings)
    result = KMeans(n_clusters=clusters, random_state=0, n_init=10).fit(e)
    return {"name": name, "embeddings": rows_json(e), "dimension": int(e.shape[1]), "clusters": clusters,
            "labels": [int(x) for x in result.labels_], "inertia": float(result.inertia_)}


def clustering_cases():
    groups = blobs(41, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], 8, 0.3, extra=3)
    r = random(42, 25, 6)
    duplicates = f32([[1, 1], [1, 1], [1, 1], [2, -1], [2, -1]])
    agglomerative = []
    for linkage in ["average", "complete", "single"]:
        for threshold in [0.3, 0.7, 1.2]:
            agglomerative.append(agglomerative_case(f"random-{linkage}-{threshold}", r, threshold, linkage))
        agglomerative.append(agglomerative_case(f"blobs-{linkage}", groups, 0.4, linkage))
        agglomerative.append(agglomerative_case(f"dyadic-threshold-equal-{linkage}", DYADIC, 0.5, linkage))
        agglomerative.append(agglomerative_case(f"dyadic-threshold-above-{linkage}", DYADIC, 0.5000001, linkage))
        agglomerative.append(agglomerative_case(f"duplicates-threshold-zero-{linkage}", duplicates, 0.0, linkage))
        agglomerative.append(agglomerative_case(f"duplicates-{linkage}", duplicates, 0.1, linkage))
        agglomerative.append(agglomerative_case(f"two-rows-{linkage}", r[:2], 2.0, linkage))
    kmeans = [
        kmeans_case("blobs-k3", blobs(43, [[3, 0], [0, 3], [-3, -3]], 10, 0.5), 3),
        kmeans_case("k-equals-rows", r[:6], 6),
        kmeans_case("k-one", r[:9], 1),
        kmeans_case("one-row", r[:1], 1),
        kmeans_case("duplicates-k-above-distinct", f32([[1, 1], [1, 1], [1, 1], [2, 2]]), 3),
        kmeans_case("duplicates-k2", duplicates, 2),
    ]
    return agglomerative, kmeans


if __name__ == "__main__":
    write("semantic_search.json", semantic_search_cases())
    write("paraphrase_mining.json", mining_cases())
    write("community_detection.json", community_cases())
    write("quantize_embeddings.json", quantize_cases())
    write("binary_search.json", binary_search_cases())
    agglomerative, kmeans = clustering_cases()
    write("agglomerative_clustering.json", agglomerative)
    write("kmeans.json", kmeans)
