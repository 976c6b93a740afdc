"""huggingface_hub's InferenceClient, pointed at the server as at a TEI deployment (`base_url`): every task posts to
`/`, which the server routes by its model's task and by the body's shape, as TEI does."""
import numpy
import pytest
from huggingface_hub import InferenceClient
from huggingface_hub.errors import HfHubHTTPError

from conftest import API_KEY, assert_close, cosine

# Texts of Tests/Fixtures/all-MiniLM-L6-v2/encode.jsonl (the Python reference's embeddings).
SENTENCES = ["A man pours some cooking oil into a pot.", "A orange and white cat asleep on a leather chair.", "我爱自然语言处理。今天天气很好！",
             "I love pizza 🍕😀 so much!"]


def client(server, **options):
    return InferenceClient(base_url=server.url, **options)


def test_feature_extraction_single_text(main_server, minilm_reference):
    vector = client(main_server).feature_extraction(SENTENCES[0])
    assert vector.shape == (1, 384) and vector.dtype == numpy.float32
    assert_close(vector[0].tolist(), minilm_reference[SENTENCES[0]], 2e-5, SENTENCES[0])


def test_feature_extraction_batch(main_server, minilm_reference):
    vectors = client(main_server).feature_extraction(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384)
    for row, text in zip(vectors.tolist(), SENTENCES):
        assert_close(row, minilm_reference[text], 2e-5, text)


def test_feature_extraction_parameters(main_server, minilm_reference):
    """`normalize`, `truncate`, `truncation_direction` and `dimensions` go at the top level of the body (TEI's names)."""
    long_text = next(text for text in minilm_reference if text.startswith("The summer of 2003"))
    hub = client(main_server)
    right = hub.feature_extraction(long_text, truncate=True, truncation_direction="right", normalize=False)
    # The reference truncated at max_seq_length 256 from the right, as sentence-transformers does.
    assert_close(right[0].tolist(), minilm_reference[long_text], 2e-5, "right-truncated long text")
    left = hub.feature_extraction(long_text, truncate=True, truncation_direction="left")
    assert cosine(left[0].tolist(), right[0].tolist()) < 0.99, "left truncation keeps the end of the text, not its start"
    short = hub.feature_extraction(SENTENCES[0], dimensions=16, normalize=False)
    assert_close(short[0].tolist(), minilm_reference[SENTENCES[0]][:16], 2e-5, "first 16 dimensions")


def test_sentence_similarity(main_server, minilm_reference):
    scores = client(main_server).sentence_similarity(SENTENCES[0], other_sentences=SENTENCES[1:])
    expected = [cosine(minilm_reference[SENTENCES[0]], minilm_reference[text]) for text in SENTENCES[1:]]
    assert_close(scores, expected, 2e-5, "cosine similarities")


def test_text_classification_on_a_classifier_server(classifier_server, three_label_reference):
    """TEI answers a single text with one list of predictions; the client takes its first element (the best label)."""
    row = next(r for r in three_label_reference["predictions"] if r["inputs"] == "What is Deep Learning?")
    best = max(range(3), key=lambda i: row["scores"][i])
    result = client(classifier_server, api_key=API_KEY).text_classification("What is Deep Learning?")
    assert result.label == three_label_reference["labels"][best]
    assert abs(result.score - row["scores"][best]) <= 1e-5


def test_feature_extraction_errors_carry_tei_statuses(main_server):
    hub = client(main_server)
    cases = [([], 400, "Empty"), ([""], 400, "Empty"), (["a"] * 9, 413, "Validation"),
             ("word " * 300, 413, "Validation")]
    for inputs, status, error_type in cases:
        with pytest.raises(HfHubHTTPError) as raised:
            hub.feature_extraction(inputs)
        assert raised.value.response.status_code == status, inputs
        assert raised.value.response.json()["error_type"] == error_type


def test_api_key(classifier_server):
    with pytest.raises(HfHubHTTPError) as raised:
        client(classifier_server, api_key="wrong").text_classification("hello")
    assert raised.value.response.status_code == 401
