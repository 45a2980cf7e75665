"""Event file records: checksums equal TensorBoard's, TensorFlow and TensorBoard read what we frame."""


import numpy as np
import pytest
from tensorboard.compat.tensorflow_stub import errors as stub_errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as tensorboard_crc

from tb_regloss import record_files


def _random_records(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in lengths]


@pytest.mark.parametrize("lengths", [
    list(range(0, 70)),                           # every short length
    list(range(0, 300)) + [4095, 4096, 4097],     # around 4 KiB
    [18_000, 1, 100_000, 3, 64, 65],              # long records beside short ones
])
def test_checksums_equal_tensorboards(lengths):
    records = _random_records(lengths)
    assert [record_files.masked_crc32c(r) for r in records] == [tensorboard_crc(r) for r in records]


def test_framed_records_read_back_and_by_tensorboards_checking_reader(tmp_path):
    records = _random_records([0, 5, 3000, 12_000, 70])
    path = tmp_path / "events.out.tfevents.1"
    path.write_bytes(record_files.frame(records))
    assert record_files.read(path.read_bytes()) == (records, True)
    reader, read = PyRecordReader_New(str(path)), []
    with pytest.raises(stub_errors.OutOfRangeError):
        while True:
            reader.GetNext()  # checks both checksums of every record
            read.append(reader.record())
    assert read == records


def test_tensorflow_reads_what_we_frame():
    tf = pytest.importorskip("tensorflow")
    records = _random_records([10, 5000, 40_000])
    path = "ram://record_files/events.out.tfevents.2"
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(record_files.frame(records))
    assert [r.numpy() for r in tf.data.TFRecordDataset(path)] == records  # CRC-checked by TensorFlow


def test_a_cut_or_damaged_record_ends_the_records_read():
    records = _random_records([100, 200, 300])
    framed = record_files.frame(records)
    assert record_files.read(framed[:-1]) == (records[:2], False)
    assert record_files.read(framed[:5]) == ([], False)
    damaged = bytearray(framed)
    damaged[12 + 100 + 4 + 12 + 7] ^= 1  # a byte of the second record's data
    assert record_files.read(bytes(damaged)) == (records[:1], False)
    assert record_files.read(b"") == ([], True)
