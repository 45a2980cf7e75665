"""The record format of TensorBoard's event files, with their checksums, in NumPy.

An event file is a sequence of records, each framed as::

    length (uint64, little endian) | masked CRC-32C of length | data | masked CRC-32C of data

TensorFlow writes and checks them in C++; without TensorFlow, TensorBoard's
own Python code computes CRC-32C one byte per Python step, a few milliseconds
for a point of hundreds of series. Here the checksums of many records are
computed together: every record is cut into chunks of `_CHUNK` bytes (zeros
in front, which do not change a CRC started at 0), one NumPy operation
advances the CRC of every chunk of every record by a byte, and each record's
chunks are then joined with the linear maps "append n zero bytes" (32×32
matrices over GF(2), applied as four byte tables). The CRC's initial value
0xFFFFFFFF is the same as flipping the record's first four bytes.

Example:

```python
framed = frame([b"first record", b"second"])
records, complete = read(framed)  # [b"first record", b"second"], True
```
"""

import functools
import struct

import numpy as np

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), bit-reversed
_CHUNK = 64
_MASK_DELTA = 0xA282EAD8


def _byte_table():
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1).astype(np.uint32)
    return table


_TABLE = _byte_table()
_TABLE_LIST = _TABLE.tolist()
# Up to this many bytes in all, the checksums are computed a byte at a time.
_BYTEWISE_UP_TO = 2048


def _advance(states, data):
    """The CRCs ``states`` (started at 0) after the bytes ``data[:, j]`` of each row."""
    for column in data.T:
        states = _TABLE[(states ^ column) & 0xFF] ^ (states >> 8)
    return states


def _apply(tables, states):
    """A linear map of CRC states given as four byte tables."""
    return (tables[0][states & 0xFF] ^ tables[1][(states >> 8) & 0xFF]
            ^ tables[2][(states >> 16) & 0xFF] ^ tables[3][states >> 24])


@functools.lru_cache(maxsize=None)
def _zeros(level):
    """Byte tables of "append ``_CHUNK · 2**level`` zero bytes"."""
    basis = np.arange(256, dtype=np.uint32)
    if level == 0:
        zeros = np.zeros((256, _CHUNK), np.uint8)
        return tuple(_advance(basis << np.uint32(shift), zeros) for shift in (0, 8, 16, 24))
    half = _zeros(level - 1)
    return tuple(_apply(half, _apply(half, basis << np.uint32(shift))) for shift in (0, 8, 16, 24))


def masked_crc32c(records):
    """The masked CRC-32C of each of ``records`` (bytes), as a uint32 array."""
    records = list(records)
    crcs = np.zeros(len(records), np.uint32)
    # A few bytes in all cost less a byte at a time than NumPy's fixed cost.
    vectorized = sum(map(len, records)) > _BYTEWISE_UP_TO
    long = [i for i, r in enumerate(records) if len(r) >= 4 and vectorized]
    if long:
        crcs[long] = _crc32c_of_long([records[i] for i in long])
    for i in sorted(set(range(len(records))) - set(long)):
        crcs[i] = _crc32c_bytewise(records[i])
    return ((crcs >> 15) | (crcs << np.uint32(17))) + np.uint32(_MASK_DELTA)


def _crc32c_of_long(records):
    """CRC-32C of records of 4 bytes or more, all at once."""
    counts = np.array([-(-len(r) // _CHUNK) for r in records])
    padded = bytearray(b"".join(bytes(n * _CHUNK - len(r)) + r for n, r in zip(counts, records)))
    data = np.frombuffer(padded, np.uint8).reshape(-1, _CHUNK).copy()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # The initial value 0xFFFFFFFF: the record's first four bytes flipped.
    first = starts * _CHUNK + (counts * _CHUNK - np.array([len(r) for r in records]))
    flat = data.reshape(-1)
    for k in range(4):
        flat[first + k] ^= 0xFF
    states = _advance(np.zeros(len(data), np.uint32), data)
    # Chunk i of a record is followed by (its record's chunks after it) · _CHUNK bytes.
    after = np.repeat(starts + counts, counts) - 1 - np.arange(len(data))
    level = 0
    while (after >> level).any():
        moved = ((after >> level) & 1).astype(bool)
        states[moved] = _apply(_zeros(level), states[moved])
        level += 1
    return np.bitwise_xor.reduceat(states, starts) ^ np.uint32(0xFFFFFFFF)


def _crc32c_bytewise(data):
    crc, table = 0xFFFFFFFF, _TABLE_LIST
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def frame(records):
    """``records`` (bytes each) framed as an event file's records, one bytes string."""
    records = list(records)
    if not records:
        return b""
    lengths = [struct.pack("<Q", len(r)) for r in records]
    length_crcs = masked_crc32c(lengths).astype("<u4")
    data_crcs = masked_crc32c(records).astype("<u4")
    parts = []
    for length, length_crc, record, data_crc in zip(lengths, length_crcs, records, data_crcs):
        parts += [length, length_crc.tobytes(), record, data_crc.tobytes()]
    return b"".join(parts)


def read(content):
    """``(records, complete)`` of an event file's bytes ``content``.

    The records are those before the first one that is cut short or fails
    its checksums (a writer killed mid-record leaves one); ``complete`` says
    whether there was none.
    """
    spans, position = [], 0
    while position + 12 <= len(content):
        (length,) = struct.unpack_from("<Q", content, position)
        end = position + 12 + length + 4
        if end > len(content):
            break
        spans.append((position, length))
        position = end
    if not spans:
        return [], position == len(content)
    headers = [content[p:p + 8] for p, _ in spans]
    records = [content[p + 12:p + 12 + n] for p, n in spans]
    stored = np.array([struct.unpack_from("<I", content, p + 8)[0] for p, _ in spans], np.uint32)
    stored_data = np.array([struct.unpack_from("<I", content, p + 12 + n)[0] for p, n in spans], np.uint32)
    good = (masked_crc32c(headers) == stored) & (masked_crc32c(records) == stored_data)
    if good.all():
        return records, position == len(content)
    return records[:int(np.argmin(good))], False
