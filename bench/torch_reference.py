#!/usr/bin/env python3
"""PyTorch reference for W1 = experiments/hidden_nodes.yaml (note 000's hidden-size grid).

AbAcAd x50 (299 next-token steps, vocabulary A b c d), RNN(tanh) with hidden 2, 3, 4 and a
Linear(hidden -> 4) head, mean cross-entropy, Adam lr 0.1, 200 epochs, 25 seeds per hidden size
(75 runs). Every run starts from PyTorch's own initial values for its seed:
torch.manual_seed(seed), then the cell, then the head (what sweeplab calls `init: torch`), so all
variants start each seed from the same weights.

Variants:
  notes     one model per seed, a Python loop over the time steps with nn.RNNCell, the loss
            summed step by step and divided by the length (note 000, section B, as written)
  rnn       one model per seed, whole-sequence nn.RNN (note 000, section F: the notes' own
            hidden-size grid)
  batched   all seeds of a hidden size as one model: parameters stacked on a replica axis,
            per-step torch.bmm, per-replica mean losses summed (each replica gets its own gradient
            and Adam update)
  both      notes + batched;  all: notes + rnn + batched
  char_rnn  not W1: the char-rnn line of `just bench` (benches/char_rnn/mod.rs). nn.LSTM(V, 128,
            num_layers=2) on one-hot input, Linear(128 -> V), Adam lr 0.002, the text cut into 16
            contiguous streams, windows of 50 steps (one optimizer step each, the state carried
            over detached), one epoch, then the final evaluation over all positions in chunks of
            4096 without gradients; chars/s over training + evaluation, like sweeplab's
            train_seconds; --fraction 0.5 takes the first half of the text

Run (from the repository root; torch in a virtualenv outside the repo):
  /work/torch-venv/bin/python bench/torch_reference.py --variant both --threads 1
  /work/torch-venv/bin/python bench/torch_reference.py --variant batched --seeds 1000..1025
  /work/torch-venv/bin/python bench/torch_reference.py --variant char_rnn --fraction 0.5

Prints the wall time per hidden size and variant, the total, the number of runs that reach 100%
argmax accuracy, and the median final loss (the trained model's mean cross-entropy).
"""

import argparse
import json
import statistics
import sys
import time

try:
    import torch
except ImportError:
    sys.exit(
        "torch_reference.py needs PyTorch, which is not installed for "
        f"{sys.executable}.\nInstall it into a virtualenv outside the repository, e.g.\n"
        "  python3 -m venv /work/torch-venv && /work/torch-venv/bin/pip install torch numpy\n"
        "and run /work/torch-venv/bin/python bench/torch_reference.py"
    )

# experiments/hidden_nodes.yaml
PATTERN, REPEAT, VOCAB = "AbAcAd", 50, ["A", "b", "c", "d"]
HIDDEN, SEEDS, LR, EPOCHS = [2, 3, 4], range(0, 25), 0.1, 200


def data():
    """One-hot inputs X [T, V] and targets y [T] (class indices)."""
    tokens = [VOCAB.index(c) for c in PATTERN * REPEAT]
    x = torch.tensor(tokens[:-1])
    y = torch.tensor(tokens[1:])
    return torch.nn.functional.one_hot(x, len(VOCAB)).float(), y


def init(seed, hidden):
    """PyTorch's initial modules for a seed: manual_seed, the cell, then the head."""
    torch.manual_seed(seed)
    cell = torch.nn.RNNCell(len(VOCAB), hidden)
    head = torch.nn.Linear(hidden, len(VOCAB))
    return cell, head


def evaluate(logits, y):
    """(mean cross-entropy, argmax accuracy) of one run's logits [T, V]."""
    loss = torch.nn.functional.cross_entropy(logits, y).item()
    acc = (logits.argmax(-1) == y).float().mean().item()
    return loss, acc


def train_notes(seed, hidden, X, y, epochs, lr):
    """Note 000, section B: RNNCell step loop, loss = sum of per-step losses / L."""
    rnncell, cook = init(seed, hidden)
    Y = torch.nn.functional.one_hot(y, len(VOCAB)).float()  # the notes use one-hot targets
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizr = torch.optim.Adam(list(rnncell.parameters()) + list(cook.parameters()), lr=lr)
    L = len(X)
    for _ in range(epochs):
        loss = 0
        ht = torch.zeros(hidden)
        for t in range(L):
            Xt, yt = X[t], Y[t]
            ht = rnncell(Xt, ht)
            ot = cook(ht)
            loss = loss + loss_fn(ot, yt)
        loss = loss / L
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
    with torch.no_grad():
        h = torch.zeros(L, hidden)
        h[0] = rnncell(X[0], torch.zeros(hidden))
        for t in range(1, L):
            h[t] = rnncell(X[t], h[t - 1])
        return evaluate(cook(h), y)


