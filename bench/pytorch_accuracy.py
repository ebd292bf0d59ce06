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
from torch_recipe import train_epochs

torch.set_num_threads(1)
xtr, ytr, xte, yte = load_pack(sys.argv[1])
torch.manual_seed(int(sys.argv[3]) if len(sys.argv)>3 else 0)
m = nn.Sequential(nn.Conv2d(3,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32,64,3,padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64*8*8,128), nn.ReLU(), nn.Linear(128,10))
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
for ep, acc, l in train_epochs(m, xtr, ytr, xte, yte, epochs):
    print('torch epoch', ep, 'test acc %.4f loss %.4f' % (acc, l), flush=True)
