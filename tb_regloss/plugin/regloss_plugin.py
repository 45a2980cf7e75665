"""The dashboard plugin's server side: JSON routes over the data provider, and the bundle.

Routes, all under ``/data/plugin/regloss/``:

- ``runs``: the runs that have ``regloss/`` series, with their terms and the
  regularizer description of each series. Every route that lists runs lists
  them in the dashboard's order, by the numbers in their names
  (``run_order``: ``cnn_l2_1e-4`` before ``cnn_l2_1e-3``).
- ``breakdown?run=R&samples=N``: one run's series aligned on steps
  (see ``breakdown.align``), at most ``N`` points per series (default 1000).
- ``breakdowns?run=A&run=B&samples=N``: the same for several runs, read at once.
- ``encoding=float32`` on either: each series as base64 little-endian float32
  instead of JSON numbers, gaps listed in ``"gaps"`` (``breakdown.to_json``);
  what the dashboard asks for, as it skips formatting 200,000 numbers.
- ``hparams``: the hyperparameters runs logged with TensorBoard's HParams
  plugin (``hp.hparams({...})``), ``{"runs": [{"run": name, "hparams":
  {name: value}}]}`` in run order, values as numbers, strings and booleans
  (see ``session_hparams``). The hparams run is usually the parent directory
  of the regloss runs (``wd_0`` for ``wd_0/train`` and ``wd_0/validation``);
  the dashboard pairs them.
- ``dynamics?run=R&samples=N&encoding=float32``: one run's
  ``regloss/dynamics/<quantity>/<key>`` series aligned on steps, in the same
  shape and encodings as ``breakdown``, each series named ``<quantity>/<key>``
  (``decay_ratio/block_1_expand/kernel``), with its description. ``runs``
  says which runs have some: a run with dynamics series carries
  ``"dynamics": [quantity, ...]`` (the quantities it logged, in the order of
  ``tags.DYNAMICS_QUANTITIES``); the field is absent otherwise. Dynamics
  series are never part of ``runs``' terms nor of ``breakdown``: a model with
  160 weights has 1,120 of them, loaded only when the dashboard's Dynamics
  section asks. A run with dynamics but no composition series is not listed.
  A run that ``RegLossCallback`` marked unverified (its data + penalties
  differed from the loss Keras reported, ``tb_regloss.self_check``) carries
  ``"unverified": {"regloss": x, "keras": y, "keras_version": "3.16.0"}``,
  read from the metadata of its ``regloss/unverified`` summary (the first
  mark, if there are several); the field is absent otherwise.
- ``decay_plan?run=R``: the decay plan ``RegLossCallback`` wrote into the
  training run ``R`` at the start of its last ``fit`` (tag
  ``regloss/decay_plan``, a JSON string tensor of this plugin):
  ``{"entries": [{"key", "parameters", "coupled", "decoupled", "findings"}],
  "findings": [{"code", "keys", "fix"}]}`` (see ``tb_regloss.decay_plans``);
  404 for a run without one (a validation run, a custom loop's) or whose plan
  cannot be read.
  ``runs`` marks the runs that have one with ``"decay_plan": true`` (absent
  otherwise), so the dashboard asks only for those.
- ``findings?run=R``: the findings read from the series of run ``R``
  (``tb_regloss.training_findings``: ``decay_dominates``,
  ``decay_stalls_training``): ``{"run": R, "findings": [{"code", "keys",
  "fix"}]}``, the same shape as a decay plan's findings, an empty list for a
  run where none holds; 404 for a run with no regloss series. Read from at
  most ``DEFAULT_SAMPLES`` points per series.
- ``sweep`` (optionally ``?run=A&run=B``): the figures of each run with
  regloss series (of the named ones only, when given), in one call:
  ``{"runs": [{"run", "step", "data", "best_data", "best_step", "total",
  "reg"}]}`` in run order (see ``sweep_summary.summarize``): the last data
  loss, total and penalty sum, and the lowest data loss over every stored
  point with its step. The dashboard's sweep view pairs a trial's train and
  validation runs from it, without reading 200 runs' breakdowns for a
  handful of numbers each.
- ``index.js`` and the other files shipped in ``static/``.

Broken logdirs are served as far as they can be read: a truncated or
corrupted event file gives the points before the damage, a run with no
regloss scalar at all (empty, unreadable, another tool's) is not listed and is
a 404 in the breakdown routes. Two optional fields say what is missing, each
present only when its list is not empty:

- ``"missing"`` (in each run of ``runs`` and in each breakdown): the core terms
  ``"total"`` and ``"data"`` that the run does not have, e.g. ``["data"]`` for
  a run with only ``regloss/total`` or ``["total", "data"]`` for a run with
  only penalties.
- ``"unreadable"`` (in each breakdown): terms that TensorBoard lists as scalars
  but cannot read as such (e.g. a vector written with scalar metadata by
  another tool); their column holds only ``null``.

Handlers only validate arguments and call the ``*_impl`` methods, which tests
call directly. Every answer, errors included, goes through
``http_util.Respond``, so it carries nosniff and CSP headers. Float NaN and
infinities in the JSON become the strings ``"NaN"``, ``"Infinity"`` and
``"-Infinity"``, as ``Respond`` writes them; breakdown values carry 9
significant digits, exact for float32 summaries (see ``breakdown.to_json``).
Errors are JSON too: ``{"error": "..."}`` with status 400 (a parameter),
404 (a run) or, for a bug, 500 without a stack trace.

Example:

```
$ curl 'http://localhost:6006/data/plugin/regloss/breakdown?run=exp1/train&samples=2'
{"run": "exp1/train", "steps": [0, 9], "wall_times": [...],
 "series": {"total": [0.91, 0.42], "data": [0.8, 0.33],
            "penalty/dense/kernel": [0.11, 0.09]},
 "descriptions": {"penalty/dense/kernel": "L2(l2=0.01)"}}
```
"""

