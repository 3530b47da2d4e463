"""Tensor-bundle checkpoints: CRC32C, the SSTable, bundle reader/writer, savedmodel.train.

Plain tests use known bytes from FORMAT.md, round trips, the committed TF-written fixtures
(tests/fixtures/checkpoints, made by tools/fixtures/make_checkpoints.py) and exhaustive
truncation / bit-flip loops. Interop tests run TensorFlow live in both directions.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from savedmodel import dtypes, protos, train
from savedmodel.checkpoint import BundleReader, BundleWriter, crc32c, snappy, sstable
from savedmodel.checkpoint import slices as slice_keys
from savedmodel.errors import DataLossError, InvalidArgumentError, NotFoundError

FIXTURES = Path(__file__).parent / "fixtures" / "checkpoints"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
SAVED_MODELS = Path(__file__).parent / "fixtures" / "saved_models"

VALUES = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
    "f64": np.float64(3.5),
    "f16": np.array([1.5, -2], np.float16),
    "bf16": np.array([[1.5, -2]], ml_dtypes.bfloat16),
    "i8": np.array([-1, 2], np.int8),
    "i16": np.array([-300], np.int16),
    "i32": np.array([1, 2], np.int32),
    "i64": np.array([-(2**63)], np.int64),
    "u8": np.array([255], np.uint8),
    "u16": np.array([65535], np.uint16),
    "u32": np.array([2**32 - 1], np.uint32),
    "u64": np.array([2**64 - 1], np.uint64),
    "bool": np.array([True, False]),
    "c64": np.array([1 + 2j], np.complex64),
    "c128": np.array([[1 - 2j]], np.complex128),
    "str": np.array([b"ab", b"", b"xyz" * 50], object),
    "str_scalar": np.array(b"scalar", object),
    "str_empty": np.zeros((0,), object),
    "empty": np.zeros((3, 0), np.float32),
    "f8": np.array([1, 2, 3], ml_dtypes.float8_e4m3fn),
    "f8b": np.array([1, -2], ml_dtypes.float8_e5m2),
    "i4": np.array([-8, 7, 1], ml_dtypes.int4),
    "u4": np.array([15, 0], ml_dtypes.uint4),
}
if hasattr(ml_dtypes, "int2"):  # ml_dtypes >= 0.5
    VALUES["i2"] = np.array([-2, 1, 0], ml_dtypes.int2)
    VALUES["u2"] = np.array([3, 0], ml_dtypes.uint2)
    VALUES["f4"] = np.array([1, -0.5, 6], ml_dtypes.float4_e2m1fn)


def assert_same(a: np.ndarray, b: np.ndarray) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tolist() == b.tolist() if a.dtype == object else a.tobytes() == b.tobytes()


def write(prefix: Path, values: dict) -> str:
    with BundleWriter(prefix) as w:
        for k, v in values.items():
            w.add(k, v)
    return str(prefix)


def files_of(prefix: str | Path) -> dict[str, bytes]:
    prefix = Path(prefix)
    return {
        p.name[len(prefix.name) :]: p.read_bytes()
        for p in sorted(prefix.parent.glob(prefix.name + ".*"))
    }


# ---------------------------------------------------------------------------------------------
# CRC32C


def test_crc32c() -> None:
    assert crc32c.value(b"123456789") == 0xE3069283
    assert crc32c.mask(0) == 0xA282EAD8
    for v in (0, 1, 0xFFFFFFFF, 0x12345678):
        assert crc32c.unmask(crc32c.mask(v)) == v
    big = np.arange(300_000, dtype=np.float32)  # > one 1 MiB chunk
    assert crc32c.value(big) == crc32c.value(big.tobytes())
    assert crc32c.extend(crc32c.value(b"1234"), b"56789") == 0xE3069283


# ---------------------------------------------------------------------------------------------
# SSTable


def build(items, **kw) -> bytes:
    f = io.BytesIO()
    writer = sstable.TableWriter(f, **kw)
    for k, v in items:
        writer.add(k, v)
    writer.finish()
    return f.getvalue()


def test_empty_table_bytes() -> None:
    data = build([])
    empty_block = bytes.fromhex("0000000001000000") + bytes.fromhex("00c0f2a1b0")
    assert data[:26] == empty_block * 2
    assert data[-8:] == bytes.fromhex("57fb808b247547db") and len(data) == 26 + 48
    assert sstable.Table(data).items() == []


def test_separators() -> None:
    assert sstable.short_successor(b"v/.ATTRIBUTES/VARIABLE_VALUE") == b"w"
    assert sstable.short_successor(b"two") == b"u"
    assert sstable.short_successor(b"_CHECKPOINTABLE_OBJECT_GRAPH") == b"`"
    assert sstable.short_successor(b"\xff\xff") == b"\xff\xff"
    assert sstable.shortest_separator(b"abc1", b"abc9") == b"abc2"
    assert sstable.shortest_separator(b"abc1", b"abc2") == b"abc1"
    assert sstable.shortest_separator(b"ab", b"abc") == b"ab"


@pytest.mark.parametrize("block_size", [64, 4096, sstable.BLOCK_SIZE])
def test_table_round_trip_many_keys(block_size: int) -> None:
    items = [(b"", b"header")] + [
        (f"layer{i:04d}/kernel".encode(), bytes([i % 256]) * (i % 37)) for i in range(3000)
    ]
    data = build(items, block_size=block_size)
    table = sstable.Table(data)
    assert table.items() == items and len(table) == len(items)


def test_table_huge_value_gets_its_own_block() -> None:
    items = [(b"a", b"x"), (b"b", b"y" * (2 * 300)), (b"c", b"z")]
    assert sstable.Table(build(items, block_size=300)).items() == items


def test_table_rejects_unsorted_keys() -> None:
    writer = sstable.TableWriter(io.BytesIO())
    writer.add(b"b", b"")
    with pytest.raises(InvalidArgumentError, match="increasing"):
        writer.add(b"a", b"")


def test_snappy_block() -> None:
    # Hand-made raw snappy: literal "abcd", then copy-1 (len 8, offset 4) -> "abcd" * 3.
    compressed = bytes([12, 3 << 2]) + b"abcd" + bytes([0b000_100_01, 4])
    assert snappy.decompress(compressed) == b"abcd" * 3
    for bad in (compressed[:-1], bytes([13]) + compressed[1:], b"\x05\x0a\x00\x00"):
        with pytest.raises(DataLossError):
            snappy.decompress(bad)
    # A table whose only data block is snappy-compressed.
    contents = sstable._BlockBuilder(16)
    contents.add(b"k", b"v" * 20)
    raw = contents.finish()
    comp = bytes([len(raw), (len(raw) - 1) << 2]) + raw
    trailer = b"\x01" + crc32c.mask(crc32c.value(comp + b"\x01")).to_bytes(4, "little")
    f = io.BytesIO()
    f.write(comp + trailer)
    w = sstable.TableWriter(f)
    w._offset = f.tell()
    w._pending_handle = sstable._encode_handle(0, len(comp))
    w._last_key = b"k"
    w.finish()
    assert sstable.Table(f.getvalue()).items() == [(b"k", b"v" * 20)]


# ---------------------------------------------------------------------------------------------
# Bundles


def test_bundle_round_trip_every_dtype(tmp_path: Path) -> None:
    prefix = write(tmp_path / "ckpt", VALUES)
    with BundleReader(prefix) as reader:
        assert reader.num_shards == 1
        assert sorted(reader.keys()) == sorted(k.encode() for k in VALUES)
        for key, value in VALUES.items():
            assert_same(reader.get_tensor(key), value)
            assert reader.shape(key) == np.shape(value)
            assert reader.dtype(key) == dtypes.as_dtype(np.asarray(value).dtype).as_datatype_enum


def test_bundle_known_bytes(tmp_path: Path) -> None:
    # FORMAT.md §3.2 / §3.4: header bytes and the zero-element string tensor.
    prefix = write(tmp_path / "c", {"s": np.zeros((0,), object)})
    items = dict(sstable.Table.open(prefix + ".index").items())
    assert items[b""] == bytes.fromhex("08011a020801")
    assert files_of(prefix)[".data-00000-of-00001"] == bytes.fromhex("d8ea82a2")
    entry = protos.BundleEntryProto.FromString(items[b"s"])
    assert entry.size == 4 and entry.dtype == dtypes.DT_STRING


def test_variant_round_trip(tmp_path: Path) -> None:
    proto = protos.VariantTensorDataProto(type_name="tensorflow::TensorList", metadata=b"\x01")
    values = np.array([proto.SerializeToString(), b""], object)
    with BundleWriter(tmp_path / "v") as w:
        w.add("v", values, dtype="variant")
    assert_same(BundleReader(tmp_path / "v").get_tensor("v"), values)


def test_sharded_round_trip(tmp_path: Path) -> None:
    with BundleWriter(tmp_path / "s", num_shards=3) as w:
        for i, (key, value) in enumerate(VALUES.items()):
            w.add(key, value, shard=i % 2)  # shard 2 stays empty, but exists
    assert len(files_of(tmp_path / "s")) == 4
    reader = BundleReader(tmp_path / "s")
    assert reader.num_shards == 3
    for key, value in VALUES.items():
        assert_same(reader.get_tensor(key), value)
    os.remove(tmp_path / "s.data-00001-of-00003")
    with pytest.raises(DataLossError, match="data-00001-of-00003"):
        BundleReader(tmp_path / "s").get_tensor("f64")


def test_partitioned_round_trip(tmp_path: Path) -> None:
    full = np.arange(12, dtype=np.float32).reshape(4, 3)
    with BundleWriter(tmp_path / "p") as w:
        w.add_slice("pv", [4, 3], [(0, 2), (0, -1)], full[:2])
        w.add_slice("pv", [4, 3], [(2, 2), (0, -1)], full[2:])
        w.add("w", np.ones(2, np.float32))
    reader = BundleReader(tmp_path / "p")
    assert_same(reader.get_tensor("pv"), full)
    assert slice_keys.slice_key("pv", [(0, 2), (0, 2)]).hex() == "0070760001010280828082"
    ckpt = train.load_checkpoint(tmp_path / "p")
    assert ckpt.get_variable_to_shape_map() == {"pv": [4, 3], "w": [2]}
    with pytest.raises(InvalidArgumentError):
        BundleWriter(tmp_path / "q").add_slice("pv", [4, 3], [(3, 2), (0, -1)], full[:2])


def test_writer_rejects_bad_keys(tmp_path: Path) -> None:
    w = BundleWriter(tmp_path / "x")
    w.add("a", 1.0)
    with pytest.raises(InvalidArgumentError, match="duplicate"):
        w.add("a", 2.0)
    with pytest.raises(InvalidArgumentError, match="reserved"):
        w.add("", 2.0)
    w.abort()
    assert not list(tmp_path.iterdir())


def test_crc_corruption_names_the_key(tmp_path: Path) -> None:
    prefix = write(tmp_path / "c", {"a/b": np.arange(4, dtype=np.float32), "s": VALUES["str"]})
    data = tmp_path / "c.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[3] ^= 0x10
    raw[-1] ^= 0x01
    data.write_bytes(bytes(raw))
    reader = BundleReader(prefix)
    with pytest.raises(DataLossError, match=r"c\.data-00000-of-00001: tensor a/b: checksum"):
        reader.get_tensor("a/b")
    with pytest.raises(DataLossError, match="tensor s"):
        reader.get_tensor("s")


# ---------------------------------------------------------------------------------------------
# Corrupt and truncated files: every outcome is DataLossError (or an intact read).

SMALL = {
    "a": np.arange(5, dtype=np.float32),
    "s": np.array([b"xy", b"z"], object),
    "n": np.int64(7),
}


def read_all(prefix: str) -> dict[str, np.ndarray]:
    with BundleReader(prefix) as reader:
        return {k.decode(): reader.get_tensor(k) for k in reader.keys()}


def _fuzz(prefix: str, path: Path, flips: list[int]) -> None:
    """Every truncation of `path`, and every XOR of each byte with each of `flips`."""
    good = path.read_bytes()
    corrupted = [good[:cut] for cut in range(len(good))]
    for pos in range(len(good)):
        for flip in flips:
            corrupted.append(good[:pos] + bytes([good[pos] ^ flip]) + good[pos + 1 :])
    for data in corrupted:
        path.write_bytes(data)
        with pytest.raises(DataLossError):
            read_all(prefix)


def test_fuzz_index(tmp_path: Path) -> None:
    prefix = write(tmp_path / "f", SMALL)
    _fuzz(prefix, Path(prefix + ".index"), [0x01, 0x08, 0x80])


def test_fuzz_data(tmp_path: Path) -> None:
    prefix = write(tmp_path / "f", SMALL)
    _fuzz(prefix, Path(prefix + ".data-00000-of-00001"), [0x41])


def test_bogus_sizes_do_not_allocate(tmp_path: Path) -> None:
    prefix = str(tmp_path / "b")
    header = protos.BundleHeaderProto(num_shards=1)
    header.version.producer = 1
    huge = protos.BundleEntryProto(dtype=dtypes.DT_FLOAT, size=2**62)
    huge.shape.dim.add(size=2**60)
    strings = protos.BundleEntryProto(dtype=dtypes.DT_STRING, size=4)
    strings.shape.dim.add(size=2**40)
    items = [(b"", header.SerializeToString()), (b"h", huge.SerializeToString())]
    items.append((b"s", strings.SerializeToString()))
    sstable.write_table(prefix + ".index", items)
    Path(prefix + ".data-00000-of-00001").write_bytes(b"\0" * 16)
    reader = BundleReader(prefix)
    with pytest.raises(DataLossError, match="past the end"):
        reader.get_tensor("h")
    with pytest.raises(DataLossError, match="cannot fit"):
        reader.get_tensor("s")


def test_missing_and_bad_header(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        BundleReader(tmp_path / "nothing")
    sstable.write_table(tmp_path / "x.index", [(b"k", b"")])
    with pytest.raises(DataLossError, match="header"):
        BundleReader(tmp_path / "x")
    header = protos.BundleHeaderProto(num_shards=1)
    header.version.min_consumer = 7
    sstable.write_table(tmp_path / "y.index", [(b"", header.SerializeToString())])
    with pytest.raises(DataLossError, match="version"):
        BundleReader(tmp_path / "y")


# ---------------------------------------------------------------------------------------------
# TF-written fixtures (no TensorFlow needed)


def expected_value(item: dict) -> np.ndarray:
    row = dtypes.info(item["dtype"])
    if "b64" in item:
        out = np.empty(len(item["b64"]), dtype=object)
        out[:] = [base64.b64decode(s) for s in item["b64"]]
        return out.reshape(item["shape"])
    return np.frombuffer(bytes.fromhex(item["hex"]), dtype=row.numpy).reshape(item["shape"])


@pytest.mark.parametrize("name", sorted(EXPECTED["checkpoints"]))
def test_read_tf_fixture(name: str) -> None:
    spec = EXPECTED["checkpoints"][name]
    reader = train.load_checkpoint(FIXTURES / name / spec["prefix"])
    shapes = reader.get_variable_to_shape_map()
    assert shapes == {k: v["shape"] for k, v in spec["tensors"].items()}
    dtype_map = reader.get_variable_to_dtype_map()
    for key, item in spec["tensors"].items():
        assert dtype_map[key] == dtypes.DType(item["dtype"])
        if "hex" in item or "b64" in item:
            assert_same(
                np.asarray(reader.get_tensor(key), dtype=object if "b64" in item else None),
                expected_value(item),
            )
    assert train.list_variables(FIXTURES / name / spec["prefix"]) == sorted(shapes.items())


def tf_written_bundles() -> list[Path]:
    found = [FIXTURES / n / s["prefix"] for n, s in EXPECTED["checkpoints"].items()]
    found += [p.with_suffix("") for p in sorted(SAVED_MODELS.glob("*/variables/variables.index"))]
    return found


def rewrite(prefix: Path, out: Path) -> None:
    """Write with our writer every tensor of `prefix`, in TF's data order (shard, offset)."""
    reader = BundleReader(prefix)
    slice_of = {}
    for key in reader.keys():
        entry = reader.entry(key)
        for proto in entry.slices:
            extents = slice_keys.extents_from_proto(proto)
            slice_of[slice_keys.slice_key(key.decode(), extents)] = (key.decode(), extents, entry)
    order = sorted(
        (k for k in reader.keys() if not reader.entry(k).slices),
        key=lambda k: (reader.entry(k).shard_id, reader.entry(k).offset),
    )
    with BundleWriter(out, num_shards=reader.num_shards) as w:
        for key in order:
            entry = reader.entry(key)
            value = reader.get_tensor(key)
            if key in slice_of:
                name, extents, full = slice_of[key]
                full_shape = [d.size for d in full.shape.dim]
                w.add_slice(
                    name, full_shape, extents, value, dtype=entry.dtype, shard=entry.shard_id
                )
            else:
                w.add(key.decode(), value, dtype=entry.dtype, shard=entry.shard_id)


