"""Framing event-file records: tb-regloss' `record_files.frame` against TensorBoard's own writer code.

Frames the same records (3,000 records of 40 to 400 bytes, like the points
of a run with many terms) with `tb_regloss.record_files.frame` and with
TensorBoard's TensorFlow-free record writer (its Python CRC-32C), alternating
the two over rounds; prints each one's median time and the ratio, wall and
CPU time. The bytes must be identical.

Usage: python bench/record_files.py [--rounds 15]
"""

import argparse
import io
import statistics
import struct
import time

import numpy as np
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as tensorboard_crc

from tb_regloss import record_files


def tensorboard_frame(records):
    """Frames as TensorBoard's `RecordWriter` does without TensorFlow."""
    out = io.BytesIO()
    for record in records:
        header = struct.pack("<Q", len(record))
        out.write(header + struct.pack("<I", tensorboard_crc(header)) + record
                  + struct.pack("<I", tensorboard_crc(record)))
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    records = [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in rng.integers(40, 400, 3000)]
    assert record_files.frame(records) == tensorboard_frame(records)
    times = {"record_files.frame": [], "TensorBoard's Python CRC": []}
    for _ in range(args.rounds):
        for (name, frame) in zip(times, (record_files.frame, tensorboard_frame)):
            wall, cpu = time.perf_counter(), time.process_time()
            frame(records)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    size = sum(map(len, records))
    print(f"{len(records)} records, {size / 1e3:.0f} kB, {args.rounds} rounds (median, min-max; wall / CPU)")
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        print(f"  {name:28s} {statistics.median(walls) * 1e3:8.2f} ms ({min(walls) * 1e3:.2f}-{max(walls) * 1e3:.2f})"
              f" / CPU {statistics.median(c for _, c in runs) * 1e3:.2f} ms")
    ours, theirs = ([w for w, _ in runs] for runs in times.values())
    print(f"  ratio record_files / TensorBoard: {statistics.median(o / t for o, t in zip(ours, theirs)):.4f}")


if __name__ == "__main__":
    main()
