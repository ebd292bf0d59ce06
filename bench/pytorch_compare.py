#!/usr/bin/env python3
"""Runs the same models in cnnlab and in PyTorch (CPU) on this machine and prints both speeds and
their ratio from one run: training (forward, loss, backward, Adam step) and inference images/s at
the same batch size and thread count, on random CIFAR-shaped input.

    python3 bench/pytorch_compare.py [--cnnlab build/cnnlab] [--threads 2] [--batch 64]

PyTorch comes from Debian (`bash scripts/setup.sh --bench` installs python3-torch and libopenblas0-pthread); without it the
script prints cnnlab's figures and says PyTorch is missing. Models, as in cnnlab's presets:
mlp 3072-512-256-10 (dropout 0.3), cnn k=3/5/7 conv32-pool-conv64-pool-fc128-fc10.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def reexec_with_debian_python():
    """Debian's python3-torch lives in /usr/bin/python3's site-packages; a pyenv or venv python3
    earlier on PATH would not see it."""
    if os.environ.get("CNNLAB_NO_REEXEC") or sys.executable == "/usr/bin/python3":
        return
    if os.path.exists("/usr/bin/python3"):
        os.environ["CNNLAB_NO_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)


try:
    import torch
    import torch.nn as nn
except ImportError:
    reexec_with_debian_python()
    torch = None


def torch_model(name, kernel):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(3072, 512), nn.ReLU(), nn.Dropout(0.3),
                             nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))
    p = kernel // 2  # odd kernels: PyTorch padding k//2 == TensorFlow 'same'
    return nn.Sequential(nn.Conv2d(3, 32, kernel, padding=p), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, kernel, padding=p), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))


def per_second(fn, seconds):
    for _ in range(3):
        fn()
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return calls / elapsed


def bench_torch(name, kernel, batch, seconds):
    torch.manual_seed(0)
    model = torch_model(name, kernel)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def train_step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    model.train()
    train = batch * per_second(train_step, seconds)
    model.eval()
    with torch.no_grad():
        infer = batch * per_second(lambda: model(x), seconds)
    return train, infer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cnnlab", default=os.environ.get("CNNLAB_EXE", "build/cnnlab"),
                    help="the cnnlab executable (default build/cnnlab)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=3.0, help="measuring time per figure")
    ap.add_argument("--models", default="mlp,cnn3,cnn5,cnn7")
    args = ap.parse_args()

    exe = args.cnnlab if os.path.exists(args.cnnlab) else shutil.which(args.cnnlab)
    if not exe:
        sys.exit(f"pytorch_compare: cnnlab not found at {args.cnnlab} (build it, or pass --cnnlab)")
    out = subprocess.run([exe, "bench", "--json", "--models", args.models, "--threads",
                          str(args.threads), "--batch", str(args.batch), "--seconds",
                          str(args.seconds)], check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)

    if torch is None:
        print("PyTorch is not installed (bash scripts/setup.sh --bench installs Debian's "
              "python3-torch and libopenblas0-pthread); cnnlab's figures only.")
    else:
        torch.set_num_threads(args.threads)
        print(f"PyTorch {torch.__version__}, {args.threads} thread(s); cnnlab kernels: "
              f"{rows[0].get('kernels', '?')}")
    print(f"batch {args.batch}, images/s (higher is better)\n")
    header = f"{'model':<8}{'cnnlab train':>14}{'torch train':>13}{'ratio':>7}" \
             f"{'cnnlab infer':>14}{'torch infer':>13}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        name = r["model"] + (str(r["kernel"]) if r["kernel"] else "")
        if torch is None:
            print(f"{name:<8}{r['train_images_per_s']:>14.0f}{'-':>13}{'-':>7}"
                  f"{r['infer_images_per_s']:>14.0f}{'-':>13}{'-':>7}")
            continue
        tt, ti = bench_torch(r["model"], r["kernel"] or 3, args.batch, args.seconds)
        print(f"{name:<8}{r['train_images_per_s']:>14.0f}{tt:>13.0f}"
              f"{r['train_images_per_s'] / tt:>7.2f}{r['infer_images_per_s']:>14.0f}{ti:>13.0f}"
              f"{r['infer_images_per_s'] / ti:>7.2f}")


if __name__ == "__main__":
    main()
