"""Helpers for the sub-benchmarks' <name>.json files (the contract in bench/README.md)."""
import datetime
import json
import os


def machine():
    """'N cores, CPU model, memory, load average at start' of this machine."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0]
    parts = [f"{os.cpu_count()} cores", model, mem, f"load average {load:.1f} at start"]
    return ", ".join(p for p in parts if p)


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def out_dir(root):
    path = os.environ.get("BENCH_OUT") or os.path.join(root, "bench", "out")
    os.makedirs(path, exist_ok=True)
    return path


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"wrote {path}")


def metric(name, value, unit, target=None, met=None):
    m = {"name": name, "value": round(value, 2), "unit": unit}
    if target is not None:
        m["target"] = target
        m["met"] = bool(met)
    return m
