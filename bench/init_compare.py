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
from torch_recipe import train_epochs

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
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    for ep, acc, _loss in train_epochs(m, xtr, ytr, xte, yte, epochs):
        print(init, 'epoch', ep, 'test acc %.4f' % acc, flush=True)
