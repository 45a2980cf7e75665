"""The record format of TensorBoard's event files, with their checksums.

An event file is a sequence of records, each framed as::

    length (uint64, little endian) | masked CRC-32C of length | data | masked CRC-32C of data

The CRC-32C comes from ``google-crc32c`` (Google's C library, hardware
accelerated where the CPU has the instruction): framing 3,000 records of a
typical point takes a few milliseconds, where TensorBoard's own Python CRC
takes a Python step per byte.

Example:

```python
framed = frame([b"first record", b"second"])
records, complete = read(framed)  # [b"first record", b"second"], True
```
"""

import struct

import google_crc32c

_MASK_DELTA = 0xA282EAD8
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")


def masked_crc32c(data):
    """The masked CRC-32C of ``data`` (bytes) as TensorFlow's record files store it.

    Example:

    >>> masked_crc32c(b"")
    2726488792
    """
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(records):
    """``records`` (bytes each) framed as an event file's records, one bytes string.

    Example:

    >>> len(frame([b"abc"])) == 8 + 4 + 3 + 4
    True
    """
    parts = []
    for record in records:
        length = _LENGTH.pack(len(record))
        parts += [length, _CRC.pack(masked_crc32c(length)), record, _CRC.pack(masked_crc32c(record))]
    return b"".join(parts)


def read(content):
    """``(records, complete)`` of an event file's bytes ``content``.

    The records are those before the first one that is cut short or fails
    its checksums (a writer killed mid-record leaves one); ``complete`` says
    whether there was none.

    Example:

    >>> read(frame([b"a", b"bc"]) + b"cut")
    ([b'a', b'bc'], False)
    """
    records, position = [], 0
    view = memoryview(content)
    while position + 12 <= len(content):
        header = bytes(view[position:position + 8])
        (length,) = _LENGTH.unpack(header)
        end = position + 12 + length + 4
        if end > len(content):
            return records, False
        record = bytes(view[position + 12:position + 12 + length])
        if (_CRC.unpack_from(content, position + 8)[0] != masked_crc32c(header)
                or _CRC.unpack_from(content, end - 4)[0] != masked_crc32c(record)):
            return records, False
        records.append(record)
        position = end
    return records, position == len(content)
