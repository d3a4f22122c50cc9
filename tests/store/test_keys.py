"""The audit key (spj.store.keys): where it comes from, rotation, and clear errors for a bad key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from spj.errors import StoreError
from spj.store.keys import Keyring, load_keyring, new_key_line

SECRET = "ab" * 32


def test_the_data_folders_key_file_is_made_once_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPJ_AUDIT_KEY", raising=False)
    monkeypatch.delenv("SPJ_AUDIT_KEY_FILE", raising=False)
    first = load_keyring(tmp_path / "data")
    path = tmp_path / "data" / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keyring(tmp_path / "data")
    assert again.current.id == first.current.id == "k1" and again.current.secret == first.current.secret
    assert [p.name for p in path.parent.iterdir()] == ["audit.key"]  # nothing left aside


def test_environment_first_then_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# old, then new\nold-1 {'cd' * 32}\nnew-2 {SECRET}  # seals\n")
    monkeypatch.delenv("SPJ_AUDIT_KEY", raising=False)
    monkeypatch.setenv("SPJ_AUDIT_KEY_FILE", str(keys))
    ring = load_keyring(tmp_path)
    assert list(ring.keys) == ["old-1", "new-2"] and ring.current.id == "new-2"
    monkeypatch.setenv("SPJ_AUDIT_KEY", f"a:{'cd' * 32},b:{SECRET}")
    assert load_keyring(tmp_path).current.id == "b"
    assert not (tmp_path / "audit.key").exists()


def test_rotation_verifies_what_older_keys_sealed() -> None:
    old = Keyring.parse(f"old {'cd' * 32}")
    key_id, mac = old.sign("facts")
    rotated = Keyring.parse(f"old {'cd' * 32}\nnew {SECRET}")
    assert rotated.check(key_id, "facts", mac) is True
    assert rotated.check(key_id, "other facts", mac) is False
    assert Keyring.parse(f"new {SECRET}").check(key_id, "facts", mac) is None  # unknown key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no audit key given"),
        ("just-an-id", "expected 'ID HEX'"),
        ("k1 not-hex", "not hexadecimal"),
        ("k1 abcd", "shorter than 16 bytes"),
        (f"k1 {SECRET}\nk1 {SECRET}", "given twice"),
    ],
)
def test_a_bad_key_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        Keyring.parse(text, source="keys")
    assert caught.value.codes == ["audit-key"]
    assert SECRET not in str(caught.value)


def test_a_secret_never_shows_in_a_repr() -> None:
    ring = Keyring.parse(f"k1 {SECRET}")
    assert SECRET not in repr(ring) and SECRET not in repr(ring.current)
    assert Keyring.parse(new_key_line("k2")).current.id == "k2"
