"""Golden outputs of sentence-transformers 6.2's `SentenceTransformer.encode` for the arguments `sbert encode`
mirrors: `precision` (output quantization), `output_value="token_embeddings"` and `max_seq_length`.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/encode-output/make_goldens.py Tests/Fixtures/encode-output

Writes `goldens.json`. Deterministic: no randomness, float32 on the CPU.
"""
import json
import os
import sys

import numpy as np
import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
torch.set_num_threads(2)

# The first sentences of the STS-B test split (Tests/Fixtures/data), and a long one that max_seq_length cuts.
SENTENCES = [
    "A girl is styling her hair.",
    "A group of men play soccer on the beach.",
    "One woman is measuring another woman's ankle.",
    "A man is cutting up a cucumber.",
    "A man is playing a harp.",
    "A woman is cutting an onion.",
    "A man is riding an electric bicycle.",
    "A man is playing the drums.",
    "Three men are playing chess.",
    "A man is playing the cello and singing a song about a small town by the sea, far from the city.",
]


def as_lists(array):
    return np.asarray(array).tolist()


model = SentenceTransformer(os.path.join(".models", "all-MiniLM-L6-v2"), device="cpu")
goldens = {
    "versions": {"sentence-transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
                 "torch": torch.__version__.split("+")[0], "numpy": np.__version__},
    "model": "all-MiniLM-L6-v2",
    "sentences": SENTENCES,
    "precision": {},
}
for precision in ["float32", "int8", "uint8", "binary", "ubinary"]:
    embeddings = model.encode(SENTENCES, precision=precision, batch_size=4)
    goldens["precision"][precision] = {"dtype": str(embeddings.dtype), "shape": list(embeddings.shape),
                                       "values": as_lists(embeddings)}
normalized = model.encode(SENTENCES, precision="int8", normalize_embeddings=True, truncate_dim=64)
goldens["int8_normalized_truncated_64"] = as_lists(normalized)

tokens = model.encode(SENTENCES[:3], output_value="token_embeddings")
goldens["token_embeddings"] = [as_lists(matrix) for matrix in tokens]
goldens["token_embeddings_ubinary"] = [as_lists(m) for m in model.encode(SENTENCES[:3], output_value="token_embeddings",
                                                                            precision="ubinary")]

model.max_seq_length = 8
goldens["max_seq_length_8"] = as_lists(model.encode(SENTENCES))

# `model.max_seq_length = 16`, which the library's `LoadOptions(maxSeqLength: 16)` must match: the ten sentences and
# four longer texts (STS-B and SciFact-like prose) that 16 tokens cut in different places.
LONG = [
    "A woman is slicing an onion into thin rings on a wooden cutting board while a pot of water boils on the stove.",
    "Three men are playing chess in the park under an old oak tree, and a small crowd has gathered to watch them.",
    "Vitamin D supplementation did not reduce the incidence of cancer or cardiovascular disease in healthy adults.",
    "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs, said the typographer.",
]
model.max_seq_length = 16
goldens["long_sentences"] = LONG
goldens["max_seq_length_16"] = as_lists(model.encode(SENTENCES + LONG))

with open(os.path.join(OUT, "goldens.json"), "w", encoding="utf-8") as handle:
    json.dump(goldens, handle, separators=(",", ":"))
    handle.write("\n")
