"""Reads a cnnlab pack file (docs/pack-format.md) into PyTorch tensors for the bench scripts that
train the same networks in PyTorch: images scaled to [0, 1] as cnnlab does by default.

    from pack_tensors import load_pack
    x_train, y_train, x_test, y_test = load_pack(path)   # (N, C, H, W) float32, (N,) int64
"""
import struct

import numpy as np
import torch


def load_pack(path):
    buf = open(path, 'rb').read()
    channels, height, width, _classes, n_train, n_test, names_bytes = struct.unpack('<7I', buf[16:44])
    image = channels * height * width
    offset = 64 + names_bytes  # header, then the class names

    def take(count, shape):
        nonlocal offset
        a = np.frombuffer(buf, np.uint8, count, offset).reshape(shape)
        offset += count
        return a

    y_train = take(n_train, (n_train,))
    x_train = take(n_train * image, (n_train, channels, height, width))
    y_test = take(n_test, (n_test,))
    x_test = take(n_test * image, (n_test, channels, height, width))
    as_x = lambda a: torch.tensor(a, dtype=torch.float32) / 255
    as_y = lambda a: torch.tensor(a, dtype=torch.long)
    return as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test)
