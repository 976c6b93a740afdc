"""The TEI / OpenAI conformance suite: real clients (huggingface_hub, openai, langchain-huggingface, plain HTTP)
against real `sbert serve` processes on loopback, each answer compared with the Python reference's outputs in
Tests/Fixtures (sentence-transformers 6.2) or, for tokens, with the Python `tokenizers` library itself.

Every exchange goes through a recording proxy in front of each server, and every response is checked against the
server's own OpenAPI document (`/api-doc/openapi.json`) with jsonschema: a test fails when a response of its has an
undocumented status or a body its schema refuses.

Run by scripts/test.sh (`bash scripts/test-conformance.sh`); SBERT_BIN names the sbert binary (default:
.build/release/sbert), SBERT_MODELS the model folder (default: .models).
"""
import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import jsonschema
import pytest
import referencing
import referencing.jsonschema

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"
MODELS = Path(os.environ.get("SBERT_MODELS", ROOT / ".models"))
SBERT = Path(os.environ.get("SBERT_BIN", ROOT / ".build" / "release" / "sbert"))
API_KEY = "conformance-key"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Exchanges:
    """Every request and response that went through a proxy, with the OpenAPI violations found in them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []
        self.violations = []

    def add(self, record, violations):
        with self.lock:
            self.records.append(record)
            self.violations.extend(violations)


EXCHANGES = Exchanges()


class OpenAPIChecker:
    """Checks responses against an OpenAPI 3.1 document: the status must be documented for the path and method,
    and the body must match the schema of its content type (JSON bodies with jsonschema, Draft 2020-12)."""

    def __init__(self, document):
        self.document = document
        resource = referencing.Resource.from_contents(document, default_specification=referencing.jsonschema.DRAFT202012)
        self.registry = referencing.Registry().with_resource("urn:sbert-openapi", resource)

    def check(self, method, path, status, content_type, body):
        path = path.split("?")[0]
        operation = self.document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            return [f"{method} {path}: not in the OpenAPI document"]
        response = operation["responses"].get(str(status))
        if response is None:
            return [f"{method} {path}: status {status} not documented ({sorted(operation['responses'])})"]
        content = response.get("content")
        if not body and not content_type and response.get("x-body-optional"):
            return []
        if not content:
            return [] if not body else [f"{method} {path} {status}: body {body[:80]!r} where none is documented"]
        essence = (content_type or "").split(";")[0].strip()
        if essence not in content:
            return [f"{method} {path} {status}: content type {essence!r} not documented ({list(content)})"]
        if essence != "application/json":
            return []
        pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in
                           ["paths", path, method.lower(), "responses", str(status), "content", essence, "schema"])
        validator = jsonschema.Draft202012Validator({"$ref": f"urn:sbert-openapi#/{pointer}"}, registry=self.registry)
        try:
            value = json.loads(body)
        except ValueError:
            return [f"{method} {path} {status}: body is not JSON: {body[:80]!r}"]
        return [f"{method} {path} {status}: {error.message} at {list(error.absolute_path)}" for error in validator.iter_errors(value)]


class RecordingProxy:
    """A transparent HTTP/1.1 proxy on its own port that forwards each request to one server and records the
    exchange, checking the response against the server's OpenAPI document."""

    def __init__(self, name, upstream_port, checker):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "keep-alive", "transfer-encoding", "content-length")}
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                upstream.request(self.command, self.path, body=body if body or self.command == "POST" else None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                content_type = response.getheader("Content-Type")
                upstream.close()
                violations = checker.check(self.command, self.path, response.status, content_type, data)
                EXCHANGES.add({"server": name, "method": self.command, "path": self.path.split("?")[0], "status": response.status,
                               "body": data[:200]}, violations)
                self.send_response(response.status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Server:
    """One `sbert serve` process on loopback, behind a recording proxy: `url` is the proxy's, `direct_port` the
    server's own (for raw sockets)."""

    def __init__(self, name, arguments):
        self.name = name
        self.direct_port = free_port()
        command = [str(SBERT), "serve", "--host", "127.0.0.1", "--port", str(self.direct_port)] + arguments
        self.log = open(ROOT / ".build" / f"conformance-{name}.log", "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"sbert serve ({name}) exited with {self.process.returncode}; see .build/conformance-{name}.log")
            try:
                # /info, not /health: a server whose model is broken answers /health 503 by design.
                connection = http.client.HTTPConnection("127.0.0.1", self.direct_port, timeout=5)
                connection.request("GET", "/info", headers={"Authorization": f"Bearer {API_KEY}"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"sbert serve ({name}) did not start")
            time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", self.direct_port, timeout=5)
        connection.request("GET", "/api-doc/openapi.json")
        self.document = json.loads(connection.getresponse().read())
        self.proxy = RecordingProxy(name, self.direct_port, OpenAPIChecker(self.document))
        self.url = f"http://127.0.0.1:{self.proxy.port}"

    def stop(self):
        self.proxy.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


SERVERS = {
    # all-MiniLM-L6-v2 with the STS-B reranker; at most 8 inputs a request (so that 413 takes 9); over-long inputs
    # refused (TEI 1.9 truncates them by default), so that their 413 is checked too.
    "main": ["--model", "all-MiniLM-L6-v2", "--reranker", "cross-encoder-stsb-MiniLM-L6", "--max-client-batch-size", "8",
             "--auto-truncate", "false"],
    # A classification server (TEI's "classifier" kind): POST / predicts. Behind an API key.
    "classifier": ["--model", "all-MiniLM-L6-v2", "--classifier", "cross-encoder-stsb-MiniLM-L6-3labels", "--api-key", API_KEY],
    # One request in flight at a time (429 for the next).
    "limited": ["--model", "all-MiniLM-L6-v2", "--max-concurrent-requests", "1"],
    # Every embedding NaN: 424 and /health 503.
    "nan": ["--model", "tiny-distilbert-nan"],
    # A tokenizer regex that backtracks without bound on q's: 422.
    "backtracking": ["--model", "tiny-distilbert-backtracking-tokenizer"],
    # A SPLADE model: /embed_sparse, and POST / routed to it.
    "splade": ["--model", "tiny-splade"],
}

_started = {}
_started_lock = threading.Lock()


def server(name):
    """The named server, started on first use and kept for the session."""
    with _started_lock:
        if name not in _started:
            arguments = [str(MODELS / value) if index > 0 and SERVERS[name][index - 1] in ("--model", "--reranker", "--classifier") else value
                         for index, value in enumerate(SERVERS[name])]
            _started[name] = Server(name, arguments)
        return _started[name]


@pytest.fixture(scope="session", autouse=True)
def stop_servers():
    yield
    for started in _started.values():
        started.stop()


@pytest.fixture(autouse=True)
def openapi_conformance():
    """Fails the test whose responses break the OpenAPI document."""
    before = len(EXCHANGES.violations)
    yield
    new = EXCHANGES.violations[before:]
    assert not new, "responses that break the server's OpenAPI document:\n" + "\n".join(new)


@pytest.fixture(scope="session")
def main_server():
    return server("main")


@pytest.fixture(scope="session")
def classifier_server():
    return server("classifier")


# ---- Reference outputs ------------------------------------------------------------------------------------------

def jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def minilm_reference():
    """all-MiniLM-L6-v2 embeddings by sentence-transformers 6.2 (normalized: the model ends with Normalize), by text."""
    return {row["text"]: row["embedding"] for row in jsonl(FIXTURES / "all-MiniLM-L6-v2" / "encode.jsonl")}


@pytest.fixture(scope="session")
def stsb_reference():
    """cross-encoder-stsb-MiniLM-L6 logits and sigmoid scores by sentence-transformers 6.2."""
    return jsonl(FIXTURES / "cross-encoder-stsb-MiniLM-L6" / "predict.jsonl")


@pytest.fixture(scope="session")
def stsb_rank_reference():
    """CrossEncoder.rank and predict logits of cross-encoder-stsb-MiniLM-L6 by sentence-transformers 6.2."""
    with open(FIXTURES / "cross-encoder-stsb-MiniLM-L6" / "rank.json") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def three_label_reference():
    with open(FIXTURES / "cross-encoder-stsb-MiniLM-L6-3labels" / "predict.json") as f:
        return json.load(f)


def assert_close(actual, expected, tolerance, what=""):
    assert len(actual) == len(expected), f"{what}: {len(actual)} values, expected {len(expected)}"
    worst = max((abs(a - b) for a, b in zip(actual, expected)), default=0.0)
    assert worst <= tolerance, f"{what}: max |Δ| {worst} > {tolerance}"


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / ((sum(x * x for x in a) ** 0.5) * (sum(y * y for y in b) ** 0.5))
