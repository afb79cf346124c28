#!/usr/bin/env python3
"""The lecture notes' printed yhat tables, recomputed with PyTorch on this CPU, compared with
sweeplab's `experiments/lecture_tables.yaml` (issue #6, `init: torch`); plus a bit-level check of
the Adam formula assumed by src/train/torch_adam.rs.

Tables (code as the notes in ../shared/seeds/ write it, run on the CPU instead of cuda:0):
  000      torch.manual_seed(4), RNNCell(4,2) + Linear(2,4), AbAcAd x50, 200 epochs, Adam lr 0.1;
           loss = sum of per-step CrossEntropyLoss / L; yhat from a fresh step loop after training
  002 (2)  torch.manual_seed(43052), RNNCell(7,8) + Linear(8,7), hi?hello!! x100, 100 epochs
  002 (5)  torch.manual_seed(43052), LSTMCell(7,4) + Linear(4,7), same
Note 002 prints `soft(output)` of the LAST EPOCH'S forward pass, i.e. before its update (99
updates); sweeplab stores the trained model's (100 updates). Both torch versions are computed
("printed" and "trained") and sweeplab is compared with each.

Adam check: torch.optim.Adam (CPU, default single-tensor path) is stepped on random tensors and
each of m, v, p is compared bit for bit with candidate float32 formulas computed in numpy (fmaf
from libm): with and without the fused multiply-adds that src/train/torch_adam.rs assumes for
lerp_ and addcmul_, and with numpy's (IEEE) sqrt vs torch's own. Then torch's float32 sqrt, tanh,
sigmoid and exp are compared with correctly rounded values.

Run (from the repository root; torch in a virtualenv outside the repo):
  target/release/sweeplab sweep experiments/lecture_tables.yaml --out /tmp/lt --force
  /work/torch-venv/bin/python bench/torch_lecture_tables.py --sweeplab /tmp/lt [--threads 1]
  /work/torch-venv/bin/python bench/torch_lecture_tables.py --adam-only      # the Adam check only
"""

import argparse
import csv
import ctypes
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:
    sys.exit(
        f"torch_lecture_tables.py needs PyTorch and numpy ({e}) for {sys.executable}.\n"
        "Install them into a virtualenv outside the repository, e.g.\n"
        "  python3 -m venv /work/torch-venv && /work/torch-venv/bin/pip install torch numpy\n"
        "and run /work/torch-venv/bin/python bench/torch_lecture_tables.py"
    )

soft = torch.nn.Softmax(dim=1)