@pytest.mark.parametrize(
    "prefix", tf_written_bundles(), ids=lambda p: str(p.relative_to(FIXTURES.parent).parent)
)
def test_rewrite_tf_bundle_byte_for_byte(prefix: Path, tmp_path: Path) -> None:
    rewrite(prefix, tmp_path / prefix.name)
    assert files_of(tmp_path / prefix.name) == files_of(prefix)


# ---------------------------------------------------------------------------------------------
# savedmodel.train


def test_train_api(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "tf2_manager", tmp_path / "m")
    assert train.latest_checkpoint(tmp_path / "m") == str(tmp_path / "m" / "ckpt-3")
    state = train.get_checkpoint_state(tmp_path / "m")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "m" / f"ckpt-{i}") for i in (2, 3)]
    assert len(state.all_model_checkpoint_timestamps) == 2
    reader = train.load_checkpoint(tmp_path / "m")
    step = reader.get_tensor("step/.ATTRIBUTES/VARIABLE_VALUE")
    assert isinstance(step, np.int64) and step == 3
    assert reader.get_tensor("name_/.ATTRIBUTES/VARIABLE_VALUE") == b"model-a"
    assert reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH") and not reader.has_tensor("nope")
    assert repr(reader.get_variable_to_dtype_map()["half/.ATTRIBUTES/VARIABLE_VALUE"]) == (
        "tf.bfloat16"
    )
    assert train.load_variable(tmp_path / "m", "step/.ATTRIBUTES/VARIABLE_VALUE:0") == 3
    with pytest.raises(NotFoundError, match="Key nope not found"):
        reader.get_tensor("nope")
    for f in (tmp_path / "m").glob("ckpt-3.*"):
        f.unlink()
    assert train.latest_checkpoint(tmp_path / "m") is None
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        train.load_checkpoint(tmp_path / "m")  # a ValueError, as in TF, and our NotFoundError:
    with pytest.raises(NotFoundError, match=re.escape(f"given directory {tmp_path / 'm'}")):
        train.load_checkpoint(tmp_path / "m")
    with pytest.raises(NotFoundError, match="Failed to find any matching files"):
        train.load_checkpoint(tmp_path / "m" / "ckpt-9")
    assert train.latest_checkpoint(tmp_path / "empty") is None