import functools
import gzip
import json
import logging
import os
import re

from werkzeug import wrappers

from tensorboard import context as tb_context
from tensorboard import errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.data import provider
from tensorboard.plugins import base_plugin
from tensorboard.plugins.scalar import metadata as scalar_metadata

from tb_regloss import tags
from tb_regloss import training_findings
from tb_regloss.plugin import breakdown
from tb_regloss.plugin import dynamics_series
from tb_regloss.plugin import session_hparams
from tb_regloss.plugin import run_order
from tb_regloss.plugin import sweep_summary

logger = logging.getLogger(__name__)

PLUGIN_NAME = tags.PLUGIN_NAME
DEFAULT_SAMPLES = 1000
MAX_SAMPLES = 10000
# The sweep's best data loss is read over every point the provider keeps (it keeps a
# reservoir per series, 1000 scalars by default): no downsampling of our own.
_EVERY_POINT = 10**9

_ROUTE_PREFIX = "/data/plugin/" + PLUGIN_NAME + "/"
_STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
_CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".map": "application/json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_SAMPLES_PATTERN = re.compile(r"[0-9]{1,6}")


def _json_route(handler):
    """Wraps a handler returning a JSON-able body or JSON text into a WSGI app that always answers JSON.

    Public errors (``errors.InvalidArgumentError`` → 400,
    ``errors.NotFoundError`` → 404) become ``{"error": message}`` with their
    status; anything unexpected is logged with its traceback and answered
    with a generic 500 that leaks no stack trace.
    """

    @wrappers.Request.application
    @functools.wraps(handler)
    def app(self, request):
        try:
            return _json_response(request, handler(self, request))
        except errors.PublicError as e:
            return _error_response(request, str(e), e.http_code, e.headers)
        except Exception:
            logger.exception("regloss plugin: %s failed", request.path)
            return _error_response(request, "Internal error; see the TensorBoard log.", 500)

    return app


