"""TEI's routes over plain HTTP (httpx), as TEI's own clients and curl users call them: every route, field, default,
response shape and error status of TEI's OpenAPI document for the model kinds served (embedding, reranker,
classifier)."""
import math
import socket
import time

import httpx
import pytest
from tokenizers import Tokenizer

from conftest import API_KEY, MODELS, assert_close, cosine, server


def post(target, path, body, **headers):
    return httpx.post(target.url + path, json=body, headers=headers, timeout=60)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def error_of(response, status, error_type):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_type"] == error_type and body["error"], body


# ---- Embedding model ----------------------------------------------------------------------------------------------

def test_embed_single_batch_and_token_ids(main_server, minilm_reference):
    text = "A group of girls are exiting a taxi."
    single = post(main_server, "/embed", {"inputs": text}).json()
    assert len(single) == 1
    assert_close(single[0], minilm_reference[text], 2e-5, "single")
    # A batch mixing a text and token ids (TEI's InputType): the reference tokenizer's ids of the same text.
    mixed = post(main_server, "/embed", {"inputs": [text, [101, 1037, 2177, 1997, 3057, 2024, 22371, 1037, 10095, 1012, 102]]}).json()
    assert_close(mixed[0], minilm_reference[text], 2e-5, "text in a batch")
    assert_close(mixed[1], minilm_reference[text], 2e-5, "same text as ids")


def test_embed_all_token_embeddings(main_server):
    tokens = post(main_server, "/embed_all", {"inputs": ["hello world", "a"]}).json()
    assert [len(rows) for rows in tokens] == [4, 3] and len(tokens[0][0]) == 384


def test_similarity_with_tei_parameters(main_server, minilm_reference):
    source, others = "A group of girls are exiting a taxi.", ["A man pours some cooking oil into a pot.", "Three guys playing a pro game of basketball."]
    body = {"inputs": {"source_sentence": source, "sentences": others}, "parameters": {"truncate": True, "truncation_direction": "Right"}}
    scores = post(main_server, "/similarity", body).json()
    assert_close(scores, [cosine(minilm_reference[source], minilm_reference[t]) for t in others], 2e-5, "similarity")


def test_tokenize_gives_input_slices_and_utf8_byte_offsets(main_server):
    """The expected tokens come from the Python `tokenizers` library on the model's tokenizer.json: TEI's shape is
    the input's slice of each token and its UTF-8 byte offsets; special tokens keep their string, offsets null."""
    reference = Tokenizer.from_file(str(MODELS / "all-MiniLM-L6-v2" / "tokenizer.json"))
    reference.no_padding()
    reference.no_truncation()
    texts = ["北京天安门", "Tiếng Việt có rất nhiều dấu thanh.", "ＡＢＣ１２３ and 🍕 pneumonoultramicroscopic"]
    answer = post(main_server, "/tokenize", {"inputs": texts}).json()
    assert len(answer) == len(texts)
    for text, tokens in zip(texts, answer):
        encoding = reference.encode(text)
        expected = []
        for token_id, token, (start, stop), special in zip(encoding.ids, encoding.tokens, encoding.offsets, encoding.special_tokens_mask):
            if special:
                expected.append({"id": token_id, "text": token, "special": True, "start": None, "stop": None})
            else:
                begin, end = len(text[:start].encode()), len(text[:stop].encode())
                expected.append({"id": token_id, "text": text.encode()[begin:end].decode(errors="replace"), "special": False,
                                 "start": begin, "stop": end})
        assert tokens == expected, text
    beijing = answer[0]
    # 门 is not in the vocabulary: [UNK], shown as the character it stands for, bytes 12..15.
    assert beijing[5] == {"id": 100, "text": "门", "special": False, "start": 12, "stop": 15}
    plain = post(main_server, "/tokenize", {"inputs": "北京", "add_special_tokens": False}).json()
    assert [token["text"] for token in plain[0]] == ["北", "京"]


def test_decode(main_server):
    assert post(main_server, "/decode", {"ids": [101, 7592, 2088, 999, 102]}).json() == ["hello world!"]
    assert post(main_server, "/decode", {"ids": [[101, 7592, 102]], "skip_special_tokens": False}).json() == ["[CLS] hello [SEP]"]