def test_checkpoint_state_parsing(tmp_path: Path) -> None:
    (tmp_path / "checkpoint").write_text(
        '# comment\nmodel_checkpoint_path: "/abs/x\\"y"\nall_model_checkpoint_paths: "rel"\n'
        "last_preserved_timestamp: 1.5e9\n"
    )
    state = train.get_checkpoint_state(tmp_path)
    assert state.model_checkpoint_path == '/abs/x"y'
    assert state.all_model_checkpoint_paths == [str(tmp_path / "rel")]
    assert state.last_preserved_timestamp == 1.5e9
    (tmp_path / "checkpoint").write_text("model_checkpoint_path: 3\n")
    with pytest.raises(DataLossError):
        train.get_checkpoint_state(tmp_path)
    (tmp_path / "checkpoint").write_text("")
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        train.get_checkpoint_state(tmp_path)


def test_debug_string() -> None:
    spec = EXPECTED["checkpoints"]["tf1_saver"]
    text = train.load_checkpoint(FIXTURES / "tf1_saver" / spec["prefix"]).debug_string()
    assert b"dense/w (DT_FLOAT) [3]\n" in text and b"\x00pv\x00\x01" in text
    assert b"\npv (" not in text


# ---------------------------------------------------------------------------------------------
# Interop with TensorFlow, live


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _tf_tensor(tf, value: np.ndarray):
    value = np.asarray(value)
    if value.dtype == object:
        return tf.constant(value.astype(bytes) if value.size else np.zeros(value.shape, bytes))
    return tf.constant(value)