# The notes' printed values.
NOTE000_HEAD = [  # yhat[0:3]
    [2.1032e-03, 7.4842e-01, 2.4849e-01, 9.8890e-04],
    [9.9601e-01, 6.1446e-05, 3.9266e-03, 2.8410e-09],
    [5.0120e-05, 2.2370e-02, 9.7758e-01, 2.4300e-07],
]
NOTE000_TAIL = [  # yhat[-3:]
    [5.0229e-05, 2.2415e-02, 9.7753e-01, 2.4398e-07],
    [9.9858e-01, 9.3154e-05, 1.3903e-08, 1.3301e-03],
    [2.2350e-05, 1.9198e-02, 1.1779e-07, 9.8078e-01],
]
NOTE002_2 = [  # yhat[:10].round(3)
    [0.0, 0.005, 0.008, 0.972, 0.014, 0.001, 0.0],
    [0.0, 0.997, 0.002, 0.0, 0.0, 0.001, 0.0],
    [0.0, 0.001, 0.999, 0.0, 0.001, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.999, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
    [0.0, 0.001, 0.0, 0.0, 0.0, 0.999, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    [0.999, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001],
    [0.999, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.001, 0.998, 0.0, 0.0, 0.0, 0.0],
]
NOTE002_5 = [  # yhat[:10].round(3), a GPU run
    [0.0, 0.014, 0.084, 0.081, 0.822, 0.0, 0.0],
    [0.002, 0.91, 0.0, 0.083, 0.003, 0.0, 0.001],
    [0.001, 0.0, 0.999, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.001, 0.005, 0.072, 0.917, 0.004, 0.0],
    [0.0, 0.0, 0.004, 0.0, 0.001, 0.995, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.999, 0.001],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.999],
    [0.998, 0.001, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.99, 0.0, 0.006, 0.001, 0.0, 0.003, 0.0],
    [0.007, 0.0, 0.992, 0.0, 0.0, 0.001, 0.0],
]


# ---------------------------------------------------------------------------------------------
# The three tables, as the notes write them.


def note000():
    """Note 000, section B (구현1 - RNNCell)."""
    txt = list("AbAcAd" * 50)
    mapping = {"A": 0, "b": 1, "c": 2, "d": 3}
    x = torch.tensor([mapping[c] for c in txt[:-1]])
    y = torch.tensor([mapping[c] for c in txt[1:]])
    X = torch.nn.functional.one_hot(x).float()
    y = torch.nn.functional.one_hot(y).float()
    torch.manual_seed(4)
    rnncell = torch.nn.RNNCell(4, 2)
    cook = torch.nn.Linear(2, 4)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizr = torch.optim.Adam(list(rnncell.parameters()) + list(cook.parameters()), lr=0.1)
    L = len(X)
    for epoc in range(200):
        loss = 0
        ht = torch.zeros(2)
        for t in range(L):
            Xt, yt = X[t], y[t]
            ht = rnncell(Xt, ht)
            ot = cook(ht)
            loss = loss + loss_fn(ot, yt)
        loss = loss / L
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
    h = torch.zeros(L, 2)
    water = torch.zeros(2)
    h[0] = rnncell(X[0], water)
    for t in range(1, L):
        h[t] = rnncell(X[t], h[t - 1])
    yhat = soft(cook(h))
    print(yhat)
    out = cook(h).detach()
    return dict(printed=yhat.detach(), trained=yhat.detach(), h=h.detach(), logits=out,
                final_loss=torch.nn.functional.cross_entropy(out, y.argmax(1)).item(),
                accuracy=(out.argmax(1) == y.argmax(1)).float().mean().item())


def hihello_data():
    txt = list("hi?hello!!") * 100
    txt_x, txt_y = txt[:-1], txt[1:]
    mapping = {"!": 0, "?": 1, "h": 2, "i": 3, "e": 4, "l": 5, "o": 6}
    f = lambda txt, mapping: [mapping[key] for key in txt]
    x = torch.nn.functional.one_hot(torch.tensor(f(txt_x, mapping))).float()
    y = torch.nn.functional.one_hot(torch.tensor(f(txt_y, mapping))).float()
    return x, y


def note002(cell_kind):
    """Note 002 (2) (RNNCell(7,8)) or (5) (LSTMCell(7,4)), on the CPU instead of cuda:0."""
    x, y = hihello_data()
    torch.manual_seed(43052)
    if cell_kind == "rnn":
        cell, H = torch.nn.RNNCell(7, 8), 8
    else:
        cell, H = torch.nn.LSTMCell(7, 4), 4
    linr = torch.nn.Linear(H, 7)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizr = torch.optim.Adam(list(cell.parameters()) + list(linr.parameters()), lr=0.1)

    def forward():
        hidden = []
        ht = torch.zeros(H)
        ct = torch.zeros(H)
        for xt, yt in zip(x, y):
            if cell_kind == "rnn":
                ht = cell(xt, ht)
            else:
                ht, ct = cell(xt, (ht, ct))
            hidden.append(ht)
        hidden = torch.stack(hidden)
        return hidden, linr(hidden)

    for epoc in range(100):
        hidden, output = forward()
        loss = loss_fn(output, y)
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
    yhat = soft(output)  # the last epoch's forward pass, before its update: what the notes print
    print(yhat[:10].to("cpu").detach().numpy().round(3))
    with torch.no_grad():
        h2, out2 = forward()  # the trained model (what sweeplab stores)
    target = y.argmax(1)
    return dict(printed=yhat.detach(), trained=soft(out2), h=h2, h_printed=hidden.detach(),
                logits=out2, final_loss=torch.nn.functional.cross_entropy(out2, target).item(),
                accuracy=(out2.argmax(1) == target).float().mean().item())


# ---------------------------------------------------------------------------------------------
# sweeplab's results


def read_sweeplab(folder):
    """{(dataset, cell, hidden, seed): {"run": row, "prob": [[..]], "h": [[..]]}}."""
    runs = {}
    with open(os.path.join(folder, "runs.csv")) as f:
        for row in csv.DictReader(f):
            key = (row["dataset"], row["cell"], int(row["hidden"]), int(row["seed"]))
            runs[row["run_id"]] = dict(key=key, run=row, prob={}, h={})
    with open(os.path.join(folder, "states.csv")) as f:
        for row in csv.DictReader(f):
            r = runs.get(row["run_id"])
            if r is not None and row["kind"] in ("prob", "h"):
                r[row["kind"]][(int(row["position"]), int(row["index"]))] = float(row["value"])
    out = {}
    for r in runs.values():
        for kind in ("prob", "h"):
            cells = r[kind]
            P = 1 + max(p for p, _ in cells)
            K = 1 + max(k for _, k in cells)
            r[kind] = np.array([[cells[(p, k)] for k in range(K)] for p in range(P)])
        out[r["key"]] = r
    return out


def maxdiff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max())


