"""Which process of a cluster writes."""

import pytest

from tb_regloss import cluster


class _Resolver:
    def __init__(self, task_type, task_id, jobs):
        self.task_type, self.task_id, self._jobs = task_type, task_id, jobs

    def cluster_spec(self):
        import tensorflow as tf

        return tf.train.ClusterSpec({job: [f"localhost:{2000 + i}" for i in range(n)]
                                     for job, n in self._jobs.items()})


@pytest.mark.parametrize("resolver, chief", [
    (None, True),
    (_Resolver("chief", 0, {"chief": 1, "worker": 2}), True),
    (_Resolver("worker", 0, {"chief": 1, "worker": 2}), False),
    (_Resolver("worker", 0, {"worker": 2}), True),
    (_Resolver("worker", 1, {"worker": 2}), False),
])
def test_the_chief_is_the_chief_task_else_worker_0(resolver, chief):
    class Strategy:
        cluster_resolver = resolver

    assert cluster.is_chief(Strategy()) is chief