def train_rnn(seed, hidden, X, y, epochs, lr):
    """Note 000, section F: whole-sequence nn.RNN, one model per seed (same initial values)."""
    rnncell, cook = init(seed, hidden)
    rnn = torch.nn.RNN(len(VOCAB), hidden)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(rnn, name + "_l0").copy_(getattr(rnncell, name))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizr = torch.optim.Adam(list(rnn.parameters()) + list(cook.parameters()), lr=lr)
    for _ in range(epochs):
        h, _ = rnn(X)
        loss = loss_fn(cook(h), y)
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
    with torch.no_grad():
        return evaluate(cook(rnn(X)[0]), y)


def batched_forward(params, X):
    """Logits [T, R, V] of all replicas; params stacked on a leading replica axis R."""
    w_ih, w_hh, b_ih, b_hh, w_o, b_o = params
    R, H = b_ih.shape
    xproj = torch.einsum("ti,rhi->trh", X, w_ih) + b_ih  # [T, R, H]
    w_hh_t = w_hh.transpose(1, 2)  # h [R,1,H] @ W_hh^T [R,H,H]
    h = torch.zeros(R, 1, H)
    hs = []
    for t in range(X.shape[0]):
        h = torch.tanh(xproj[t].unsqueeze(1) + torch.bmm(h, w_hh_t) + b_hh.unsqueeze(1))
        hs.append(h)
    hs = torch.cat(hs, dim=1)  # [R, T, H]
    return torch.einsum("rth,rvh->trv", hs, w_o) + b_o  # [T, R, V]


def train_batched(seeds, hidden, X, y, epochs, lr):
    """All seeds of one hidden size as one replica-batched computation."""
    mods = [init(s, hidden) for s in seeds]
    stack = lambda f: torch.stack([f(c, h).detach().clone() for c, h in mods]).requires_grad_()
    params = [
        stack(lambda c, h: c.weight_ih),
        stack(lambda c, h: c.weight_hh),
        stack(lambda c, h: c.bias_ih),
        stack(lambda c, h: c.bias_hh),
        stack(lambda c, h: h.weight),
        stack(lambda c, h: h.bias),
    ]
    R, T, V = len(seeds), X.shape[0], len(VOCAB)
    yy = y.repeat_interleave(R)  # matches logits.reshape(T * R, V)
    optimizr = torch.optim.Adam(params, lr=lr)
    for _ in range(epochs):
        logits = batched_forward(params, X)
        per = torch.nn.functional.cross_entropy(logits.reshape(T * R, V), yy, reduction="none")
        loss = per.view(T, R).mean(0).sum()  # each replica's mean loss, summed
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
    with torch.no_grad():
        logits = batched_forward(params, X)
        return [evaluate(logits[:, r], y) for r in range(R)]


def char_rnn(path, fraction, hidden=128, layers=2, batch=16, bptt=50, lr=0.002, chunk=4096):
    """One epoch of char-rnn on the first `fraction` of the text; prints chars/s and peak RSS."""
    import resource

    text = open(path, encoding="utf-8").read()
    text = text[: int(len(text) * fraction)]
    vocab = sorted(set(text))
    tokens = torch.tensor([vocab.index(c) for c in text])
    x, y = tokens[:-1], tokens[1:]
    n, v = len(x), len(vocab)
    s = n // batch  # streams of s positions, the remainder dropped
    xs, ys = x[: batch * s].view(batch, s), y[: batch * s].view(batch, s)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(v, hidden, num_layers=layers, batch_first=True)
    head = torch.nn.Linear(hidden, v)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    state, losses = None, []
    for start in range(0, s, bptt):
        xw = torch.nn.functional.one_hot(xs[:, start : start + bptt], v).float()
        out, state = lstm(xw, state)
        loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, v), ys[:, start : start + bptt].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = tuple(t.detach() for t in state)
        losses.append(loss.item())
    with torch.no_grad():  # the final evaluation: every position, one stream, in chunks
        state, total = None, 0.0
        for start in range(0, n, chunk):
            xw = torch.nn.functional.one_hot(x[start : start + chunk], v).float().unsqueeze(0)
            out, state = lstm(xw, state)
            logits = head(out[0])
            total += torch.nn.functional.cross_entropy(logits, y[start : start + chunk], reduction="sum").item()
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"char-rnn {path}: {n + 1} characters, vocabulary {v}, LSTM {hidden} x {layers}, batch {batch}, "
        f"bptt {bptt}, 1 epoch ({len(losses)} windows)\n"
        f"  {wall:8.2f} s  {n / wall:8.0f} chars/s  peak {peak:.0f} MB (after importing torch: {before:.0f} MB)  "
        f"epoch loss {statistics.mean(losses):.4f}  final loss {total / n:.4f}"
    )


