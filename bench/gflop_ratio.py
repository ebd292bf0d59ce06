#!/usr/bin/env python3
"""How close end-to-end training comes to the GEMM's speed: for each preset, training GFLOP/s
(images/s from `cnnlab bench` x FLOPs per training image) divided by the dispatched GEMM's
GFLOP/s on the square 512 product (`bench_gemm --mean`), same build, same thread count, same
run; both are means over their measuring time, so the ratio holds on a machine busy with other
work only as far as the load stays the same between the two (run it a few times).

    python3 bench/gflop_ratio.py [--build build] [--threads 2] [--models mlp,cnn3,cnn5,cnn7]
                                 [--seconds 2] [--rounds 3]
    python3 bench/gflop_ratio.py --build build-wasm --threads 1     (WebAssembly under node)

FLOPs per training image = 2 x (forward + weight-gradient + input-gradient multiply-accumulates)
of the conv2d and dense layers, each of the three passes having the forward's MAC count (from
`cnnlab summary`); the first layer computes no input gradient (the image needs none). Pooling,
ReLU, loss and the optimiser are not counted as FLOPs, only as time, so the ratio says how much
of the step's time goes to anything but the products, and how fast the products run in place.
The FLOPs are those of the direct convolution: a layer that runs as Winograd convolution does
fewer multiply-adds (4.0 to 7.8 times fewer for k = 3 to 7 on 16 x 16 maps), so its ratio can
pass 1, and then says how far the algorithm's saving carries past the GEMM's own speed.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys


def tool(build, name):
    """The command that runs a build's tool: native executable, or node on the wasm build's .js."""
    for path in (os.path.join(build, name), os.path.join(build, "bench", name)):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return [path]
        if os.path.isfile(path + ".js"):
            return ["node", "--no-experimental-fetch", path + ".js"]
    sys.exit(f"gflop_ratio.py: no {name} (or {name}.js) in {build}: build it first")


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def training_flops_per_image(cnnlab, model, kernel):
    """2 x MACs of the three passes over the layers with weights, from the summary table."""
    args = ["summary", "--model", model] + (["--kernel", str(kernel)] if kernel else [])
    rows = []
    for line in run(cnnlab + args).splitlines():
        m = re.match(r"\s*(\d+)\s+(\w+)\s.*?([\d,]+)\s+([\d,]+)\s*$", line)
        if m and m.group(2) in ("conv2d", "dense"):
            rows.append(int(m.group(4).replace(",", "")))
    if not rows:
        sys.exit(f"gflop_ratio.py: no conv2d/dense rows in `cnnlab {' '.join(args)}`")
    macs = sum(rows) * 3 - rows[0]  # the first layer: no input gradient
    return 2.0 * macs


def gemm_gflops(bench_gemm, threads, seconds):
    # --mean: the mean rate over the measuring time, as `cnnlab bench` measures (bench_gemm's
    # default, the best run's rate, would compare a burst with an average on a busy machine).
    out = run(bench_gemm + ["--shape", "square 512", "--threads", str(threads),
                            "--seconds", str(seconds), "--mean"])
    dispatched = re.search(r"dispatch uses (\S+)", out).group(1)
    header = next(l for l in out.splitlines() if l.startswith("shape"))
    row = next(l for l in out.splitlines() if l.startswith("square 512"))
    columns = re.findall(r"(\S+)/(\d+)t", header)
    rates = [float(v) for v in row.split()[-len(columns):]]
    for (name, t), rate in zip(columns, rates):
        if name == dispatched and int(t) == threads:
            return dispatched, rate
    sys.exit(f"gflop_ratio.py: bench_gemm printed no {dispatched} column for {threads} thread(s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", help="native build or Emscripten build folder")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="mlp,cnn3,cnn5,cnn7")
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per figure")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of GEMM, models, GEMM; medians of the rounds are printed")
    args = parser.parse_args()
    cnnlab, bench_gemm = tool(args.build, "cnnlab"), tool(args.build, "bench_gemm")
    flops = {}
    per_model = {}  # name -> [(images/s, GFLOP/s, ratio)] per round
    gemms = []
    for _ in range(args.rounds):
        variant, before = gemm_gflops(bench_gemm, args.threads, args.seconds)
        bench = json.loads(run(cnnlab + ["bench", "--json", "--models", args.models, "--threads",
                                         str(args.threads), "--seconds", str(args.seconds)]))
        _, after = gemm_gflops(bench_gemm, args.threads, args.seconds)
        gemm = (before + after) / 2  # the GEMM's rate around this round's models
        gemms.append(gemm)
        for row in bench:
            name = row["model"] + (str(row["kernel"]) if row["kernel"] else "")
            if name not in flops:
                flops[name] = training_flops_per_image(cnnlab, row["model"], row["kernel"])
            rate = row["train_images_per_s"] * flops[name] / 1e9
            per_model.setdefault(name, []).append((row["train_images_per_s"], rate, rate / gemm))
    median = statistics.median
    print(f"GEMM {variant}, square 512, {args.threads} thread(s): {median(gemms):.1f} GFLOP/s "
          f"(median of {args.rounds} rounds, each the mean before and after the models)")
    print(f"{'model':<6} {'MFLOP/img':>10} {'train img/s':>12} {'GFLOP/s':>8} {'/ GEMM':>7}  rounds")
    for name, rows in per_model.items():
        ratios = " ".join(f"{r[2]:.2f}" for r in rows)
        print(f"{name:<6} {flops[name] / 1e6:>10.1f} {median(r[0] for r in rows):>12.0f} "
              f"{median(r[1] for r in rows):>8.1f} {median(r[2] for r in rows):>7.2f}  {ratios}")


if __name__ == "__main__":
    main()
