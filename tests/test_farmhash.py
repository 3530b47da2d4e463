"""FarmHash Fingerprint64 / FingerprintCat64 against TensorFlow's values."""

from __future__ import annotations

import random

import pytest

from savedmodel.formats.farmhash import fingerprint64, fingerprint_cat64

# FORMAT.md §1.4: verified against tf.fingerprint(..., "farmhash64"); input bytes(range(n)).
RANGE_VECTORS = {
    0: 0x9AE16A3B2F90404F,
    1: 0xBE6056EDF5E94B54,
    3: 0x94A13D22E9EBA49A,
    5: 0xB4BFA9E87732C149,
    12: 0x9FD5DF33AEFC3D7D,
    20: 0x8DD7E7F1BF16A0E9,
    40: 0x08F45B937B49468C,
    64: 0xF58504BB53DECC4B,
    65: 0xC6A3282C3E793DBE,
    100: 0x3CFF0F886D8D6195,
    200: 0x074C7FCC26D66FB3,
}


@pytest.mark.parametrize("n", sorted(RANGE_VECTORS))
def test_fingerprint64_range_vectors(n):
    assert fingerprint64(bytes(range(n))) == RANGE_VECTORS[n]


def test_fingerprint64_text_vectors():
    assert fingerprint64(b"a") == 0xB3454265B6DF75E3
    assert fingerprint64(b"hello world") == 0x588FB7478BD6B01B
    # str is hashed as its UTF-8 bytes; other buffers as their bytes.
    assert fingerprint64("hello world") == 0x588FB7478BD6B01B
    assert fingerprint64(bytearray(b"a")) == fingerprint64(memoryview(b"a")) == 0xB3454265B6DF75E3


def test_fingerprint_cat64_vectors():
    assert fingerprint_cat64(0, 0) == 0x5825F5F3BD962979
    assert fingerprint_cat64(1, 2) == 0xC89A2574412AC8E4
    # Order matters (the chains in fingerprint.pb depend on it).
    assert fingerprint_cat64(2, 1) != fingerprint_cat64(1, 2)


def test_fingerprint64_is_unsigned_64_bit():
    rng = random.Random(7)
    for n in (0, 3, 7, 16, 17, 32, 33, 64, 65, 127, 128, 129, 1000):
        h = fingerprint64(rng.randbytes(n))
        assert 0 <= h < 1 << 64


@pytest.mark.interop
def test_fingerprint64_matches_tensorflow_random_lengths():
    tf = pytest.importorskip("tensorflow")
    rng = random.Random(20260)
    # Every length 0..300 covers all size classes and every tail length of the 64-byte loop;
    # a few long inputs cover many loop iterations.
    data = [rng.randbytes(n) for n in range(301)] + [rng.randbytes(n) for n in (1000, 4097, 65536)]
    got = tf.fingerprint(tf.constant(data), method="farmhash64").numpy()
    for d, row in zip(data, got, strict=True):
        assert fingerprint64(d) == int.from_bytes(row.tobytes(), "little"), len(d)