@pytest.mark.interop
def test_tf_reads_our_bundles(tf, tmp_path: Path) -> None:
    prefix = write(tmp_path / "ours", VALUES)
    reader = tf.train.load_checkpoint(prefix)
    assert reader.get_variable_to_shape_map() == {k: list(np.shape(v)) for k, v in VALUES.items()}
    for key, value in VALUES.items():
        value = np.asarray(value)
        got = np.asarray(reader.get_tensor(key), dtype=object if value.dtype == object else None)
        assert_same(got, value)
        assert (
            reader.get_variable_to_dtype_map()[key].as_datatype_enum
            == dtypes.as_dtype(value.dtype).as_datatype_enum
        )
    restored = tf.raw_ops.RestoreV2(
        prefix=prefix,
        tensor_names=["bf16", "str"],
        shape_and_slices=["", ""],
        dtypes=[tf.bfloat16, tf.string],
    )
    assert_same(restored[0].numpy(), VALUES["bf16"])
    assert restored[1].numpy().tolist() == VALUES["str"].tolist()


@pytest.mark.interop
def test_save_v2_byte_for_byte(tf, tmp_path: Path) -> None:
    variant = tf.raw_ops.TensorListFromTensor(
        tensor=tf.constant([[1.0, 2.0]]), element_shape=tf.constant([2])
    )
    names = list(VALUES) + ["variant"]
    tensors = [_tf_tensor(tf, v) for v in VALUES.values()] + [variant]
    tf.raw_ops.SaveV2(
        prefix=str(tmp_path / "tf"),
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=tensors,
    )
    variant_bytes = BundleReader(tmp_path / "tf").get_tensor("variant")
    with BundleWriter(tmp_path / "ours") as w:
        for key, value in VALUES.items():
            w.add(key, value)
        w.add("variant", variant_bytes, dtype="variant")
    assert files_of(tmp_path / "ours") == files_of(tmp_path / "tf")