def _json_response(request, body):
    if isinstance(body, str) and request.accept_encodings["gzip"] > 0:
        # Respond would gzip a big breakdown at level 3; level 1 takes half
        # the time for a few percent more bytes.
        content = gzip.compress(body.encode("utf-8"), compresslevel=1, mtime=0)
        return http_util.Respond(request, content, "application/json", content_encoding="gzip")
    return http_util.Respond(request, body, "application/json")


def _error_response(request, message, code, headers=None):
    return http_util.Respond(
        request, {"error": message}, "application/json", code=code, headers=headers
    )


def _term(tag):
    """The term name of a contract tag (its suffix after ``regloss/``), or ``None``."""
    if tags.parse_tag(tag) is None:
        return None
    return tag[len(tags.PREFIX):]


def _terms_by_run(listing):
    """``{run: {term: ScalarTimeSeries}}`` for the runs of ``listing`` with regloss series."""
    result = {}
    for run, tag_to_series in listing.items():
        terms = {}
        for tag, series in tag_to_series.items():
            term = _term(tag)
            if term is not None:
                terms[term] = series
        if terms:
            result[run] = terms
    return result


def _descriptions(terms):
    return {term: series.description for term, series in terms.items() if series.description}


def _missing(terms):
    """The core terms (``total``, ``data``) absent from ``terms``, in that order."""
    return [term for term in breakdown.CORE_TERMS if term not in terms]


def _parse_samples(request):
    raw = request.args.get("samples")
    if raw is None:
        return DEFAULT_SAMPLES
    if _SAMPLES_PATTERN.fullmatch(raw) and 1 <= int(raw) <= MAX_SAMPLES:
        return int(raw)
    raise errors.InvalidArgumentError(
        "Parameter samples must be an integer from 1 to %d (points per series). "
        "Received: samples=%r" % (MAX_SAMPLES, raw)
    )


def _parse_encoding(request):
    """The ``encoding`` parameter: ``json`` (default) or ``float32`` (see ``breakdown.to_json``)."""
    raw = request.args.get("encoding", "json")
    if raw in breakdown.ENCODINGS:
        return raw
    raise errors.InvalidArgumentError(
        "Parameter encoding must be one of %s. Received: encoding=%r"
        % (", ".join(breakdown.ENCODINGS), raw)
    )


def _parse_runs(request):
    runs = request.args.getlist("run")
    if not runs or not all(runs):
        raise errors.InvalidArgumentError(
            "Parameter run is required and must name a run listed by /runs. "
            "Received: run=%r" % (runs,)
        )
    return list(dict.fromkeys(runs))