def test_info_health_ping_docs(main_server, classifier_server):
    info = httpx.get(main_server.url + "/info").json()
    assert info["model_type"] == {"embedding": {"pooling": "mean"}}
    assert info["max_client_batch_size"] == 8 and info["max_input_length"] == 256 and info["auto_truncate"] is False
    assert info["reranker"]["id2label"] == {"0": "LABEL_0"}
    labels = httpx.get(classifier_server.url + "/info", headers={"Authorization": f"Bearer {API_KEY}"}).json()["classifier"]
    assert labels == {"id2label": {"0": "similar", "1": "dissimilar", "2": "noise"}, "label2id": {"similar": 0, "dissimilar": 1, "noise": 2}}
    for path in ["/health", "/ping", "/"]:
        response = httpx.get(main_server.url + path)
        assert response.status_code == 200 and response.content == b"", path
    page = httpx.get(main_server.url + "/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and "sbert playground" in page.text
    docs = httpx.get(main_server.url + "/docs")
    assert docs.status_code == 200 and "/api-doc/openapi.json" in docs.text
    document = httpx.get(main_server.url + "/api-doc/openapi.json").json()
    assert {"/", "/invocations", "/embed", "/embed_all", "/embeddings", "/v1/embeddings", "/predict", "/rerank", "/similarity",
            "/tokenize", "/decode", "/health", "/ping", "/info", "/metrics", "/docs", "/api-doc/openapi.json"} <= set(document["paths"])
    assert httpx.get(main_server.url + "/openapi.json").json() == document
    metrics = httpx.get(main_server.url + "/metrics")
    assert metrics.status_code == 200 and "te_request_count" in metrics.text


# ---- Cross-encoders -----------------------------------------------------------------------------------------------

def test_rerank_scores_raw_scores_and_text(main_server, stsb_rank_reference):
    """Sigmoid scores best first (ties in input order), `text` with return_text, logits with raw_scores: the Python
    CrossEncoder.rank / predict outputs of Tests/Fixtures/cross-encoder-stsb-MiniLM-L6/rank.json."""
    for case in stsb_rank_reference["queries"]:
        query, documents = case["query"], case["documents"][:8]
        ranked = post(main_server, "/rerank", {"query": query, "texts": documents, "return_text": True, "truncate": True}).json()
        expected = [item for item in case["rank"] if item["corpus_id"] < 8]
        assert [item["index"] for item in ranked] == [item["corpus_id"] for item in expected], case["label"]
        for item, reference in zip(ranked, expected):
            assert abs(item["score"] - reference["score"]) <= 1e-5 and item["text"] == documents[item["index"]]
        raw = post(main_server, "/rerank", {"query": query, "texts": documents, "raw_scores": True, "truncate": True}).json()
        for item in raw:
            assert abs(item["score"] - case["logits"][item["index"]]) <= 1e-5 and "text" not in item


def test_predict_with_several_labels(classifier_server, three_label_reference):
    """Softmax over the labels (TEI), sorted best first; raw_scores gives the logits. Expected values: the Python
    CrossEncoder (sentence-transformers 6.2) on the same model, Tests/Fixtures/cross-encoder-stsb-MiniLM-L6-3labels."""
    labels = three_label_reference["labels"]
    auth = {"Authorization": f"Bearer {API_KEY}"}

    def check(predictions, row, key):
        assert [p["label"] for p in predictions] == [labels[i] for i in sorted(range(3), key=lambda i: -row[key][i])]
        for p in predictions:
            assert abs(p["score"] - row[key][labels.index(p["label"])]) <= 1e-5

    for row in three_label_reference["predictions"]:
        check(post(classifier_server, "/predict", {"inputs": row["inputs"]}, **auth).json(), row, "scores")
        check(post(classifier_server, "/predict", {"inputs": row["inputs"], "raw_scores": True}, **auth).json(), row, "logits")
    batch = [r["inputs"] if isinstance(r["inputs"], list) else [r["inputs"]] for r in three_label_reference["predictions"]]
    answer = post(classifier_server, "/predict", {"inputs": batch}, **auth).json()
    assert len(answer) == len(batch)
    for predictions, row in zip(answer, three_label_reference["predictions"]):
        check(predictions, row, "scores")


def test_predict_with_the_reranker_is_a_sigmoid(main_server, stsb_reference):
    row = stsb_reference[0]
    predictions = post(main_server, "/predict", {"inputs": [row["text_a"], row["text_b"]]}).json()
    assert len(predictions) == 1 and predictions[0]["label"] == "LABEL_0"
    assert abs(predictions[0]["score"] - sigmoid(row["logit"])) <= 1e-5


def test_root_and_invocations_route_by_task_and_shape(main_server, classifier_server, minilm_reference, stsb_reference, three_label_reference):
    text = "A man is eating food."
    for path in ["/", "/invocations"]:
        reference_text = "A woman pets a dog in a gated yard."
        embedded = post(main_server, path, {"inputs": reference_text}).json()
        assert_close(embedded[0], minilm_reference[reference_text], 2e-5, f"{path} embeds on an embedding server")
        row = stsb_reference[0]
        ranked = post(main_server, path, {"query": row["text_a"], "texts": [row["text_b"]]}).json()
        assert ranked[0]["index"] == 0 and abs(ranked[0]["score"] - row["score"]) <= 1e-5
        similar = post(main_server, path, {"inputs": {"source_sentence": text, "sentences": [text]}}).json()
        assert abs(similar[0] - 1) <= 1e-5
        row3 = next(r for r in three_label_reference["predictions"] if r["inputs"] == text)
        predicted = post(classifier_server, path, {"inputs": text}, Authorization=f"Bearer {API_KEY}").json()
        assert abs(predicted[0]["score"] - max(row3["scores"])) <= 1e-5


# ---- Error statuses -----------------------------------------------------------------------------------------------

def test_empty_is_400(main_server):
    error_of(post(main_server, "/embed", {"inputs": []}), 400, "Empty")
    error_of(post(main_server, "/embed", {"inputs": ""}), 400, "Empty")
    error_of(post(main_server, "/rerank", {"query": "q", "texts": []}), 400, "Empty")
    error_of(post(main_server, "/similarity", {"inputs": {"source_sentence": "a", "sentences": []}}), 400, "Empty")
    error_of(post(main_server, "/tokenize", {"inputs": []}), 400, "Empty")
    error_of(post(main_server, "/decode", {"ids": []}), 400, "Empty")
    response = httpx.post(main_server.url + "/embed", content=b'{"inputs": ', headers={"Content-Type": "application/json"})
    error_of(response, 400, "Validation")  # not JSON: axum's 400


def test_validation_is_413(main_server):
    error_of(post(main_server, "/embed", {"inputs": ["a"] * 9}), 413, "Validation")
    error_of(post(main_server, "/embed", {"inputs": "word " * 300}), 413, "Validation")
    error_of(post(main_server, "/embed", {"inputs": "a", "dimensions": 385}), 413, "Validation")
    error_of(post(main_server, "/embed", {"inputs": "a", "prompt_name": "query"}), 413, "Validation")
    error_of(post(main_server, "/similarity", {"inputs": {"source_sentence": "a", "sentences": ["b"] * 8}}), 413, "Validation")
    error_of(post(main_server, "/rerank", {"query": "q", "texts": ["a"] * 9}), 413, "Validation")
    error_of(post(main_server, "/predict", {"inputs": [["a"]] * 9}), 413, "Validation")
    error_of(post(main_server, "/embed", {"inputs": "x" * 2_100_000}), 413, "Validation")  # over the payload limit


def test_shape_errors_are_422_and_media_type_415(main_server):
    error_of(post(main_server, "/embed", {"text": "missing inputs"}), 422, "Validation")
    error_of(post(main_server, "/embed", {"inputs": "a", "truncation_direction": "Up"}), 422, "Validation")
    error_of(post(main_server, "/predict", {"inputs": ["a", "b", "c"]}), 422, "Validation")
    error_of(httpx.post(main_server.url + "/embed", content=b'{"inputs": "a"}', headers={"Content-Type": "text/plain"}), 415, "Validation")


def test_tokenizer_error_is_422():
    backtracking = server("backtracking")
    error_of(post(backtracking, "/embed", {"inputs": "q" * 40 + "!"}), 422, "Tokenizer")
    assert post(backtracking, "/embed", {"inputs": "hello world"}).status_code == 200


def test_backend_is_424_and_unhealthy_503(main_server, classifier_server):
    error_of(post(classifier_server, "/rerank", {"query": "q", "texts": ["a"]}, Authorization=f"Bearer {API_KEY}"), 424, "Backend")
    nan = server("nan")
    error_of(post(nan, "/embed", {"inputs": "hello world"}), 424, "Backend")
    for path in ["/health", "/ping", "/"]:
        error_of(httpx.get(nan.url + path), 503, "Unhealthy")
    assert httpx.get(main_server.url + "/health").status_code == 200


def test_overloaded_is_429():
    """A client that sent a head and part of its body holds the only admission slot (admission comes before the
    body is read, as TEI takes its permit before the work); the next request is refused at once."""
    limited = server("limited")
    holder = socket.create_connection(("127.0.0.1", limited.direct_port))
    try:
        holder.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"inputs\":")
        deadline = time.monotonic() + 10
        while True:
            response = post(limited, "/embed", {"inputs": "hello"})
            if response.status_code == 429 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        error_of(response, 429, "Overloaded")
        assert response.json()["error"] == "Model is overloaded"
    finally:
        holder.close()
    deadline = time.monotonic() + 10
    while post(limited, "/embed", {"inputs": "hello"}).status_code != 200:
        assert time.monotonic() < deadline, "the slot was not released"
        time.sleep(0.05)


