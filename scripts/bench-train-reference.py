"""The PyTorch side of `sbert bench-train`: one section's training throughput and peak RSS, measured as ours is.

    python scripts/bench-train-reference.py SECTION MODEL STS_TRAIN WARMUP_STEPS TIMED_STEPS

SECTION: mnrl (bi-encoder, MultipleNegativesRankingLoss, batch 32, STS-B train pairs with gold score >= 4),
cosent (bi-encoder, CoSENTLoss, batch 16, every pair with score / 5), ce-bce (cross-encoder, BinaryCrossEntropyLoss,
batch 16, every pair with score / 5), ce-mnrl (cross-encoder, MultipleNegativesRankingLoss with 4 in-batch negatives,
batch 16, the pairs with score >= 4). max_seq_length 128; batches are consecutive rows in file order, as on our side.
A step is what the trainer does: tokenize, forward, loss, backward, clip to norm 1, AdamW (lr 2e-5, weight decay
0.01). Prints one JSON object. Run by `sbert bench-train --reference-venv`, each section in its own process so that
its peak RSS is its own; torch uses every core, as ours does.
"""
import json
import resource
import sys
import time

import torch
from sentence_transformers import SentenceTransformer, losses
from sentence_transformers.cross_encoder import CrossEncoder
from sentence_transformers.cross_encoder import losses as ce_losses

section, model_path, sts_train, warmup, timed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(42)
pairs = []
with open(sts_train, encoding="utf-8") as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        pairs.append((fields[5], fields[6], float(fields[4])))
positives = [p for p in pairs if p[2] >= 4]
rows, batch_size = {"mnrl": (positives, 32), "cosent": (pairs, 16), "ce-bce": (pairs, 16), "ce-mnrl": (positives, 16)}[section]
cross = section.startswith("ce-")
if cross:
    model = CrossEncoder(model_path, device="cpu", max_length=128)
    loss = ce_losses.BinaryCrossEntropyLoss(model) if section == "ce-bce" else ce_losses.MultipleNegativesRankingLoss(model, num_negatives=4)
else:
    model = SentenceTransformer(model_path, device="cpu")
    model.max_seq_length = 128
    loss = losses.MultipleNegativesRankingLoss(model) if section == "mnrl" else losses.CoSENTLoss(model)
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
times, examples = [], 0
for step in range(warmup + timed):
    start_row = (step * batch_size) % (len(rows) - batch_size)
    batch = rows[start_row:start_row + batch_size]
    begin = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    labels = torch.tensor([score / 5 for _, _, score in batch])
    columns = [[a for a, _, _ in batch], [b for _, b, _ in batch]]
    if cross:
        value = loss(columns, labels)
    else:
        value = loss([model.tokenize(column) for column in columns], labels)
    value.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step >= warmup:
        times.append(time.perf_counter() - begin)
        examples += len(batch)
total = sum(times)
print(json.dumps({"loss": type(loss).__name__, "batch_size": batch_size, "timed_steps": timed, "steps_per_s": timed / total,
                  "examples_per_s": examples / total, "step_ms_median": sorted(times)[len(times) // 2] * 1000,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "torch": torch.__version__, "threads": torch.get_num_threads()}, sort_keys=True))