class RegLossPlugin(base_plugin.TBPlugin):
    """Serves the loss composition dashboard from the ``regloss/`` scalar series.

    TensorBoard creates it through ``loader.RegLossPluginLoader``; the routes
    are described in this module's docstring.

    Args:
        context: A ``base_plugin.TBContext``; only its ``data_provider`` is used.

    Example:

    ```python
    plugin = RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    plugin.breakdown_impl(tb_context.RequestContext(), "", ["exp1/train"], 500)
    ```
    """

    plugin_name = PLUGIN_NAME

    def __init__(self, context):
        self._data_provider = context.data_provider

    def get_plugin_apps(self):
        return {
            "/runs": self._serve_runs,
            "/breakdown": self._serve_breakdown,
            "/breakdowns": self._serve_breakdowns,
            "/dynamics": self._serve_dynamics,
            "/hparams": self._serve_hparams,
            "/sweep": self._serve_sweep,
            "/decay_plan": self._serve_decay_plan,
            "/findings": self._serve_findings,
            "/index.js": self._serve_static,
            "/*": self._serve_static,
        }

    def data_plugin_names(self):
        # The series are plain scalars: claiming "scalars" would mark the
        # dashboard active for every logdir with any scalar at all. Claiming
        # nothing makes TensorBoard ask `is_active`, which looks for regloss tags.
        return ()

    def is_active(self):
        """Whether any run of the (default) experiment has ``regloss/`` series."""
        return bool(self.runs_impl(tb_context.RequestContext(), "")["runs"])

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/index.js", tab_name="Loss composition")

    def _listing(self, ctx, experiment, runs=None):
        return self._data_provider.list_scalars(
            ctx,
            experiment_id=experiment,
            plugin_name=scalar_metadata.PLUGIN_NAME,
            run_tag_filter=provider.RunTagFilter(runs=runs) if runs is not None else None,
        )

    def _list(self, ctx, experiment, runs=None):
        return _terms_by_run(self._listing(ctx, experiment, runs))

    def runs_impl(self, ctx, experiment):
        """Lists the runs with regloss series, in run order (``run_order``: ``wd_1e-4`` before ``wd_1e-3``).

        Returns:
            ``{"runs": [{"run": name, "terms": [...], "descriptions": {term: text}}]}``
            with terms ordered by ``breakdown.order_terms``, ``"missing"``
            in the runs that lack ``total`` or ``data``, ``"dynamics"``
            (the quantities logged, see ``dynamics_series.quantities``) in the
            runs that have dynamics series, and ``"unverified"`` in the runs
            marked so, and ``"decay_plan": True`` in the runs that have a decay plan.
        """
        listing = self._listing(ctx, experiment)
        terms_by_run = _terms_by_run(listing)
        dynamics_by_run = dynamics_series.dynamics_by_run(listing)
        unverified_by_run = self._unverified_by_run(ctx, experiment)
        with_plans = self._runs_with_decay_plans(ctx, experiment)
        runs = []
        for run in run_order.sort_runs(terms_by_run):
            terms = terms_by_run[run]
            entry = {
                "run": run,
                "terms": breakdown.order_terms(terms),
                "descriptions": _descriptions(terms),
            }
            missing = _missing(terms)
            if missing:
                entry["missing"] = missing
            if run in dynamics_by_run:
                entry["dynamics"] = dynamics_series.quantities(dynamics_by_run[run])
            if run in unverified_by_run:
                entry["unverified"] = unverified_by_run[run]
            if run in with_plans:
                entry["decay_plan"] = True
            runs.append(entry)
        return {"runs": runs}

    def _unverified_by_run(self, ctx, experiment):
        """``{run: mark}`` of the runs with a readable ``regloss/unverified`` mark; metadata only, no values."""
        listing = self._data_provider.list_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=tags.PLUGIN_NAME,
            run_tag_filter=provider.RunTagFilter(tags=[tags.UNVERIFIED]),
        )
        marks = {run: tags.parse_unverified(series[tags.UNVERIFIED].plugin_content)
                 for run, series in listing.items() if tags.UNVERIFIED in series}
        return {run: mark for run, mark in marks.items() if mark is not None}

    def breakdown_impl(self, ctx, experiment, runs, samples):
        """Reads the regloss series of ``runs`` in one batched call and aligns each run's.

        Args:
            ctx: A ``tensorboard.context.RequestContext``.
            experiment: The experiment id (``""`` for a plain ``--logdir``).
            runs: Run names, each answered once, in this order.
            samples: Maximum number of points per series, downsampled by the
                data provider.

        Returns:
            A list with one ``{"run", "steps", "wall_times", "series",
            "descriptions"}`` dict per run (see ``breakdown.align``), with
            ``"missing"`` and ``"unreadable"`` when they are not empty (see
            the module docstring).

        Raises:
            errors.NotFoundError: a run has no regloss series.
        """
        terms_by_run = self._list(ctx, experiment, runs)
        missing = [run for run in runs if run not in terms_by_run]
        if missing:
            raise errors.NotFoundError(
                "No regloss series for %s; /runs lists the runs that have some."
                % ", ".join("run=%r" % run for run in missing)
            )
        all_tags = {tags.PREFIX + term for terms in terms_by_run.values() for term in terms}
        try:
            data = self._read(ctx, experiment, runs, all_tags, samples)
        except ValueError:
            # A series the provider cannot convert (the Python loader fails
            # the whole batch on one non-scalar tensor): read them one by one.
            data = self._read_each(ctx, experiment, terms_by_run, samples)
        result = []
        for run in runs:
            run_data = data.get(run, {})
            terms = terms_by_run[run]
            ordered = breakdown.order_terms(terms)
            aligned = breakdown.align({term: run_data.get(tags.PREFIX + term, ()) for term in ordered})
            entry = dict(run=run, **aligned, descriptions=_descriptions(terms))
            missing = _missing(terms)
            if missing:
                entry["missing"] = missing
            unreadable = [term for term in ordered if run_data.get(tags.PREFIX + term) is None]
            if unreadable:
                entry["unreadable"] = unreadable
            result.append(entry)
        return result

    def dynamics_impl(self, ctx, experiment, run, samples):
        """Reads the dynamics series of one run and aligns them on steps.

        Args:
            ctx: A ``tensorboard.context.RequestContext``.
            experiment: The experiment id (``""`` for a plain ``--logdir``).
            run: The run name.
            samples: Maximum number of points per series, downsampled by the
                data provider.

        Returns:
            ``{"run", "steps", "wall_times", "series", "descriptions"}`` as
            ``breakdown_impl`` answers, series named ``<quantity>/<key>`` and
            ordered by ``dynamics_series.order_names``, with ``"unreadable"``
            when some series cannot be read as scalars.

        Raises:
            errors.NotFoundError: the run has no dynamics series.
        """
        named = dynamics_series.dynamics_by_run(self._listing(ctx, experiment, [run])).get(run)
        if not named:
            raise errors.NotFoundError(
                "No regloss dynamics series for run=%r; /runs lists the runs that have some "
                "(those with a \"dynamics\" field)." % run
            )
        names = dynamics_series.order_names(named)
        run_tags = [dynamics_series.series_tag(name) for name in names]
        try:
            data = self._read(ctx, experiment, [run], run_tags, samples).get(run, {})
        except ValueError:
            data = self._read_each(ctx, experiment, {run: run_tags}, samples, prefix="").get(run, {})
        aligned = breakdown.align({name: data.get(dynamics_series.series_tag(name), ()) for name in names})
        entry = dict(run=run, **aligned, descriptions=_descriptions(named))
        unreadable = [name for name in names if data.get(dynamics_series.series_tag(name)) is None]
        if unreadable:
            entry["unreadable"] = unreadable
        return entry

    def hparams_impl(self, ctx, experiment):
        """Lists the runs that logged hyperparameters with the HParams plugin, in run order.

        Reads only the session-start-info summaries' metadata (one
        ``list_tensors`` call, no tensor values), as TensorBoard's hparams
        plugin does.

        Returns:
            ``{"runs": [{"run": name, "hparams": {name: value}}]}``.
        """
        listing = self._data_provider.list_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=session_hparams.PLUGIN_NAME,
            run_tag_filter=provider.RunTagFilter(tags=[session_hparams.SESSION_START_INFO_TAG]),
        )
        by_run = session_hparams.hparams_by_run(listing)
        return {"runs": [{"run": run, "hparams": values} for run, values in by_run.items()]}

    def sweep_impl(self, ctx, experiment, runs=None):
        """The figures of a sweep's runs: two batched reads, whatever the number of runs.

        Args:
            ctx: A ``tensorboard.context.RequestContext``.
            experiment: The experiment id (``""`` for a plain ``--logdir``).
            runs: Run names to answer, or ``None`` for every run with regloss series.

        Returns:
            ``{"runs": [dict(run=name, **sweep_summary.summarize(...))]}``
            in run order (``run_order``).

        Raises:
            errors.NotFoundError: a named run has no regloss series.
        """
        terms_by_run = self._list(ctx, experiment, runs)
        unknown = [run for run in runs or () if run not in terms_by_run]
        if unknown:
            raise errors.NotFoundError(
                "No regloss series for %s; /runs lists the runs that have some."
                % ", ".join("run=%r" % run for run in unknown)
            )
        names = run_order.sort_runs(terms_by_run)
        if not names:
            return {"runs": []}
        last_tags = {tags.TOTAL} | {
            tags.PREFIX + term for terms in terms_by_run.values() for term in terms
            if (tags.PREFIX + term).startswith(tags.PENALTY_PREFIX)
        }
        try:
            data = self._read(ctx, experiment, names, [tags.DATA], _EVERY_POINT)
            last = self._read(ctx, experiment, names, sorted(last_tags), 1)
        except ValueError:
            # A series the provider cannot convert fails the whole batch: read them one by one.
            data = self._read_each(ctx, experiment, {r: ["data"] for r in names}, _EVERY_POINT)
            last = self._read_each(
                ctx, experiment, {r: [t for t in terms_by_run[r] if t != "data"] for r in names}, 1)
        result = []
        for run in names:
            run_last = last.get(run, {})
            penalties = [points for tag, points in run_last.items() if tag.startswith(tags.PENALTY_PREFIX)]
            summary = sweep_summary.summarize(
                data.get(run, {}).get(tags.DATA, ()), run_last.get(tags.TOTAL, ()), penalties)
            result.append(dict(run=run, **summary))
        return {"runs": result}

    def _runs_with_decay_plans(self, ctx, experiment):
        """The runs with a ``regloss/decay_plan`` tensor: one ``list_tensors`` call, no values read."""
        listing = self._data_provider.list_tensors(
            ctx, experiment_id=experiment, plugin_name=PLUGIN_NAME,
            run_tag_filter=provider.RunTagFilter(tags=[tags.DECAY_PLAN]))
        return {run for run, run_tags in listing.items() if tags.DECAY_PLAN in run_tags}

    def decay_plan_impl(self, ctx, experiment, run):
        """The last decay plan written into ``run``.

        Returns:
            ``{"entries": [...], "findings": [...]}`` as the callback wrote it.

        Raises:
            errors.NotFoundError: the run has no decay plan, or it cannot be read.
        """
        run_tag_filter = provider.RunTagFilter(runs=[run], tags=[tags.DECAY_PLAN])
        data = self._data_provider.read_tensors(
            ctx, experiment_id=experiment, plugin_name=PLUGIN_NAME, downsample=1, run_tag_filter=run_tag_filter)
        points = data.get(run, {}).get(tags.DECAY_PLAN)
        if not points:
            raise errors.NotFoundError(
                "No decay plan for run=%r: RegLossCallback writes one into the training run "
                "(log_dir/train) at the start of each fit." % run
            )
        try:
            return _decay_plan(points[-1].numpy)
        except ValueError as e:  # UnicodeDecodeError and json's errors are ValueErrors
            logger.warning("regloss plugin: the decay plan of run %r cannot be read: %s", run, e)
            raise errors.NotFoundError("The decay plan of run=%r cannot be read: %s" % (run, e)) from None

    def training_series_impl(self, ctx, experiment, run):
        """The series of ``run`` that `training_findings.findings` reads, as its arguments.

        Returns:
            ``{"data": values, "penalties": {key: values}, "decoupled": {key:
            values}, "decay_ratios": {key: values}}``: the composition series
            aligned on their steps (``None`` for a gap; ``data`` empty for a
            run without it), each ``decay_ratio`` series in its own step order.

        Raises:
            errors.NotFoundError: the run has no regloss series.
        """
        listed = self._listing(ctx, experiment, [run]).get(run, {})
        if not any(tags.parse_tag(tag) or tags.parse_dynamics_tag(tag) for tag in listed):
            raise errors.NotFoundError("No regloss series for run=%r; /runs lists the runs that have some." % run)
        wanted = [tag for tag in listed if _finding_argument(tag)]
        try:
            data = self._read(ctx, experiment, [run], wanted, DEFAULT_SAMPLES).get(run, {})
        except ValueError:
            data = self._read_each(ctx, experiment, {run: wanted}, DEFAULT_SAMPLES, prefix="").get(run, {})
        series = {"data": [], "penalties": {}, "decoupled": {}, "decay_ratios": {}}
        aligned = breakdown.align({tag: data[tag] for tag in wanted if tag in data and tags.parse_tag(tag)})
        for tag, values in aligned["series"].items():
            if tag == tags.DATA:
                series["data"] = values
            else:
                series[_finding_argument(tag)][tags.parse_tag(tag)[1]] = values
        for tag in wanted:
            if tag in data and _finding_argument(tag) == "decay_ratios":
                series["decay_ratios"][tags.parse_dynamics_tag(tag)[1]] = [point.value for point in data[tag]]
        return series

    def findings_impl(self, ctx, experiment, run):
        """The findings read from the series of ``run`` (see `training_findings.findings`).

        Returns:
            ``{"run": run, "findings": [{"code", "keys", "fix"}]}``.

        Raises:
            errors.NotFoundError: the run has no regloss series.
        """
        series = self.training_series_impl(ctx, experiment, run)
        return {"run": run, "findings": training_findings.findings(**series)}

    def _read(self, ctx, experiment, runs, run_tags, samples):
        return self._data_provider.read_scalars(
            ctx,
            experiment_id=experiment,
            plugin_name=scalar_metadata.PLUGIN_NAME,
            downsample=samples,
            run_tag_filter=provider.RunTagFilter(runs=runs, tags=run_tags),
        )

    def _read_each(self, ctx, experiment, terms_by_run, samples, prefix=tags.PREFIX):
        """Reads every series alone (tag = ``prefix`` + term), leaving out those the provider fails to convert."""
        data = {}
        for run, terms in terms_by_run.items():
            for term in terms:
                tag = prefix + term
                try:
                    points = self._read(ctx, experiment, [run], [tag], samples).get(run, {}).get(tag)
                except ValueError as e:
                    logger.warning("regloss plugin: run %r, tag %r is not readable as scalars: %s", run, tag, e)
                    continue
                if points is not None:
                    data.setdefault(run, {})[tag] = points
        return data

    @_json_route
    def _serve_runs(self, request):
        ctx = plugin_util.context(request.environ)
        return self.runs_impl(ctx, plugin_util.experiment_id(request.environ))

    @_json_route
    def _serve_breakdown(self, request):
        runs = _parse_runs(request)
        if len(runs) > 1:
            raise errors.InvalidArgumentError(
                "Parameter run must be given once here; use /breakdowns for several runs. "
                "Received: run=%r" % (runs,)
            )
        samples = _parse_samples(request)
        encoding = _parse_encoding(request)
        ctx = plugin_util.context(request.environ)
        (result,) = self.breakdown_impl(ctx, plugin_util.experiment_id(request.environ), runs, samples)
        return breakdown.to_json(result, encoding)

    @_json_route
    def _serve_breakdowns(self, request):
        runs = _parse_runs(request)
        samples = _parse_samples(request)
        encoding = _parse_encoding(request)
        ctx = plugin_util.context(request.environ)
        experiment = plugin_util.experiment_id(request.environ)
        results = self.breakdown_impl(ctx, experiment, runs, samples)
        return '{"breakdowns": [%s]}' % ", ".join(breakdown.to_json(r, encoding) for r in results)

    @_json_route
    def _serve_dynamics(self, request):
        runs = _parse_runs(request)
        if len(runs) > 1:
            raise errors.InvalidArgumentError(
                "Parameter run must be given once: /dynamics answers one run. Received: run=%r" % (runs,)
            )
        samples = _parse_samples(request)
        encoding = _parse_encoding(request)
        ctx = plugin_util.context(request.environ)
        result = self.dynamics_impl(ctx, plugin_util.experiment_id(request.environ), runs[0], samples)
        return breakdown.to_json(result, encoding)

    @_json_route
    def _serve_hparams(self, request):
        ctx = plugin_util.context(request.environ)
        return self.hparams_impl(ctx, plugin_util.experiment_id(request.environ))

    @_json_route
    def _serve_sweep(self, request):
        runs = _parse_runs(request) if "run" in request.args else None
        ctx = plugin_util.context(request.environ)
        return self.sweep_impl(ctx, plugin_util.experiment_id(request.environ), runs)

    @_json_route
    def _serve_decay_plan(self, request):
        runs = _parse_runs(request)
        if len(runs) > 1:
            raise errors.InvalidArgumentError(
                "Parameter run must be given once: /decay_plan answers one run. Received: run=%r" % (runs,)
            )
        ctx = plugin_util.context(request.environ)
        return self.decay_plan_impl(ctx, plugin_util.experiment_id(request.environ), runs[0])

    @_json_route
    def _serve_findings(self, request):
        runs = _parse_runs(request)
        if len(runs) > 1:
            raise errors.InvalidArgumentError(
                "Parameter run must be given once: /findings answers one run. Received: run=%r" % (runs,)
            )
        ctx = plugin_util.context(request.environ)
        return self.findings_impl(ctx, plugin_util.experiment_id(request.environ), runs[0])

    @wrappers.Request.application
    def _serve_static(self, request):
        # Only exact names of files in static/ are served: a request path is
        # never joined to a filesystem path, so no spelling of `..` can escape.
        name = request.path[len(_ROUTE_PREFIX):] if request.path.startswith(_ROUTE_PREFIX) else None
        try:
            with open(_shipped_files()[name], "rb") as f:
                content = f.read()
        except (KeyError, OSError):  # OSError: removed or unreadable since listed
            return _error_response(request, "Not found: %s" % request.path, 404)
        content_type = _CONTENT_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
        return http_util.Respond(request, content, content_type)


