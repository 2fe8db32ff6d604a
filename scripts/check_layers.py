#!/usr/bin/env python3
"""Check libskillhost's layering on its include graph.

    scripts/check_layers.py [SOURCE_DIR]     check the tree (default: .)
    scripts/check_layers.py --self-test      show that it catches errors

host/lib/<layer>/ folders are the layers; host/CMakeLists.txt says which
layer each builds on (set(SKILLHOST_<layer>_BELOW <layer>)), and this script
reads the order from there, so CMake and the check cannot disagree. It fails,
naming the files, when

  - a module includes a header of a layer that is not its own or below it
    (CMake already refuses to compile that; this catches it in a header that
    nothing in the offending layer compiles yet, and explains it);
  - modules include each other in a cycle (a.c/a.h and b.c/b.h are modules
    a and b), inside a layer or across;
  - two folders hold a header of the same name (bare #include "x.h" would
    then depend on the include path order);
  - the CLI, the worker or the registry reach above the layer they are
    built on.

Exit status 0 when the graph is clean, 1 with one line per problem.
"""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# Programs built on libskillhost and the layer each stands on (their CMake
# targets link that layer's usage requirements); None: every layer.
CONSUMERS = {
    "host/cli": None,
    "host/worker": "isolate",
    "registry": "store",
}


def read_layers(src):
    cm = open(os.path.join(src, "host", "CMakeLists.txt")).read()
    m = re.search(r"set\(SKILLHOST_LAYERS ([^)]*)\)", cm)
    if not m:
        sys.exit("check_layers: no set(SKILLHOST_LAYERS ...) in "
                 "host/CMakeLists.txt")
    layers = m.group(1).split()
    below = dict(re.findall(r"set\(SKILLHOST_(\w+)_BELOW (\w+)\)", cm))
    allowed = {}
    for layer in layers:
        seen, cur = set(), layer
        while cur and cur not in seen:
            seen.add(cur)
            cur = below.get(cur)
        allowed[layer] = seen
    return layers, allowed


def sources(root):
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def module(path):
    # A private header X_int.h (curl's vtls_int.h) is part of module X: the
    # implementation files of X and the adapters behind it share it.
    stem = os.path.splitext(path)[0]
    if path.endswith("_int.h"):
        stem = stem[: -len("_int")]
    return stem


def check(src):
    problems = []
    lib = os.path.join(src, "host", "lib")
    layers, allowed = read_layers(src)
    layer_of = {}
    headers = {}
    for path in sources(lib):
        rel = os.path.relpath(path, lib)
        layer = rel.split(os.sep)[0]
        if layer not in allowed:
            problems.append(f"{os.path.relpath(path, src)}: folder "
                            f"'{layer}' is not a layer in "
                            "host/CMakeLists.txt")
            continue
        layer_of[path] = layer
        if path.endswith(".h"):
            name = os.path.basename(path)
            if name in headers:
                problems.append(
                    f"{os.path.relpath(path, src)}: header name clashes "
                    f"with {os.path.relpath(headers[name], src)}")
            headers[name] = path

    def resolve(path, inc):
        local = os.path.normpath(os.path.join(os.path.dirname(path), inc))
        if os.path.exists(local) and local.startswith(lib + os.sep):
            return local
        return headers.get(os.path.basename(inc))

    graph = {}
    for path, layer in layer_of.items():
        for inc in INCLUDE.findall(open(path, errors="replace").read()):
            target = resolve(path, inc)
            if not target:
                continue  # the SDK, generated or system headers
            tl = layer_of[target]
            if tl not in allowed[layer]:
                problems.append(
                    f"{os.path.relpath(path, src)}: includes {inc} of "
                    f"layer '{tl}', above '{layer}' (it builds on: "
                    f"{', '.join(sorted(allowed[layer]))})")
            a, b = module(path), module(target)
            if a != b:
                graph.setdefault(a, set()).add(b)

    for cyc in cycles(graph):
        names = [os.path.relpath(m, lib) for m in cyc]
        problems.append("include cycle: " + " -> ".join(names + names[:1]))

    for folder, base in CONSUMERS.items():
        root = os.path.join(src, folder)
        if not os.path.isdir(root):
            continue
        ok = allowed[base] if base else set(layers)
        for path in sources(root):
            for inc in INCLUDE.findall(open(path, errors="replace").read()):
                target = headers.get(os.path.basename(inc))
                if target and layer_of[target] not in ok:
                    problems.append(
                        f"{os.path.relpath(path, src)}: includes {inc} "
                        f"of layer '{layer_of[target]}', above '{base}' "
                        f"that {folder} builds on")
    return problems


def cycles(graph):
    """The strongly connected components of more than one module, each as
    one cycle through it (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(one_cycle(graph, set(comp)))
    return out


def one_cycle(graph, comp):
    """A path from the smallest module of comp back to itself."""
    first = min(comp)
    prev, queue = {first: None}, [first]
    while queue:
        cur = queue.pop(0)
        for n in sorted(graph.get(cur, ())):
            if n == first:
                path = [cur]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1]
            if n in comp and n not in prev:
                prev[n] = cur
                queue.append(n)
    return sorted(comp)


def self_test():
    """Build small trees with known faults and check each is reported, so
    a checker that silently passes everything fails this."""
    cmake = ("set(SKILLHOST_LAYERS low high)\n"
             "set(SKILLHOST_high_BELOW low)\n")
    cases = {
        "clean": ({"low/a.h": "", "low/a.c": '#include "a.h"\n',
                   "high/b.c": '#include "a.h"\n'}, []),
        "upward": ({"low/a.c": '#include "b.h"\n', "high/b.h": ""},
                   ["above 'low'"]),
        "cycle": ({"low/a.h": "", "low/a.c": '#include "b.h"\n',
                   "low/b.h": "", "low/b.c": '#include "a.h"\n'},
                  ["include cycle: low/a -> low/b -> low/a"]),
        "clash": ({"low/a.h": "", "high/a.h": ""}, ["clashes"]),
        "consumer": ({"high/b.h": "", "../worker/w.c": '#include "b.h"\n'},
                     None),
    }
    failed = 0
    for name, (files, want) in cases.items():
        tmp = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(tmp, "host", "lib"))
            with open(os.path.join(tmp, "host", "CMakeLists.txt"), "w") as f:
                f.write(cmake)
            for rel, text in files.items():
                p = os.path.normpath(os.path.join(tmp, "host", "lib", rel))
                os.makedirs(os.path.dirname(p), exist_ok=True)
                with open(p, "w") as f:
                    f.write(text)
            if name == "consumer":
                # The worker is built on 'isolate' in the real tree; here
                # on 'low', so including a 'high' header is an error.
                CONSUMERS["host/worker"] = "low"
                want = ["above 'low' that host/worker builds on"]
            got = check(tmp)
        finally:
            CONSUMERS["host/worker"] = "isolate"
            shutil.rmtree(tmp)
        good = (not got) if not want else all(
            any(w in g for g in got) for w in want) and len(got) == len(want)
        print(f"{'ok' if good else 'FAIL'}: self-test {name}: {got}")
        failed += not good
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    src = argv[1] if len(argv) > 1 else "."
    problems = check(src)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering problem(s): move the helper down "
              "a layer, or the include up (see host/CMakeLists.txt)")
        return 1
    print("host/lib: no include cycle, no upward include")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
