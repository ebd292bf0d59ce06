#!/usr/bin/env python3
"""The seed CNN (cnn preset, k=3) trained in PyTorch on a pack file, for comparing accuracy with
cnnlab's own run of the same recipe (Adam 1e-3, batch 64, all training images, no validation
split, no early stopping). Prints test accuracy and loss after every epoch. Needs Debian's
python3-torch (and numpy).

    /usr/bin/python3 bench/pytorch_accuracy.py PACK [EPOCHS [SEED]]
    build/cnnlab train --data PACK --model cnn --epochs EPOCHS --val-fraction 0 --patience 0 \\
        --threads 1 --seed SEED --out runs/compare        # the same recipe in cnnlab
"""
import sys

import torch
import torch.nn as nn

from pack_tensors import load_pack

torch.set_num_threads(1)
xtr, ytr, xte, yte = load_pack(sys.argv[1])
torch.manual_seed(int(sys.argv[3]) if len(sys.argv)>3 else 0)
m = nn.Sequential(nn.Conv2d(3,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32,64,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64*8*8,128), nn.ReLU(), nn.Linear(128,10))
opt = torch.optim.Adam(m.parameters(), 1e-3)
for ep in range(int(sys.argv[2]) if len(sys.argv) > 2 else 4):
    m.train(); perm = torch.randperm(len(ytr))
    for i in range(0, len(ytr), 64):
        idx = perm[i:i+64]; opt.zero_grad()
        nn.functional.cross_entropy(m(xtr[idx]), ytr[idx]).backward(); opt.step()
    m.eval()
    with torch.no_grad(): out = m(xte); acc = (out.argmax(1)==yte).float().mean().item(); l = nn.functional.cross_entropy(out, yte).item()
    print('torch epoch', ep+1, 'test acc %.4f loss %.4f' % (acc, l), flush=True)
