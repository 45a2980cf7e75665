"""Writing a point of many scalar series: `EventWriter.write_row`'s byte templates against protobuf messages.

A point of `--terms` series (300 by default, a ResNet50-sized model's
penalties) is written `--points` times with the same tags, as
`RegLossCallback(update_freq="batch")` does, in two ways:

- ``EventWriter.write_row``: each tag's bytes serialized once, each later
  point kept as its values until the flush, which fills copies of the
  first point's bytes with them (the flush is timed with the writes);
- protobuf messages: an ``Event`` with one ``Summary.Value`` per series,
  built field by field and serialized, as ``tf.summary`` builds them without
  TensorFlow (the same bytes but for the wall time).

Both append to an event file (the same `record_files` framing, in a
temporary folder); the variants alternate over rounds. Prints each one's
median time per point (wall and CPU, min-max) and the ratio.

Usage: python bench/event_writer.py [--terms 300] [--points 200] [--rounds 9]
"""

import argparse
import statistics
import tempfile
import time

import numpy as np
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.compat.proto import tensor_pb2
from tensorboard.compat.proto import tensor_shape_pb2
from tensorboard.compat.proto import types_pb2
from tensorboard.plugins.scalar import metadata as scalar_metadata

from tb_regloss import record_files
from tb_regloss.event_writer import EventWriter


def _templates(writer, tags, points):
    for step, row in enumerate(points):
        writer.write_row(step, tags, row, {})
    writer.flush()


def _messages(path, tags, points):
    metadata = scalar_metadata.create_summary_metadata(None, None)
    with open(path, "ab") as f:
        for step, row in enumerate(points):
            values = [summary_pb2.Summary.Value(
                tag=tag, metadata=metadata,
                tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT,
                                              tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                              float_val=[float(value)]))
                for tag, value in zip(tags, row)]
            event = event_pb2.Event(wall_time=time.time(), step=step, summary=summary_pb2.Summary(value=values))
            f.write(record_files.frame([event.SerializeToString()]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=300)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    tags = tuple(f"regloss/penalty/block_{i}/conv/kernel" for i in range(args.terms))
    points = np.random.default_rng(0).random((args.points, args.terms)).astype("float32")
    times = {"EventWriter.write_row": [], "protobuf messages": []}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for name in times:
                wall, cpu = time.perf_counter(), time.process_time()
                if name == "EventWriter.write_row":
                    _templates(EventWriter(f"{folder}/{round_}"), tags, points)
                else:
                    _messages(f"{folder}/messages.{round_}", tags, points)
                times[name].append(((time.perf_counter() - wall) / args.points,
                                    (time.process_time() - cpu) / args.points))
    print(f"a point of {args.terms} series, {args.points} points, {args.rounds} rounds "
          "(median per point, min-max; wall / CPU)")
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        print(f"  {name:24s} {statistics.median(walls) * 1e3:8.3f} ms ({min(walls) * 1e3:.3f}-{max(walls) * 1e3:.3f})"
              f" / CPU {statistics.median(c for _, c in runs) * 1e3:.3f} ms")
    ours, theirs = times.values()
    print(f"  ratio write_row / messages: wall {statistics.median(o[0] / t[0] for o, t in zip(ours, theirs)):.3f},"
          f" CPU {statistics.median(o[1] / t[1] for o, t in zip(ours, theirs)):.3f}")


if __name__ == "__main__":
    main()
