#!/usr/bin/env python3
"""Why cnnlab initialises like PyTorch: trains the mlp preset's network in PyTorch on a pack file
twice — PyTorch's default init (Kaiming uniform, a = sqrt 5) and plain He uniform (biases 0) — and
prints test accuracy per epoch for each. Needs Debian's python3-torch (and numpy).

    /usr/bin/python3 bench/init_compare.py PACK [EPOCHS]     e.g. a 10k pack from `cnnlab pack`
"""
import sys

import torch
import torch.nn as nn

from pack_tensors import load_pack

torch.set_num_threads(1)
xtr, ytr, xte, yte = load_pack(sys.argv[1])
def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(3072, 512), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))
for init in ("default", "he"):
    torch.manual_seed(0)
    m = mlp()
    if init == 'he':
        for l in m:
            if isinstance(l, nn.Linear):
                nn.init.kaiming_uniform_(l.weight, nonlinearity='relu'); nn.init.zeros_(l.bias)
    opt = torch.optim.Adam(m.parameters(), 1e-3)
    for ep in range(int(sys.argv[2]) if len(sys.argv) > 2 else 4):
        m.train(); perm = torch.randperm(len(ytr))
        for i in range(0, len(ytr), 64):
            idx = perm[i:i+64]; opt.zero_grad()
            nn.functional.cross_entropy(m(xtr[idx]), ytr[idx]).backward(); opt.step()
        m.eval()
        with torch.no_grad(): acc = (m(xte).argmax(1) == yte).float().mean().item()
        print(init, 'epoch', ep + 1, 'test acc %.4f' % acc, flush=True)
