"""GPU claims: dense matmul throughput against the vendor's datasheet, and fused attention
(PyTorch SDPA's flash backend) against naive attention at a long sequence.

    python gpu_bench.py matmul [--dtype bf16|fp16] [--size 8192]
    python gpu_bench.py attention [--seq 8192]

matmul prints tflops, datasheet_tflops and fraction_of_datasheet for the detected GPU (dense, no
sparsity; figures from NVIDIA's datasheets, listed below); attention prints naive_ms, flash_ms and
speedup. Exits 3 with a message when no CUDA GPU is visible or the GPU is not in the table.
"""

from __future__ import annotations

import argparse
import re
import sys

import torch

# Dense (non-sparse) tensor-core peak, TFLOP/s, BF16 = FP16, from NVIDIA's product datasheets (their
# "with sparsity" figures halved where the sheet gives only those).
DATASHEET_TFLOPS = {
    "H200": 989.5,  # H200 SXM
    "H100 80GB HBM3": 989.5,  # H100 SXM5
    "H100 SXM": 989.5,
    "H100 PCIe": 756.5,
    "H100 NVL": 835.5,
    "A100": 312.0,
    "L40S": 362.05,
    "L40": 181.05,
    "L4": 121.0,
    "A10": 125.0,
    "RTX 4090": 165.2,
    "V100": 125.0,  # FP16 only
}


def datasheet(name: str) -> float | None:
    """The figure for a device name as CUDA reports it ("NVIDIA H100 80GB HBM3"); the most specific
    key wins, and keys match whole words, so an A10G is not taken for an A10 nor an L40 for an L4."""
    for key, value in sorted(DATASHEET_TFLOPS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w])", name):
            return value
    return None


def timed(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds per call, on CUDA events."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def matmul(dtype: torch.dtype, size: int) -> None:
    name = torch.cuda.get_device_name(0)
    peak = datasheet(name)
    if peak is None:
        sys.exit(f"no datasheet figure for {name!r}; add it to DATASHEET_TFLOPS")
    a = torch.randn(size, size, device="cuda", dtype=dtype)
    b = torch.randn(size, size, device="cuda", dtype=dtype)
    ms = timed(lambda: a @ b, 50)
    tflops = 2 * size**3 / (ms / 1000) / 1e12
    print(f"gpu: {name}")
    print(f"LEANWATCH_METRIC tflops={tflops:.1f}")
    print(f"LEANWATCH_METRIC datasheet_tflops={peak:.1f}")
    print(f"LEANWATCH_METRIC fraction_of_datasheet={tflops / peak:.3f}")


def attention(seq: int, batch: int = 4, heads: int = 16, dim: int = 64) -> None:
    from torch.nn.attention import SDPBackend, sdpa_kernel

    q, k, v = (torch.randn(batch, heads, seq, dim, device="cuda", dtype=torch.float16) for _ in range(3))

    def naive() -> torch.Tensor:
        weights = (q @ k.transpose(-2, -1)) * dim**-0.5
        return weights.softmax(-1) @ v

    def flash() -> torch.Tensor:
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            return torch.nn.functional.scaled_dot_product_attention(q, k, v)

    torch.testing.assert_close(naive(), flash(), atol=2e-2, rtol=2e-2)  # the same attention, or no claim
    naive_ms, flash_ms = timed(naive, 20), timed(flash, 20)
    print(
        f"gpu: {torch.cuda.get_device_name(0)}; batch {batch}, heads {heads}, seq {seq}, head dim {dim}, fp16"
    )
    print(f"LEANWATCH_METRIC naive_ms={naive_ms:.3f}")
    print(f"LEANWATCH_METRIC flash_ms={flash_ms:.3f}")
    print(f"LEANWATCH_METRIC speedup={naive_ms / flash_ms:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("claim", choices=["matmul", "attention"])
    parser.add_argument("--dtype", choices=["bf16", "fp16"], default="bf16")
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--seq", type=int, default=8192)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit(3)
    torch.manual_seed(0)
    if args.claim == "matmul":
        matmul(torch.bfloat16 if args.dtype == "bf16" else torch.float16, args.size)
    else:
        attention(args.seq)


if __name__ == "__main__":
    main()
