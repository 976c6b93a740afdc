"""The OpenAI Python client against `/v1/embeddings` (base_url …/v1) and TEI's alias `/embeddings` (base_url …/)."""
import base64
import struct

import openai
import pytest

from conftest import assert_close

# Texts of Tests/Fixtures/all-MiniLM-L6-v2/encode.jsonl (the Python reference's embeddings).
TEXTS = ["A group of girls are exiting a taxi.", "A woman pets a dog in a gated yard.", "Hello世界мир123"]


def client(server, path="/v1"):
    # No retries: a 429 must reach the test, not be retried away.
    return openai.OpenAI(base_url=server.url + path, api_key="unused", max_retries=0)


def normalized(values):
    norm = sum(v * v for v in values) ** 0.5
    return [v / norm for v in values]


def test_default_encoding_is_base64_and_decoded_by_the_client(main_server, minilm_reference):
    """Without encoding_format the client asks for base64 and decodes it: little-endian float32 bytes."""
    response = client(main_server).embeddings.create(model="all-MiniLM-L6-v2", input=TEXTS)
    assert [item.index for item in response.data] == [0, 1, 2]
    for item, text in zip(response.data, TEXTS):
        assert_close(item.embedding, minilm_reference[text], 2e-5, text)
    assert response.model == "all-MiniLM-L6-v2" or response.model.endswith("all-MiniLM-L6-v2")
    assert response.usage.prompt_tokens == response.usage.total_tokens > len(TEXTS) * 2


def test_float_and_base64_agree(main_server, minilm_reference):
    openai_client = client(main_server)
    floats = openai_client.embeddings.create(model="m", input=TEXTS[0], encoding_format="float")
    assert_close(floats.data[0].embedding, minilm_reference[TEXTS[0]], 2e-5, "float")
    raw = openai_client.embeddings.with_raw_response.create(model="m", input=TEXTS[0], encoding_format="base64").parse()
    encoded = raw.data[0].embedding
    assert isinstance(encoded, str)
    decoded = list(struct.unpack(f"<{len(base64.b64decode(encoded)) // 4}f", base64.b64decode(encoded)))
    assert_close(decoded, floats.data[0].embedding, 1e-6, "base64 vs float")


def test_dimensions_truncate_then_normalize(main_server, minilm_reference):
    response = client(main_server).embeddings.create(model="m", input=TEXTS[0], dimensions=32, encoding_format="float")
    assert_close(response.data[0].embedding, normalized(minilm_reference[TEXTS[0]][:32]), 2e-5, "Matryoshka 32")


def test_token_id_input_and_the_embeddings_alias(main_server, minilm_reference):
    """`input` as token ids (the reference tokenizer's ids of TEXTS[0]), posted to TEI's `/embeddings` alias."""
    ids = [101, 1037, 2177, 1997, 3057, 2024, 22371, 1037, 10095, 1012, 102]
    response = client(main_server, path="").embeddings.create(model="m", input=[ids], encoding_format="float")
    assert_close(response.data[0].embedding, minilm_reference[TEXTS[0]], 2e-5, "from ids")
    assert response.usage.prompt_tokens == len(ids)


def test_errors_in_the_openai_shape(main_server):
    openai_client = client(main_server)
    with pytest.raises(openai.BadRequestError) as empty:
        openai_client.embeddings.create(model="m", input=[])
    assert empty.value.status_code == 400 and empty.value.type == "Empty" and empty.value.code == "400"
    assert empty.value.body["message"]
    with pytest.raises(openai.APIStatusError) as too_many:
        openai_client.embeddings.create(model="m", input=["a"] * 9)
    assert too_many.value.status_code == 413 and too_many.value.type == "Validation"
    with pytest.raises(openai.APIStatusError) as too_wide:
        openai_client.embeddings.create(model="m", input="a", dimensions=1000)
    assert too_wide.value.status_code == 413 and too_wide.value.type == "Validation"
    with pytest.raises(openai.UnprocessableEntityError) as wrong_format:
        openai_client.embeddings.create(model="m", input="a", encoding_format="int8")
    assert wrong_format.value.status_code == 422
