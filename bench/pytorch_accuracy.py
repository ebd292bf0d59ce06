#!/usr/bin/env python3
"""The seed CNN (cnn preset, k=3) trained in PyTorch on a pack file, for comparing accuracy with
cnnlab's own run of the same recipe (Adam 1e-3, batch 64, all training images, no validation
split, no early stopping). Prints test accuracy and loss after every epoch. Needs Debian's
python3-torch (and numpy).

    /usr/bin/python3 bench/pytorch_accuracy.py PACK [EPOCHS [SEED]]
    build/cnnlab train --data PACK --model cnn --epochs EPOCHS --val-fraction 0 --patience 0 \\
        --threads 1 --seed SEED --out runs/compare        # the same recipe in cnnlab
"""
import struct, sys, numpy as np, torch, torch.nn as nn
torch.set_num_threads(1)
buf = open(sys.argv[1], 'rb').read()
C, H, W, K, ntr, nte, T = struct.unpack('<7I', buf[16:44])
I = C*H*W; o = 64 + T
ytr = np.frombuffer(buf, np.uint8, ntr, o); o += ntr
xtr = np.frombuffer(buf, np.uint8, ntr*I, o).reshape(ntr, C, H, W); o += ntr*I
yte = np.frombuffer(buf, np.uint8, nte, o); o += nte
xte = np.frombuffer(buf, np.uint8, nte*I, o).reshape(nte, C, H, W)
xtr = torch.tensor(xtr, dtype=torch.float32)/255; ytr = torch.tensor(ytr, dtype=torch.long)
xte = torch.tensor(xte, dtype=torch.float32)/255; yte = torch.tensor(yte, dtype=torch.long)
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