def compare(tables, folder):
    sw = read_sweeplab(folder)
    keys = {"000": ("AbAcAd", "rnn", 2, 4), "002 (2)": ("hihello", "rnn", 8, 43052),
            "002 (5)": ("hihello", "lstm", 4, 43052)}
    notes = {"000": np.array(NOTE000_HEAD), "002 (2)": np.array(NOTE002_2),
             "002 (5)": np.array(NOTE002_5)}
    print(f"\nsweeplab ({folder}) vs PyTorch-CPU (this run) vs the notes' printed numbers")
    summary = {}
    for name, t in tables.items():
        s = sw[keys[name]]
        P = s["prob"].shape[0]
        tp, tt = t["printed"].numpy()[:P], t["trained"].numpy()[:P]
        n = notes[name]
        rows = len(n)
        d = dict(
            positions=P,
            sweeplab_vs_torch_trained=maxdiff(s["prob"], tt),
            sweeplab_vs_torch_printed=maxdiff(s["prob"], tp),
            sweeplab_h_vs_torch_h=maxdiff(s["h"], t["h"].numpy()[:P]),
            torch_printed_vs_notes=maxdiff(tp[:rows], n),
            sweeplab_vs_notes=maxdiff(s["prob"][:rows], n),
            sweeplab_final_loss=float(s["run"]["final_loss"]),
            torch_final_loss=t["final_loss"],
            sweeplab_accuracy=float(s["run"]["accuracy"]),
            torch_accuracy=t["accuracy"],
        )
        if name == "000":
            d["torch_tail_vs_notes"] = maxdiff(t["printed"].numpy()[-3:], NOTE000_TAIL)
        else:
            # values whose 3-decimal rounding differs from the print (0 = the print reproduced)
            r3 = lambda a: int((np.abs(np.asarray(a, np.float64).round(3) - n) > 1e-9).sum())
            d["torch_printed_round3_mismatches"] = r3(tp[:rows])
            d["torch_trained_round3_mismatches"] = r3(tt[:rows])
            d["sweeplab_round3_mismatches"] = r3(s["prob"][:rows])
        summary[name] = d
        print(f"  note {name} (first {P} positions; notes: first {rows} rows)")
        for k, v in d.items():
            print(f"    {k:36s} {v:.3e}" if isinstance(v, float) else f"    {k:36s} {v}")
    return summary


# ---------------------------------------------------------------------------------------------
# Adam: which float32 formula does torch.optim.Adam (CPU, single-tensor path) compute?

_libm = ctypes.CDLL("libm.so.6")
_libm.fmaf.restype = ctypes.c_float
_libm.fmaf.argtypes = [ctypes.c_float] * 3
_fmaf = np.vectorize(lambda a, b, c: _libm.fmaf(a, b, c), otypes=[np.float32])
f32 = np.float32


def fmaf(a, b, c):
    a, b, c = np.broadcast_arrays(f32(a), f32(b), f32(c))
    return _fmaf(a, b, c).astype(np.float32)


def powi(a, b):
    """compiler-rt's __powidf2: what Rust's f64::powi with a run-time exponent calls."""
    r = 1.0
    while True:
        if b & 1:
            r *= a
        b = int(b / 2)
        if b == 0:
            break
        a *= a
    return r