def parse_seeds(text):
    if ".." in text:
        a, b = text.split("..")
        return list(range(int(a), int(b)))
    return [int(s) for s in text.split(",")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", choices=["notes", "rnn", "batched", "both", "all", "char_rnn"], default="both")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--hidden", default=",".join(map(str, HIDDEN)), help="e.g. 2,3,4")
    ap.add_argument("--seeds", default=f"{SEEDS.start}..{SEEDS.stop}", help="a..b (b excluded) or a,b,c")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--json", help="also write every run's result to this file")
    ap.add_argument("--text", default="experiments/texts/eighty_days.txt", help="char_rnn's text")
    ap.add_argument("--fraction", type=float, default=1.0, help="char_rnn: the first part of the text")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.variant == "char_rnn":
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
        char_rnn(args.text, args.fraction)
        return
    hidden = [int(h) for h in args.hidden.split(",")]
    seeds = parse_seeds(args.seeds)
    variants = {"both": ["notes", "batched"], "all": ["notes", "rnn", "batched"]}.get(
        args.variant, [args.variant]
    )
    X, y = data()
    print(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
        f"cpu capability {torch.backends.cpu.get_cpu_capability()}"
    )
    print(
        f"W1: {PATTERN} x{REPEAT} ({len(X)} steps), RNN hidden {hidden}, seeds {args.seeds} "
        f"({len(seeds)}), Adam lr {args.lr}, {args.epochs} epochs, variants {variants}"
    )
    rows, results = [], []
    for variant in variants:
        total = 0.0
        for H in hidden:
            t0 = time.perf_counter()
            if variant == "batched":
                out = train_batched(seeds, H, X, y, args.epochs, args.lr)
            else:
                fn = train_notes if variant == "notes" else train_rnn
                out = [fn(s, H, X, y, args.epochs, args.lr) for s in seeds]
            wall = time.perf_counter() - t0
            total += wall
            losses = [l for l, _ in out]
            ok = sum(a == 1.0 for _, a in out)
            rows.append((variant, H, wall, ok, len(out), statistics.median(losses)))
            for s, (l, a) in zip(seeds, out):
                results.append(dict(variant=variant, hidden=H, seed=s, final_loss=l, accuracy=a))
            print(
                f"  {variant:8s} hidden {H}: {wall:8.2f} s  successes {ok:2d}/{len(out)}  "
                f"median final loss {statistics.median(losses):.4g}",
                flush=True,
            )
        print(f"  {variant:8s} total: {total:8.2f} s", flush=True)

    print("\nvariant   hidden     wall_s  successes  median_final_loss")
    for v, H, wall, ok, n, med in rows:
        print(f"{v:9s} {H:6d} {wall:10.2f}  {ok:4d}/{n:<4d}  {med:.4g}")
    for v in variants:
        print(f"{v:9s}  total {sum(r[2] for r in rows if r[0] == v):10.2f}")
    if len(variants) > 1:  # per-seed agreement between the variants
        by = {(r["variant"], r["hidden"], r["seed"]): r for r in results}
        for v in variants[1:]:
            for H in hidden:
                a = [by[(variants[0], H, s)] for s in seeds]
                b = [by[(v, H, s)] for s in seeds]
                same = sum((p["accuracy"] == 1) == (q["accuracy"] == 1) for p, q in zip(a, b))
                close = sum(abs(p["final_loss"] - q["final_loss"]) <= 1e-3 for p, q in zip(a, b))
                print(
                    f"{variants[0]} vs {v}, hidden {H}: same success verdict {same}/{len(seeds)}, "
                    f"final loss within 1e-3 {close}/{len(seeds)}"
                )
    if args.json:
        meta = dict(torch=torch.__version__, threads=torch.get_num_threads(), epochs=args.epochs,
                    lr=args.lr, seeds=seeds)
        timings = [dict(variant=v, hidden=H, wall_s=w, successes=ok, runs=n, median_final_loss=m)
                   for v, H, w, ok, n, m in rows]
        with open(args.json, "w") as f:
            json.dump(dict(meta=meta, timings=timings, runs=results), f, indent=1)


if __name__ == "__main__":
    main()
