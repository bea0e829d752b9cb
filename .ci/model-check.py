#!/usr/bin/env python3
"""Model check: compares schemas/ with the AWS ECS service model (botocore's
botocore/data/ecs/2014-11-13/service-2.json[.gz]) for the four task operations.

For every input and output member reachable from RunTask, StopTask, DescribeTasks and
ListTasks (and every error shape they list) it compares member names, JSON types
(timestamps as epoch numbers), enum values, open/closed enums, required members, numeric
and length limits, and each operation's error list. Every difference must either be gone
(fixed in schemas/) or be listed with its reason in src/contract/model-differences.json;
any other difference, and any listed difference that no longer occurs, fails the check.

Usage:
  model-check.py MODEL [--schemas DIR] [--differences FILE]
  model-check.py MODEL --self-test   # shows the check failing on mutated copies of schemas/
MODEL is the path of service-2.json or service-2.json.gz, or "botocore" to take the one
of the botocore importable by this interpreter.
Standard library only. Exit 0: no unexplained difference; 1: differences; 2: bad input.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

OPERATIONS = ["RunTask", "StopTask", "DescribeTasks", "ListTasks"]
# Members of errors/ErrorBody.json that the awsJson1.1 protocol puts on every error body.
PROTOCOL_ERROR_MEMBERS = ("__type", "code", "Message")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_model(path):
    if path == "botocore":
        import botocore  # noqa: only when asked for

        base = os.path.join(os.path.dirname(botocore.__file__), "data", "ecs", "2014-11-13")
        path = os.path.join(base, "service-2.json.gz")
        if not os.path.exists(path):
            path = os.path.join(base, "service-2.json")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


class Schemas:
    """schemas/ with $ref resolution (refs are relative to the referring file)."""

    def __init__(self, root):
        self.root = root
        self.cache = {}
        with open(os.path.join(root, "operations.json"), encoding="utf-8") as f:
            self.data = json.load(f)

    def doc(self, rel):
        rel = os.path.normpath(rel)
        if rel not in self.cache:
            with open(os.path.join(self.root, rel), encoding="utf-8") as f:
                self.cache[rel] = json.load(f)
        return self.cache[rel]

    def resolve(self, node, rel):
        """The node with its $ref merged in (siblings win, properties are united), the
        file the result lives in, and the enum file name if the chain passed one."""
        enum_file = None
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            seen += 1
            target_rel = os.path.normpath(os.path.join(os.path.dirname(rel), node["$ref"].split("#")[0]))
            target = self.doc(target_rel)
            if target_rel.startswith("enums" + os.sep):
                enum_file = os.path.splitext(os.path.basename(target_rel))[0]
            merged = dict(target)
            for k, v in node.items():
                if k == "$ref":
                    continue
                if k == "properties" and "properties" in target:
                    props = dict(target["properties"])
                    props.update(v)
                    merged[k] = props
                else:
                    merged[k] = v
            node, rel = merged, target_rel
        return node, rel, enum_file


def jtype(schema):
    t = schema.get("type")
    return t if isinstance(t, str) else (sorted(t) if t else None)


class Checker:
    def __init__(self, model, schemas):
        self.model = model
        self.shapes = model["shapes"]
        self.s = schemas
        self.diffs = {}  # key -> where first seen
        self.visited = set()

    def diff(self, key, where):
        self.diffs.setdefault(key, where)

    def compare(self, shape_name, node, rel, where, owner):
        """owner: 'Shape.member' naming the place the shape is used (for scalar diffs)."""
        node, rel, enum_file = self.s.resolve(node, rel)
        shape = self.shapes[shape_name]
        t = shape["type"]
        memo = (shape_name, rel, json.dumps(node, sort_keys=True), owner)
        if memo in self.visited:
            return
        self.visited.add(memo)
        st = jtype(node)
        if t == "structure":
            if st != "object":
                self.diff(f"{owner}: type object in the model, {st} in the schema", where)
                return
            props = node.get("properties", {})
            members = shape.get("members", {})
            for m, ms in members.items():
                if m not in props:
                    self.diff(f"{shape_name}.{m}: member missing from the schema", where)
                else:
                    self.compare(ms["shape"], props[m], rel, f"{where}/{m}", f"{shape_name}.{m}")
            for p in props:
                if p not in members:
                    if shape.get("exception") and p in PROTOCOL_ERROR_MEMBERS:
                        # the same protocol member on every error shape: one difference
                        self.diff(f"every error shape.{p}: member in the schema, not in the model", where)
                    else:
                        self.diff(f"{shape_name}.{p}: member in the schema, not in the model", where)
            mreq = set(shape.get("required", []))
            sreq = set(node.get("required", []))
            for r in sorted(mreq - sreq):
                self.diff(f"{shape_name}.{r}: required in the model, optional in the schema", where)
            for r in sorted(sreq - mreq):
                self.diff(f"{shape_name}.{r}: required in the schema, optional in the model", where)
        elif t == "list":
            if st != "array":
                self.diff(f"{owner}: type array in the model, {st} in the schema", where)
                return
            self.limits(shape, node, "minItems", "maxItems", owner, where)
            self.compare(shape["member"]["shape"], node.get("items", {}), rel, f"{where}/*", owner + "[]")
        elif t == "string":
            if st != "string":
                self.diff(f"{owner}: type string in the model, {st} in the schema", where)
                return
            self.limits(shape, node, "minLength", "maxLength", owner, where)
            if shape.get("pattern") and node.get("pattern") != shape["pattern"]:
                self.diff(f"{owner}: pattern {shape['pattern']} in the model, {node.get('pattern')} in the schema", where)
            menum, senum = shape.get("enum"), node.get("enum")
            if menum is not None and senum is None:
                self.diff(f"{owner}: enum {shape_name} in the model, plain string in the schema", where)
            elif menum is None and senum is not None:
                self.diff(f"{owner}: plain string in the model, enum {enum_file or '(inline)'} in the schema", where)
            elif menum is not None:
                name = enum_file or "(inline)"
                for v in menum:
                    if v not in senum:
                        self.diff(f"{shape_name}: value {v} missing from schema enum {name}", where)
                for v in senum:
                    if v not in menum:
                        self.diff(f"{shape_name}: value {v} in schema enum {name}, not in the model", where)
                kind = self.s.data.get("enums", {}).get(name)
                if kind != "open":
                    self.diff(f"{shape_name}: enum {name} is {kind or 'unclassified'} in operations.json; AWS enums are open", where)
        elif t in ("integer", "long"):
            if st != "integer":
                self.diff(f"{owner}: type integer in the model, {st} in the schema", where)
                return
            self.limits(shape, node, "minimum", "maximum", owner, where)
        elif t in ("float", "double"):
            if st != "number":
                self.diff(f"{owner}: type number in the model, {st} in the schema", where)
            self.limits(shape, node, "minimum", "maximum", owner, where)
        elif t == "boolean":
            if st != "boolean":
                self.diff(f"{owner}: type boolean in the model, {st} in the schema", where)
        elif t == "timestamp":
            if st != "number":
                self.diff(f"{owner}: timestamp (epoch number) in the model, {st} in the schema", where)
        else:
            self.diff(f"{owner}: model type {t} not understood by the check", where)

    def limits(self, shape, node, lo, hi, owner, where):
        for mk, sk in (("min", lo), ("max", hi)):
            if shape.get(mk) != node.get(sk):
                self.diff(f"{owner}: {mk} {shape.get(mk)} in the model, {sk} {node.get(sk)} in the schema", where)

    def run(self):
        ops = self.s.data["operations"]
        for op in OPERATIONS:
            mop = self.model["operations"][op]
            sop = ops.get(op)
            if sop is None:
                self.diff(f"{op}: operation missing from operations.json", op)
                continue
            for side, key in (("input", "request"), ("output", "response")):
                rel = sop[key]
                self.compare(mop[side]["shape"], self.s.doc(rel), rel, f"{op}.{key}", f"{op}.{key}")
            merrs = sorted(e["shape"] for e in mop.get("errors", []))
            serrs = sorted(sop.get("errors", []))
            for e in merrs:
                if e not in serrs:
                    self.diff(f"{op}: error {e} in the model, not in operations.json", op)
            for e in serrs:
                if e not in merrs:
                    self.diff(f"{op}: error {e} in operations.json, not in the model", op)
            for e in merrs:
                rel = f"errors/{e}.json"
                if not os.path.exists(os.path.join(self.s.root, rel)):
                    self.diff(f"{e}: error schema missing", op)
                    continue
                self.compare(e, self.s.doc(rel), rel, f"{op}!{e}", e)
        return self.diffs


def check(model, schemas_dir, differences_path, out=sys.stdout):
    diffs = Checker(model, Schemas(schemas_dir)).run()
    with open(differences_path, encoding="utf-8") as f:
        listed = json.load(f)
    listed = {d["difference"]: d["reason"] for d in listed["differences"]}
    unexplained = sorted(k for k in diffs if k not in listed)
    stale = sorted(k for k in listed if k not in diffs)
    for k in sorted(diffs):
        if k in listed:
            print(f"  listed:      {k}", file=out)
    for k in unexplained:
        print(f"  UNEXPLAINED: {k}   (at {diffs[k]})", file=out)
    for k in stale:
        print(f"  STALE:       {k}   (listed in {differences_path}, no longer a difference)", file=out)
    if unexplained or stale:
        print(
            f"model check FAILED: {len(unexplained)} difference(s) between schemas/ and the ECS service model "
            f"are neither fixed nor listed with a reason, {len(stale)} listed difference(s) no longer occur. "
            f"Fix the schema, or add the difference with its reason to {differences_path}.",
            file=out,
        )
        return 1
    print(f"model check passed: {len(diffs)} difference(s), each listed with its reason", file=out)
    return 0


def self_test(model_arg, schemas_dir, differences_path):
    """Runs the check on mutated copies of schemas/: it must fail each time."""
    def mutate_remove_member(d):
        p = os.path.join(d, "shapes", "Container.json")
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        del doc["properties"]["exitCode"]
        with open(p, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return "Container.exitCode: member missing from the schema"

    def mutate_enum_value(d):
        p = os.path.join(d, "enums", "LaunchType.json")
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        doc["enum"] = ["EC3" if v == "EC2" else v for v in doc["enum"]]
        with open(p, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return "LaunchType: value EC2 missing from schema enum LaunchType"

    failures = 0
    for name, mutate in (("member removed", mutate_remove_member), ("enum value changed", mutate_enum_value)):
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "schemas")
            shutil.copytree(schemas_dir, copy)
            expected = mutate(copy)
            r = subprocess.run(
                [sys.executable, os.path.abspath(__file__), model_arg, "--schemas", copy, "--differences", differences_path],
                capture_output=True, text=True,
            )
            ok = r.returncode == 1 and ("UNEXPLAINED: " + expected) in r.stdout
            print(f"self-test ({name}): {'ok, the check fails' if ok else 'WRONG'} (exit {r.returncode})")
            if not ok:
                print(r.stdout + r.stderr)
                failures += 1
    r = subprocess.run(
        [sys.executable, os.path.abspath(__file__), model_arg, "--schemas", schemas_dir, "--differences", differences_path],
        capture_output=True, text=True,
    )
    print(f"self-test (unmodified schemas): {'ok, the check passes' if r.returncode == 0 else 'WRONG'}")
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        failures += 1
    return 1 if failures else 0


def main(argv):
    args = list(argv[1:])
    if not args or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    model_arg = args.pop(0)
    schemas_dir = os.path.join(ROOT, "schemas")
    differences = os.path.join(ROOT, "src", "contract", "model-differences.json")
    selftest = False
    while args:
        a = args.pop(0)
        if a == "--schemas" and args:
            schemas_dir = args.pop(0)
        elif a == "--differences" and args:
            differences = args.pop(0)
        elif a == "--self-test":
            selftest = True
        else:
            print(f"unknown argument {a}\n{__doc__}", file=sys.stderr)
            return 2
    try:
        model = load_model(model_arg)
    except (OSError, ValueError, ImportError) as e:
        print(f"model check: cannot read the service model {model_arg}: {e}", file=sys.stderr)
        return 2
    if selftest:
        return self_test(model_arg, schemas_dir, differences)
    return check(model, schemas_dir, differences)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
