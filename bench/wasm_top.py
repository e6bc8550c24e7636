#!/usr/bin/env python3
"""What the page's WebAssembly carries: its largest functions and the crates they come from.

Usage: bench/wasm_top.py FILE.wasm [N]

FILE must keep its name section (bench/wasm-top.sh builds one). Prints the file's code and data
sizes, the N largest function bodies (default 20) with their demangled names, and the code
grouped by crate: a function is counted for the crate of its path, or for the trait's crate when
it implements a trait (`<T as tachys::view::Render>::build` counts for tachys).
"""
import collections
import re
import subprocess
import sys


def leb128(data, at):
    """An unsigned LEB128 number at `at`: (value, position after it)."""
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def skip_limits(data, at):
    flags, at = leb128(data, at)
    _, at = leb128(data, at)
    if flags & 1:
        _, at = leb128(data, at)
    return at


def read_module(data):
    """Function body sizes (in order), function names by index, imported function count, data size."""
    bodies, names, imported, data_size = [], {}, 0, 0
    at = 8
    while at < len(data):
        section = data[at]
        size, at = leb128(data, at + 1)
        end = at + size
        if section == 2:  # imports: functions come first in the index space
            count, pos = leb128(data, at)
            for _ in range(count):
                for _ in range(2):  # module and field names
                    length, pos = leb128(data, pos)
                    pos += length
                kind = data[pos]
                pos += 1
                if kind == 0:
                    _, pos = leb128(data, pos)
                    imported += 1
                elif kind == 1:
                    pos = skip_limits(data, pos + 1)
                elif kind == 2:
                    pos = skip_limits(data, pos)
                elif kind == 3:
                    pos += 2
                else:
                    _, pos = leb128(data, pos)
        elif section == 10:  # code
            count, pos = leb128(data, at)
            for _ in range(count):
                length, body = leb128(data, pos)
                bodies.append(body - pos + length)
                pos = body + length
        elif section == 11:
            data_size += size
        elif section == 0:
            length, pos = leb128(data, at)
            if data[pos:pos + length] == b"name":
                pos += length
                while pos < end:
                    kind = data[pos]
                    length, pos = leb128(data, pos + 1)
                    if kind == 1:
                        count, entry = leb128(data, pos)
                        for _ in range(count):
                            index, entry = leb128(data, entry)
                            size_of_name, entry = leb128(data, entry)
                            names[index] = data[entry:entry + size_of_name].decode("utf-8", "replace")
                            entry += size_of_name
                    pos += length
        at = end
    return bodies, names, imported, data_size


def crate_of(name):
    plain = name.lstrip("<").replace("&mut ", "").replace("&", "")
    implemented = re.match(r"(.*?) as ([\w:]+)", plain)
    path = implemented.group(2) if implemented else plain
    return path.split("::")[0].split("<")[0].split("[")[0]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    bodies, names, imported, data_size = read_module(data)
    if not names:
        sys.exit(f"{sys.argv[1]} has no name section: build it with bench/wasm-top.sh")
    raw = [names.get(index + imported, f"function {index}") for index in range(len(bodies))]
    demangled = subprocess.run(["c++filt"], input="\n".join(raw), capture_output=True, text=True, check=True)
    readable = [re.sub(r"::h[0-9a-f]{16}$", "", name) for name in demangled.stdout.split("\n")]
    functions = sorted(zip(bodies, readable), reverse=True)
    code = sum(bodies)
    print(f"{sys.argv[1]}: {len(data):,} bytes, code {code:,} in {len(bodies):,} functions, data {data_size:,}")
    print(f"\n| largest functions | bytes | of the code |\n|---|---:|---:|")
    for size, name in functions[:top]:
        print(f"| `{name[:110]}` | {size:,} | {size * 100 / code:.1f}% |")
    by_crate, count = collections.Counter(), collections.Counter()
    for size, name in functions:
        by_crate[crate_of(name)] += size
        count[crate_of(name)] += 1
    print(f"\n| crate | bytes | of the code | functions |\n|---|---:|---:|---:|")
    for crate, size in by_crate.most_common(top):
        print(f"| {crate} | {size:,} | {size * 100 / code:.1f}% | {count[crate]:,} |")


if __name__ == "__main__":
    main()
