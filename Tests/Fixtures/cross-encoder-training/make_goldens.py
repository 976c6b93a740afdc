"""Golden gradients of sentence-transformers 6.2's CrossEncoder losses, one step each, for the Swift trainer.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/cross-encoder-training/make_goldens.py .models Tests/Fixtures/cross-encoder-training

For each loss: the batch (texts and labels), the loss value, the global gradient norm, and every parameter's gradient
norm and first 16 values, from `loss(inputs, labels).backward()` on `cross-encoder-stsb-MiniLM-L6` (the 3-label model
for CrossEntropyLoss) in eval mode (no dropout), float32 on the CPU. Deterministic: no randomness is drawn (the
in-batch negatives of MultipleNegativesRankingLoss are all of them when `num_negatives` is at least their number).
"""
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers.cross_encoder import CrossEncoder, losses

MODELS, OUT = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
torch.use_deterministic_algorithms(True)

QUERIES = ["A man is playing a guitar.", "How do vaccines work?", "What is the capital of France?", "A cat sleeps on the sofa."]
DOCUMENTS = ["Someone plays an instrument on stage.", "Vaccines train the immune system to recognise a pathogen.",
             "Paris is the capital and largest city of France.", "The kitten is napping on the couch."]
NEGATIVES = ["The weather is cold today.", "Stock markets fell sharply on Monday.", "Berlin is in Germany.",
             "A dog runs in the park."]


def step(model, loss, inputs, labels):
    model.zero_grad(set_to_none=True)
    value = loss(inputs, labels)
    value.backward()
    grads = []
    total = 0.0
    for name, parameter in model.named_parameters():
        if parameter.grad is None:
            continue
        g = parameter.grad.detach().double()
        total += float((g * g).sum())
        name = name.removeprefix("0.model.")  # the verbatim key in model.safetensors
        grads.append({"name": name, "grad_norm": float(g.norm()), "grad_first16": [float(x) for x in g.flatten()[:16]]})
    return {"loss": float(value), "global_grad_norm": total ** 0.5, "grads": grads}


def main():
    one = CrossEncoder(os.path.join(MODELS, "cross-encoder-stsb-MiniLM-L6"), device="cpu")
    three = CrossEncoder(os.path.join(MODELS, "cross-encoder-stsb-MiniLM-L6-3labels"), device="cpu")
    one.eval()
    three.eval()
    cases = {}
    binary = torch.tensor([1.0, 1.0, 0.0, 1.0])
    pairs = [QUERIES, [DOCUMENTS[0], DOCUMENTS[1], NEGATIVES[2], DOCUMENTS[3]]]
    cases["bce"] = {"columns": pairs, "labels": binary.tolist(), **step(one, losses.BinaryCrossEntropyLoss(one), pairs, binary)}
    cases["bce_pos_weight"] = {"columns": pairs, "labels": binary.tolist(), "pos_weight": 2.5,
                               **step(one, losses.BinaryCrossEntropyLoss(one, pos_weight=torch.tensor(2.5)), pairs, binary)}
    scores = torch.tensor([0.9, 0.75, 0.05, 0.6])
    cases["mse"] = {"columns": pairs, "labels": scores.tolist(), **step(one, losses.MSELoss(one), pairs, scores)}
    classes = torch.tensor([2, 0, 1, 2])
    cases["cross_entropy"] = {"columns": pairs, "labels": classes.tolist(),
                              **step(three, losses.CrossEntropyLoss(three), pairs, classes)}
    in_batch = [QUERIES, DOCUMENTS]
    cases["mnrl"] = {"columns": in_batch, "num_negatives": 4, "scale": 10.0,
                     **step(one, losses.MultipleNegativesRankingLoss(one, num_negatives=4), in_batch, None)}
    hard = [QUERIES, DOCUMENTS, NEGATIVES]
    cases["mnrl_hard_negatives"] = {"columns": hard, "num_negatives": 8, "scale": 10.0,
                                    **step(one, losses.MultipleNegativesRankingLoss(one, num_negatives=8), hard, None)}
    margins = torch.tensor([[4.0], [6.5], [3.0], [5.25]])
    cases["margin_mse"] = {"columns": hard, "labels": margins.tolist(), **step(one, losses.MarginMSELoss(one), hard, margins)}
    out = {"versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}, "cases": cases}
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


main()
