"""Benchmark: the dashboard's breakdown route against the raw data provider read it wraps.

A run with 200 terms x 20,000 steps (total, data and 198 penalties) is written
once to a cached logdir. In one process, each round times the raw
``data_provider.read_scalars`` of all the run's regloss tags with
``downsample=samples``, alternating (order swapped every round) with each of:

- ``route, float32``: ``GET /data/plugin/regloss/breakdown?…&encoding=float32``
  through TensorBoard's WSGI app (werkzeug test client), response included, as
  the dashboard asks for it: the headline figure, whose median ratio to the raw
  read the issue wants at most 1.5;
- ``route, float32, gzip``: the same, asking for gzip as browsers do;
- ``route, json`` and ``route, json, gzip``: values as JSON numbers (reported);
- ``breakdown_impl``: the route without JSON and HTTP (the listing, the same
  read, the alignment), to locate the cost (reported).

The data provider is TensorBoard's default Rust data server (``--provider
rust``) or the Python loader of ``--load_fast=false`` (``--provider python``),
both with TensorBoard's default retention (1,000 points per scalar series).
The exit status is 1 when the headline misses the 1.5 target.

Example:

```
python bench/plugin_breakdown.py --provider rust --rounds 30
python bench/plugin_breakdown.py --provider python
```
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from tensorboard import context as tb_context
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_ingester
from tensorboard.backend.event_processing import data_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.compat.proto import types_pb2
from tensorboard.data import provider as provider_lib
from tensorboard.data import server_ingester
from tensorboard.plugins import base_plugin
from tensorboard.plugins.scalar import metadata as scalar_metadata
from tensorboard.util import grpc_util
from werkzeug import test as werkzeug_test

from tb_regloss import tags
from tb_regloss.plugin import regloss_plugin

RUN = "bench/train"
TARGET = 1.5


def term_tags(terms):
    penalties = [tags.penalty_tag("layer_%03d/kernel" % i) for i in range(terms - 2)]
    return [tags.TOTAL, tags.DATA] + penalties


def write_logdir(logdir, terms, steps):
    """Writes one run with ``terms`` rank-0 float32 scalar series of ``steps`` points each."""
    run_dir = os.path.join(logdir, RUN)
    done = os.path.join(run_dir, "complete")
    if os.path.exists(done):
        return
    os.makedirs(run_dir, exist_ok=True)
    import tensorflow as tf  # its C++ record writer; TensorBoard's own checksums in Python

    writer = tf.io.TFRecordWriter(os.path.join(run_dir, "events.out.tfevents.0.bench"))
    all_tags = term_tags(terms)
    # One event per step holding every term; the first one carries the metadata.
    # Reusing one proto and only updating numbers keeps writing 4M values fast.
    event = event_pb2.Event()
    for tag in all_tags:
        value = event.summary.value.add(tag=tag)
        value.tensor.dtype = types_pb2.DT_FLOAT
        value.tensor.float_val.append(0.0)
        value.metadata.CopyFrom(scalar_metadata.create_summary_metadata("", "L2(l2=0.01)"))
        value.metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
    for step in range(steps):
        event.step = step
        event.wall_time = 1.7e9 + step
        for index, value in enumerate(event.summary.value):
            value.tensor.float_val[0] = 1.0 / (1 + index + step)
        writer.write(event.SerializeToString())
        if step == 0:
            for value in event.summary.value:
                value.ClearField("metadata")
    writer.close()
    open(done, "w").close()


def python_provider(logdir):
    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance=data_ingester.DEFAULT_SIZE_GUIDANCE,
        tensor_size_guidance=data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE,
    )
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, logdir)


def rust_provider(logdir, terms, last_step):
    ingester = server_ingester.SubprocessServerDataIngester(
        server_ingester.get_server_binary(),
        logdir,
        reload_interval=0,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
    )
    ingester.start()
    provider = ingester.data_provider
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:  # the server loads in the background
        listing = provider.list_scalars(
            tb_context.RequestContext(), experiment_id="", plugin_name="scalars"
        ).get(RUN, {})
        if len(listing) == terms and all(s.max_step == last_step for s in listing.values()):
            return provider
        time.sleep(0.5)
    raise RuntimeError("the data server did not load %s in time" % logdir)


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def describe(name, seconds):
    q1, median, q3 = statistics.quantiles(seconds, n=4)
    print(
        "%-22s median %8.1f ms  IQR %7.1f-%7.1f ms  min %7.1f ms  max %7.1f ms"
        % (name, median * 1e3, q1 * 1e3, q3 * 1e3, min(seconds) * 1e3, max(seconds) * 1e3)
    )
    return statistics.median(seconds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider", choices=["rust", "python"], default="rust")
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--logdir",
        default=os.path.join(tempfile.gettempdir(), "tb_regloss_bench"),
        help="cache folder for the generated event files",
    )
    args = parser.parse_args(argv)

    logdir = os.path.join(args.logdir, "%dx%d" % (args.terms, args.steps))
    start = time.perf_counter()
    write_logdir(logdir, args.terms, args.steps)
    print("logdir %s ready in %.1f s" % (logdir, time.perf_counter() - start))
    start = time.perf_counter()
    if args.provider == "rust":
        provider = rust_provider(logdir, args.terms, args.steps - 1)
    else:
        provider = python_provider(logdir)
    print("%s data provider loaded in %.1f s" % (args.provider, time.perf_counter() - start))

    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    client = werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=provider))
    url = "/data/plugin/regloss/breakdown?run=%s&samples=%d" % (RUN, args.samples)
    run_tag_filter = provider_lib.RunTagFilter(runs=[RUN], tags=term_tags(args.terms))

    def raw_read():
        provider.read_scalars(
            tb_context.RequestContext(),
            experiment_id="",
            plugin_name="scalars",
            downsample=args.samples,
            run_tag_filter=run_tag_filter,
        )

    def impl():
        (result,) = plugin.breakdown_impl(tb_context.RequestContext(), "", [RUN], args.samples)
        return result

    def route(values, encoding):
        def get():
            response = client.get(url + "&encoding=" + values, headers={"Accept-Encoding": encoding})
            assert response.status_code == 200, response.get_data(as_text=True)

        return get

    candidates = [
        ("route, float32", route("float32", "identity")),
        ("route, float32, gzip", route("float32", "gzip, deflate, br")),
        ("route, json", route("json", "identity")),
        ("route, json, gzip", route("json", "gzip, deflate, br")),
        ("breakdown_impl", impl),
    ]
    timings = {"read_scalars (raw)": []}
    timings.update((name, []) for name, _ in candidates)
    for name, function in candidates:  # warm up
        function()
    for round_ in range(args.rounds):
        # Alternate the raw read with each candidate, swapping the order every round.
        for name, function in candidates:
            pair = [("read_scalars (raw)", raw_read), (name, function)]
            for label, timed_function in pair if round_ % 2 == 0 else pair[::-1]:
                timings[label].append(timed(timed_function))

    print(
        "%d terms x %d steps, samples=%d, %s provider, %d rounds"
        % (args.terms, args.steps, args.samples, args.provider, args.rounds)
    )
    medians = {name: describe(name, seconds) for name, seconds in timings.items()}
    raw_median = medians.pop("read_scalars (raw)")
    ratios = {name: median / raw_median for name, median in medians.items()}
    print(
        "HEADLINE full route as the dashboard asks (float32) / raw read (median): "
        "%.2f without gzip, %.2f with gzip" % (ratios["route, float32"], ratios["route, float32, gzip"])
    )
    print("with JSON numbers: %.2f without gzip, %.2f with gzip; breakdown_impl: %.2f"
          % (ratios["route, json"], ratios["route, json, gzip"], ratios["breakdown_impl"]))
    met = ratios["route, float32"] <= TARGET
    print("target: headline <= %.1f: %s" % (TARGET, "met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
