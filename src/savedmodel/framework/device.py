"""Device strings as graph building handles them (TF's DeviceSpec: parse, merge, print).

    merge("/job:x/task:1/device:GPU:1", "CPU")  -> "/job:x/task:1/device:CPU:1"
    canonical("cpu:0")                          -> "/device:CPU:0"
    canonical("CPU")                            -> "/device:CPU:*"

Devices only matter for the NodeDefs we write (TensorFlow places ops by them); nothing here
places anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DeviceSpec:
    job: str | None = None
    replica: int | None = None
    task: int | None = None
    device_type: str | None = None
    device_index: int | None = None

    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        fields: dict[str, object] = {}
        for part in (p for p in spec.split("/") if p):
            pieces = part.split(":")
            key = pieces[0].lower()
            if key == "job" and len(pieces) == 2:
                fields["job"] = pieces[1]
            elif key == "replica" and len(pieces) == 2:
                fields["replica"] = int(pieces[1])
            elif key == "task" and len(pieces) == 2:
                fields["task"] = int(pieces[1])
            elif key == "device" and len(pieces) in (2, 3):
                fields["device_type"] = pieces[1].upper() if pieces[1].lower() in (
                    "cpu", "gpu") else pieces[1]  # fmt: skip
                if len(pieces) == 3 and pieces[2] != "*":
                    fields["device_index"] = int(pieces[2])
            elif len(pieces) in (1, 2) and pieces[0]:
                fields["device_type"] = pieces[0].upper()
                if len(pieces) == 2 and pieces[1] != "*":
                    fields["device_index"] = int(pieces[1])
            else:
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
        return cls(**fields)  # type: ignore[arg-type]

    def merge_from(self, other: DeviceSpec) -> DeviceSpec:
        """`other`'s set fields override ours (TF's DeviceSpec.make_merged_spec)."""
        updates = {k: v for k, v in other.__dict__.items() if v is not None}
        return replace(self, **updates)

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else str(self.device_index)
            out += f"/device:{self.device_type}:{index}"
        return out


def canonical(spec: str) -> str:
    return DeviceSpec.from_string(spec).to_string() if spec else ""


def merge(outer: str, inner: str) -> str:
    return DeviceSpec.from_string(outer).merge_from(DeviceSpec.from_string(inner)).to_string()


def set_cpu0(spec: str) -> str:
    """The same device with type CPU and index 0 (TF's saveable_object_util.set_cpu0)."""
    parsed = DeviceSpec.from_string(spec)
    return replace(parsed, device_type="CPU", device_index=0).to_string()