def _decay_plan(value):
    """The plan in a ``regloss/decay_plan`` tensor (a rank-0 string array): ``{"entries", "findings"}``.

    Raises ``ValueError`` for anything else.

    >>> import numpy as np
    >>> _decay_plan(np.array(b'{"entries": [], "findings": []}', dtype=object))
    {'entries': [], 'findings': []}
    """
    if value.shape != ():
        raise ValueError("a tensor of shape %s, not a string" % (value.shape,))
    text = value.item()
    plan = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    if not isinstance(plan, dict) or not all(isinstance(plan.get(k), list) for k in ("entries", "findings")):
        raise ValueError("not an object with lists 'entries' and 'findings'")
    return {"entries": plan["entries"], "findings": plan["findings"]}


def _finding_argument(tag):
    """The argument of `training_findings.findings` that ``tag``'s series goes to, or ``None``.

    >>> [_finding_argument(t) for t in ("regloss/data", "regloss/penalty/d/kernel", "regloss/total")]
    ['data', 'penalties', None]
    >>> _finding_argument("regloss/dynamics/decay_ratio/d/kernel")
    'decay_ratios'
    """
    parsed = tags.parse_tag(tag) or tags.parse_dynamics_tag(tag) or (None, None)
    return {"data": "data", "penalty": "penalties", "decoupled": "decoupled",
            "decay_ratio": "decay_ratios"}.get(parsed[0])


def _shipped_files():
    """``{file name: path}`` of the regular, non-hidden files directly in ``static/``."""
    try:
        entries = list(os.scandir(_STATIC_DIR))
    except FileNotFoundError:
        return {}
    return {
        entry.name: entry.path
        for entry in entries
        if entry.is_file() and not entry.name.startswith(".")
    }
