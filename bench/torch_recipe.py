"""The seeds' training recipe in PyTorch, for the bench scripts that compare with cnnlab: Adam 1e-3,
batch 64, every training image once per epoch in a fresh random order (torch's global seed), no
validation split, no early stopping.

    from torch_recipe import train_epochs
    for epoch, accuracy, loss in train_epochs(model, x_train, y_train, x_test, y_test, epochs):
        ...                                   # test accuracy (fraction) and loss after each epoch
"""
import torch
import torch.nn as nn


def train_epochs(model, x_train, y_train, x_test, y_test, epochs, batch=64, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr)
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(y_train))
        for start in range(0, len(y_train), batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x_train[idx]), y_train[idx]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            out = model(x_test)
            accuracy = (out.argmax(1) == y_test).float().mean().item()
            loss = nn.functional.cross_entropy(out, y_test).item()
        yield epoch, accuracy, loss
