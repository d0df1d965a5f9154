"""Int8 dynamic quantization against float32 on a model trained here, on scikit-learn's bundled
handwritten digits (1,797 8x8 images; no download).

Trains a 3-layer MLP with the run's seed, then quantizes its Linear layers to int8 with PyTorch's
dynamic quantization and measures, on the held-out 30%: accuracy of both (percent), the drop in
points, the serialized size ratio (float32 / int8) and the CPU latency ratio over the test set.

    python int8_dynamic.py [--epochs 30]
"""

from __future__ import annotations

import argparse
import io
import os
import time
import warnings

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn


def size_bytes(model: nn.Module) -> int:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean()) * 100


def latency(model: nn.Module, x: torch.Tensor, repeats: int = 200) -> float:
    with torch.no_grad():
        for _ in range(10):
            model(x)
        started = time.perf_counter()
        for _ in range(repeats):
            model(x)
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    seed = int(os.environ.get("LEANWATCH_SEED", "0"))
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # latency ratios comparable across machines and runs
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.3, random_state=seed, stratify=digits.target
    )
    x_train, x_test = torch.tensor(x_train, dtype=torch.float32), torch.tensor(x_test, dtype=torch.float32)
    y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)
    model = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(args.epochs):
        for batch in torch.randperm(len(x_train)).split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice, not a result
        quantized = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    fp32, int8 = accuracy(model, x_test, y_test), accuracy(quantized, x_test, y_test)
    print(f"LEANWATCH_METRIC accuracy_fp32={fp32:.3f}")
    print(f"LEANWATCH_METRIC accuracy_int8={int8:.3f}")
    print(f"LEANWATCH_METRIC accuracy_drop_points={fp32 - int8:.3f}")
    print(f"LEANWATCH_METRIC size_ratio={size_bytes(model) / size_bytes(quantized):.3f}")
    print(f"LEANWATCH_METRIC speedup={latency(model, x_test) / latency(quantized, x_test):.3f}")


if __name__ == "__main__":
    main()