# ---- Sparse (SPLADE) model ----------------------------------------------------------------------------------------

def test_embed_sparse_on_a_splade_server_and_424_elsewhere(main_server):
    """TEI's /embed_sparse: `[[{"index", "value"}]]` per input, the nonzero entries by index; POST / is /embed_sparse on
    a SPLADE server; /embed needs normalize false there; a dense server answers 424, as TEI."""
    from conftest import FIXTURES, jsonl
    golden = {row["text"]: row["embedding"] for row in jsonl(FIXTURES / "tiny-splade" / "encode.jsonl")}
    text = "A man is singing and playing the guitar."
    splade = server("splade")
    for path, body in [("/embed_sparse", {"inputs": [text]}), ("/", {"inputs": text})]:
        rows = post(splade, path, body).json()
        assert len(rows) == 1
        assert [entry["index"] for entry in rows[0]] == [index for index, _ in golden[text]], path
        assert_close([entry["value"] for entry in rows[0]], [value for _, value in golden[text]], 1e-5, path)
    dense = post(splade, "/embed", {"inputs": text, "normalize": False}).json()
    assert len(dense[0]) == 30522
    error_of(post(splade, "/embed", {"inputs": text}), 424, "Backend")
    error_of(post(main_server, "/embed_sparse", {"inputs": text}), 424, "Backend")
