"""Golden gradients of sentence-transformers 6.2's CrossEncoder losses, one step each, for the Swift trainer.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    python3 -m venv ~/.cache/sbert-ref
    ~/.cache/sbert-ref/bin/pip install torch==2.15.0 sentence-transformers==6.2.0 transformers==5.24.0 tokenizers==0.23.3
    ~/.cache/sbert-ref/bin/python Tests/Fixtures/cross-encoder-training/make_goldens.py .models Tests/Fixtures/cross-encoder-training

For each loss: the batch (texts and labels), the loss value, the global gradient norm, and every parameter's gradient
norm and first 16 values, from `loss(inputs, labels).backward()` on `cross-encoder-stsb-MiniLM-L6` (the 3-label model
for CrossEntropyLoss) in eval mode (no dropout), float32 on the CPU. Deterministic: no randomness is drawn (the
in-batch negatives of MultipleNegativesRankingLoss are all of them when `num_negatives` is at least their number).

The listwise losses (LambdaLoss, ListNetLoss) also get `listwise_logits`: for fixed logits of lists of different
lengths, the loss and the gradient of every logit under each weighting scheme and option, from a stand-in model whose
scores are those logits (the losses see nothing else of a model).
"""
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers.cross_encoder import CrossEncoder, losses
from sentence_transformers.cross_encoder.losses import lambda_loss
from torch import nn

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


LIST_QUERIES = ["How do vaccines work?", "What is the capital of France?", "A cat sleeps on the sofa."]
LIST_DOCUMENTS = [[DOCUMENTS[1], NEGATIVES[1], "Immunisation protects people from infectious diseases.", NEGATIVES[3]],
                  [NEGATIVES[2], DOCUMENTS[2]],
                  [NEGATIVES[0], DOCUMENTS[3], "A pet is resting indoors."]]
LIST_LABELS = [[2.0, 0.0, 1.0, 0.0], [0.0, 1.0], [0.0, 3.0, 1.0]]


class FixedScores(nn.Module):
    """A stand-in CrossEncoder whose score for the i-th pair it is given is `logits[i]`."""

    num_labels = 1
    device = torch.device("cpu")

    def __init__(self, logits):
        super().__init__()
        self.logits = nn.Parameter(torch.tensor(logits, dtype=torch.float32))
        self.seen = 0

    def preprocess(self, pairs, prompt=None, task=None):
        start = self.seen
        self.seen += len(pairs)
        return {"index": torch.arange(start, start + len(pairs))}

    def forward(self, features):
        return {"scores": self.logits[features["index"]].unsqueeze(1)}


def listwise_logits():
    lengths = [4, 2, 5]
    logits = [0.3, -1.2, 2.5, 0.9, 1.1, -0.4, 0.0, 3.2, -2.0, 0.7, 1.6]
    labels = [[2.0, 0.0, 1.0, 0.0], [1.0, 0.0], [0.0, 3.0, -1.0, 1.0, 1.0]]
    queries = ["q0", "q1", "q2"]
    documents = [[f"d{i}{j}" for j in range(n)] for i, n in enumerate(lengths)]
    settings = [
        ("lambda_ndcg2pp", lambda m: losses.LambdaLoss(m), {"scheme": "ndcg_loss2pp", "mu": 10.0}),
        ("lambda_ndcg2pp_mu3_k2_natural", lambda m: losses.LambdaLoss(m, weighting_scheme=lambda_loss.NDCGLoss2PPScheme(mu=3.0), k=2, reduction_log="natural"),
         {"scheme": "ndcg_loss2pp", "mu": 3.0, "k": 2, "reduction_log": "natural"}),
        ("lambda_ndcg1", lambda m: losses.LambdaLoss(m, weighting_scheme=lambda_loss.NDCGLoss1Scheme()), {"scheme": "ndcg_loss1"}),
        ("lambda_ndcg2_k3", lambda m: losses.LambdaLoss(m, weighting_scheme=lambda_loss.NDCGLoss2Scheme(), k=3), {"scheme": "ndcg_loss2", "k": 3}),
        ("lambda_lambdarank_sigma2", lambda m: losses.LambdaLoss(m, weighting_scheme=lambda_loss.LambdaRankScheme(), sigma=2.0),
         {"scheme": "lambda_rank", "sigma": 2.0}),
        ("lambda_none", lambda m: losses.LambdaLoss(m, weighting_scheme=None), {"scheme": "none"}),
        ("listnet", lambda m: losses.ListNetLoss(m), {}),
    ]
    out = {"lengths": lengths, "logits": logits, "labels": labels, "cases": {}}
    for name, make, options in settings:
        model = FixedScores(logits)
        value = make(model)([queries, documents], [torch.tensor(x) for x in labels])
        value.backward()
        out["cases"][name] = {**options, "loss": float(value), "gradient": [float(x) for x in model.logits.grad]}
    return out


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
    cached = losses.CachedMultipleNegativesRankingLoss(one, num_negatives=8, mini_batch_size=5)
    cases["cached_mnrl"] = {"columns": hard, "num_negatives": 8, "scale": 10.0, "mini_batch_size": 5,
                            **step(one, cached, hard, None)}
    listwise = [LIST_QUERIES, LIST_DOCUMENTS]
    list_labels = [torch.tensor(x) for x in LIST_LABELS]
    cases["lambda"] = {"query": LIST_QUERIES, "documents": LIST_DOCUMENTS, "list_labels": LIST_LABELS,
                       **step(one, losses.LambdaLoss(one), listwise, list_labels)}
    cases["listnet"] = {"query": LIST_QUERIES, "documents": LIST_DOCUMENTS, "list_labels": LIST_LABELS, "mini_batch_size": 4,
                        **step(one, losses.ListNetLoss(one, mini_batch_size=4), listwise, list_labels)}
    out = {"versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}, "cases": cases,
           "listwise_logits": listwise_logits()}
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


main()