def adam_check(steps=30, seed=0):
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    w1, b2f, w2 = f32(1 - b1), f32(b2), f32(1 - b2)
    sizes = [1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099]
    gen = torch.Generator().manual_seed(seed)
    ps = [torch.randn(n, generator=gen) for n in sizes]
    opt = torch.optim.Adam(ps, lr=lr)  # defaults: foreach=None, fused=None -> single tensor on CPU
    names = ["m fma(w1,g-m,m)", "m m+w1*(g-m)", "v fma(w2*g,g,v*b2)", "v v*b2+(w2*g)*g",
             "p p+(value*m)/denom", "p fma(value,m/denom,p)", "p ... torch.sqrt(v)",
             "p sweeplab (all of it)", "p sweeplab, torch.sqrt"]
    hits = {k: [0, 0] for k in names}  # [bulk matches, tail matches]
    tot = [0, 0]
    for step in range(1, steps + 1):
        before = []
        for p in ps:
            st = opt.state.get(p, {})
            m0 = st["exp_avg"].numpy().copy() if st else np.zeros(p.numel(), np.float32)
            v0 = st["exp_avg_sq"].numpy().copy() if st else np.zeros(p.numel(), np.float32)
            scale = 10.0 ** torch.empty(1).uniform_(-3, 1, generator=gen).item()
            p.grad = torch.randn(p.numel(), generator=gen) * scale
            before.append((p.detach().numpy().copy(), p.grad.numpy().copy(), m0, v0))
        opt.step()
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        value = f32(-(lr / bc1))
        bc2s = f32(bc2 ** 0.5)
        # sweeplab's Rust: f64::powi and sqrt
        value_rs = f32(-(lr / (1 - powi(b1, step))))
        bc2s_rs = f32((1 - powi(b2, step)) ** 0.5)
        for p, (p0, g, m0, v0) in zip(ps, before):
            n = p.numel()
            tail = np.zeros(n, bool)
            tail[n - n % 32:] = True  # 2 AVX512 vectors per iteration; the rest is scalar code
            st = opt.state[p]
            m1, v1, p1 = st["exp_avg"].numpy(), st["exp_avg_sq"].numpy(), p.detach().numpy()
            d = f32(g - m0)
            cands = {
                "m fma(w1,g-m,m)": (fmaf(w1, d, m0), m1),
                "m m+w1*(g-m)": (f32(m0 + f32(w1 * d)), m1),
            }
            vb = f32(v0 * b2f)
            wg = f32(w2 * g)
            cands["v fma(w2*g,g,v*b2)"] = (fmaf(wg, g, vb), v1)
            cands["v v*b2+(w2*g)*g"] = (f32(vb + f32(wg * g)), v1)
            denom = f32(f32(np.sqrt(v1) / bc2s) + f32(eps))  # from torch's own m1, v1
            cands["p p+(value*m)/denom"] = (f32(p0 + f32(f32(value * m1) / denom)), p1)
            cands["p fma(value,m/denom,p)"] = (fmaf(value, f32(m1 / denom), p0), p1)
            tsqrt = lambda a: torch.from_numpy(np.ascontiguousarray(a)).sqrt().numpy()
            denom_t = f32(f32(tsqrt(v1) / bc2s) + f32(eps))  # torch's own (MKL) sqrt
            cands["p ... torch.sqrt(v)"] = (f32(p0 + f32(f32(value * m1) / denom_t)), p1)
            # sweeplab end to end from the state before the step (torch_adam.rs, line by line)
            ms = fmaf(w1, d, m0)
            vs = fmaf(wg, g, vb)
            den_s = f32(f32(np.sqrt(vs) / bc2s_rs) + f32(eps))
            cands["p sweeplab (all of it)"] = (f32(p0 + f32(f32(value_rs * ms) / den_s)), p1)
            den_st = f32(f32(tsqrt(vs) / bc2s_rs) + f32(eps))
            cands["p sweeplab, torch.sqrt"] = (f32(p0 + f32(f32(value_rs * ms) / den_st)), p1)
            for k, (got, want) in cands.items():
                eq = got.view(np.uint32) == want.view(np.uint32)
                hits[k][0] += int(eq[~tail].sum())
                hits[k][1] += int(eq[tail].sum())
            tot[0] += int((~tail).sum())
            tot[1] += int(tail.sum())
    print(f"\nAdam, one step at a time, {steps} steps, tensor sizes {sizes}: elements that match "
          f"torch bit for bit (bulk = vectorised part, tail = last n % 32, scalar code)")
    for k, (hb, ht) in hits.items():
        print(f"  {k:26s} bulk {hb:6d}/{tot[0]}  tail {ht:5d}/{tot[1]}")
    # Bias corrections: Python's pow vs Rust's powi, over the epochs sweeplab trains
    diff_value = [t for t in range(1, 10001)
                  if f32(-(lr / (1 - b1 ** t))) != f32(-(lr / (1 - powi(b1, t))))]
    diff_bc2 = [t for t in range(1, 10001)
                if f32((1 - b2 ** t) ** 0.5) != f32((1 - powi(b2, t)) ** 0.5)]
    diff_bc2_64 = [t for t in range(1, 10001) if 1 - b2 ** t != 1 - powi(b2, t)]
    print(f"  steps 1..10000 where f32(-lr/(1-b1^t)) differs, pow vs powi: {len(diff_value)} "
          f"(first {diff_value[:8]})")
    print(f"  steps 1..10000 where f32(sqrt(1-b2^t)) differs, pow vs powi: {len(diff_bc2)} "
          f"(first {diff_bc2[:8]}); the f64 1-b2^t differs at {len(diff_bc2_64)} steps")
    return dict(hits={k: dict(bulk=v[0], tail=v[1]) for k, v in hits.items()},
                totals=dict(bulk=tot[0], tail=tot[1]),
                pow_vs_powi=dict(step_value_f32=len(diff_value), first_value=diff_value[:20],
                                 bc2_sqrt_f32=len(diff_bc2), first_bc2=diff_bc2[:20],
                                 bc2_f64=len(diff_bc2_64)))