@pytest.mark.interop
def test_multi_block_index_byte_for_byte(tf, tmp_path: Path) -> None:
    names = [f"layer_{i:05d}/kernel/.ATTRIBUTES/VARIABLE_VALUE" for i in range(6000)]
    values = [np.full(3, i, np.float32) for i in range(6000)]
    tf.raw_ops.SaveV2(
        prefix=str(tmp_path / "tf"),
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=values,
    )
    with BundleWriter(tmp_path / "ours") as w:
        for name, value in zip(names, values, strict=True):
            w.add(name, value)
    ours = files_of(tmp_path / "ours")
    assert ours == files_of(tmp_path / "tf")
    assert len(ours[".index"]) > sstable.BLOCK_SIZE + 1000  # so at least two data blocks


@pytest.mark.interop
def test_read_live_tf_checkpoints(tf, tmp_path: Path) -> None:
    root = tf.Module()
    root.v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    root.b = tf.Variable(np.array([1.5, 2], ml_dtypes.bfloat16))
    root.s = tf.Variable([b"a", b"bc"])
    root.big = tf.Variable(np.arange(200, dtype=np.int64))
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(root=root), str(tmp_path / "m"), 3)
    manager.save()
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=500)
    options = tf.train.CheckpointOptions(experimental_sharding_callback=policy)
    sharded = tf.train.Checkpoint(root=root).write(str(tmp_path / "sh" / "ckpt"), options=options)
    assert len(list((tmp_path / "sh").glob("ckpt.data-*"))) > 1
    for where in (tmp_path / "m", sharded):
        theirs = tf.train.load_checkpoint(str(where))
        ours = train.load_checkpoint(where)
        assert ours.get_variable_to_shape_map() == theirs.get_variable_to_shape_map()
        assert {k: v.name for k, v in ours.get_variable_to_dtype_map().items()} == {
            k: v.name for k, v in theirs.get_variable_to_dtype_map().items()
        }
        for key in theirs.get_variable_to_shape_map():
            want = theirs.get_tensor(key)
            got = ours.get_tensor(key)
            assert type(got) is type(want)
            assert_same(
                np.asarray(got, dtype=object if isinstance(got, bytes) else None),
                np.asarray(want, dtype=object if isinstance(want, bytes) else None),
            )
    rewrite(Path(sharded), tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(sharded)


@pytest.mark.interop
def test_read_live_tf1_saver_partitioned(tf, tmp_path: Path) -> None:
    tf1 = tf.compat.v1
    with tf.Graph().as_default():
        pv = tf1.get_variable(
            "pv",
            shape=[5, 3],
            initializer=tf1.random_normal_initializer(seed=1),
            partitioner=tf1.fixed_size_partitioner(3),
        )
        saver = tf1.train.Saver(sharded=True)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            expected = sess.run(tf.concat(list(pv), axis=0))
            prefix = saver.save(sess, str(tmp_path / "model"), write_meta_graph=False)
    ours = train.load_checkpoint(tmp_path)
    assert ours.prefix == prefix
    assert_same(ours.get_tensor("pv"), expected)
    assert train.list_variables(tmp_path) == tf.train.list_variables(str(tmp_path))
    rewrite(Path(prefix), tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(prefix)


@pytest.mark.interop
def test_saved_model_variables_byte_for_byte(tf, tmp_path: Path) -> None:
    root = tf.Module()
    root.w = tf.Variable(np.arange(4, dtype=np.float32))
    root.child = tf.Module()
    root.child.table = tf.Variable(["x", "yz"])
    root.f = tf.function(lambda x: x * root.w, input_signature=[tf.TensorSpec([4], tf.float32)])
    tf.saved_model.save(root, str(tmp_path / "sm"))
    prefix = tmp_path / "sm" / "variables" / "variables"
    rewrite(prefix, tmp_path / "again" / "variables")
    assert files_of(tmp_path / "again" / "variables") == files_of(prefix)
