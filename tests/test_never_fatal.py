"""A failure of tb-regloss' own work is one warning and a part turned off; other exceptions pass."""

import pytest

from tb_regloss import never_fatal


def test_an_exception_within_turns_the_part_off_and_warns_once_with_the_message():
    off = []
    with pytest.warns(UserWarning) as caught:
        with never_fatal.logging_failure(lambda: off.append("training"), lambda e: f"writing failed: {e}"):
            raise OSError("disk full")
    assert off == ["training"]
    assert [str(w.message) for w in caught] == ["writing failed: disk full"]


def test_nothing_happens_without_an_exception_and_keyboard_interrupt_passes():
    off = []
    with never_fatal.logging_failure(lambda: off.append("x"), str):
        pass
    with pytest.raises(KeyboardInterrupt):
        with never_fatal.logging_failure(lambda: off.append("x"), str):
            raise KeyboardInterrupt
    assert off == []