def elementwise_check():
    """torch's float32 sqrt (Adam's denominator) and the cells' activations vs IEEE rounding."""
    a = np.arange(np.float32(1).view(np.int32), np.float32(4).view(np.int32),
                  dtype=np.int32).view(np.float32)  # every float32 in [1, 4)
    got = torch.from_numpy(a).sqrt().numpy()
    ieee = np.sqrt(a)  # correctly rounded
    miss = got != ieee
    one_ulp = np.abs(got.view(np.int32) - ieee.view(np.int32)).max()
    b = (a * 4).astype(np.float32)  # exact
    scale = bool(np.array_equal(torch.from_numpy(b).sqrt().numpy(), got * 2))
    print(f"\ntorch.sqrt(float32) vs correctly rounded sqrt, all {a.size} floats in [1, 4): "
          f"{miss.mean():.4%} differ (at most {one_ulp} ulp; [1,2) {miss[a < 2].mean():.2%}, "
          f"[2,4) {miss[a >= 2].mean():.2%}); sqrt(4x) == 2 sqrt(x) for all of them: {scale}")
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(1 << 16, generator=gen) * 2
    zd = z.numpy().astype(np.float64)
    out = dict(sqrt_mismatch=float(miss.mean()), sqrt_scale_invariant=scale)
    for name, fn, ref in [("tanh", torch.tanh, np.tanh),
                          ("sigmoid", torch.sigmoid, lambda v: 1 / (1 + np.exp(-v))),
                          ("exp", torch.exp, np.exp)]:
        g, w = fn(z).numpy(), ref(zd).astype(np.float32)
        ulp = int(np.abs(g.view(np.int32).astype(np.int64) - w.view(np.int32)).max())
        print(f"torch.{name}(float32), 65536 N(0, 4) values: {(g == w).mean():.4%} correctly "
              f"rounded, at most {ulp} ulp off")
        out[name + "_correct"] = float((g == w).mean())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sweeplab", help="results folder of experiments/lecture_tables.yaml")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--adam-only", action="store_true", help="only the Adam check")
    ap.add_argument("--no-adam", action="store_true", help="skip the Adam check")
    ap.add_argument("--json", help="write the numbers to this file")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"cpu capability {torch.backends.cpu.get_cpu_capability()}")
    report = dict(torch=torch.__version__, threads=torch.get_num_threads())
    if not args.adam_only:
        tables = {}
        for name, fn in [("000", note000), ("002 (2)", lambda: note002("rnn")),
                         ("002 (5)", lambda: note002("lstm"))]:
            print(f"\nnote {name}:")
            t0 = time.perf_counter()
            tables[name] = fn()
            print(f"  ({time.perf_counter() - t0:.1f} s; final loss {tables[name]['final_loss']:.6g},"
                  f" accuracy {tables[name]['accuracy']:.6f})")
        report["tables"] = {k: dict(printed_first10=v["printed"][:10].tolist(),
                                    trained_first10=v["trained"][:10].tolist(),
                                    final_loss=v["final_loss"], accuracy=v["accuracy"])
                            for k, v in tables.items()}
        if args.sweeplab:
            report["comparison"] = compare(tables, args.sweeplab)
    if not args.no_adam:
        report["adam"] = adam_check()
        report["elementwise"] = elementwise_check()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
