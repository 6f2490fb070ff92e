"""Comparing server responses with the OpenAPI document and its example files.

- `Spec` loads the vendored OpenAPI 2.0 document: operations by id and by example file, and
  `validate(body, definition)` which checks a body against a model (required properties, no
  properties the model does not define, JSON types, enums, date-times, and polymorphic models
  resolved through `kind`). `check_response` applies that to any response of the server: the
  model of the operation it answers (or the error model), the ETag header against the body,
  and the number and time formats.
- `normalize_example(body)` turns an example response into what the server should write:
  nulls become ABSENT (the server must leave those properties out), stale kebab-case kinds
  made camelCase, stale wrapped list items ({"distributionPolicy": {...}, "etag": ...}) unwrapped.
- `compare(actual, expected, ignore=...)` checks that `actual` has every property of `expected`
  with the same JSON type, recursively, and the same value except at paths matched by `ignore`
  (server-generated values). It returns a list of readable differences; `assert_matches`
  raises with all of them.

Paths are written `$.value[].mode.kind`: `[]` stands for any list index, and ignore patterns
are glob patterns over such paths (`*` matches anything, dots included).
"""
import json
import os
import re
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference", "2023-11-01")
SPEC_PATH = os.path.join(REFERENCE, "communicationservicejobrouter.json")
EXAMPLES = os.path.join(REFERENCE, "examples")

# Maps whose keys are the user's (labels, tags ...): compared as whole values.
USER_MAPS = {"labels", "tags", "labelsToUpsert", "assignments", "estimatedWaitTimeMinutes"}

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
# How the server writes times (docs/COMPATIBILITY.md): .NET DateTimeOffset, +00:00, up to seven
# fraction digits with trailing zeros dropped.
DOTNET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,6}[1-9])?\+00:00$")

# Preview-era (kebab-case) kinds that stale examples still carry, and their GA names.
_STALE_KINDS = {
    "longest-idle": "longestIdle", "round-robin": "roundRobin", "best-worker": "bestWorker",
    "static-rule": "static", "expression-rule": "expression", "azure-function-rule": "function",
    "webhook-rule": "webhook", "direct-map-rule": "directMap", "pass-through": "passThrough",
    "rule-engine": "ruleEngine", "wait-time": "waitTime", "queue-length": "queueLength",
    "queue-and-match": "queueAndMatch", "schedule-and-suspend": "scheduleAndSuspend",
    "weighted-allocation-queue-selector": "weightedAllocation",
    "weighted-allocation-worker-selector": "weightedAllocation",
    "manual-reclassify": "manualReclassify",
}

# The list wrappers of the preview (RouterJobItem and friends): {"<entity>": {...}, "etag": ...}.
_WRAPPERS = {"distributionPolicy", "classificationPolicy", "exceptionPolicy", "queue", "job",
             "worker"}


def camel_kind(kind):
    if kind in _STALE_KINDS:
        return _STALE_KINDS[kind]
    if "-" in kind:
        head, *rest = kind.split("-")
        return head + "".join(p[:1].upper() + p[1:] for p in rest)
    return kind


class _Absent:
    """An example's null: the server leaves the property out."""

    def __repr__(self):
        return "<absent>"


ABSENT = _Absent()


def drop_absent(value):
    if isinstance(value, dict):
        return {k: drop_absent(v) for k, v in value.items() if v is not ABSENT}
    if isinstance(value, list):
        return [drop_absent(v) for v in value]
    return value


def normalize_example(value, key=None):
    if isinstance(value, dict):
        if len(value) == 2 and "etag" in value and (set(value) - {"etag"}) & _WRAPPERS:
            inner_key = (set(value) - {"etag"}).pop()
            if isinstance(value[inner_key], dict):
                merged = dict(value[inner_key])
                merged["etag"] = value["etag"]
                return normalize_example(merged, key)
        out = {}
        for k, v in value.items():
            if v is None:
                out[k] = ABSENT
                continue
            if k == "kind" and isinstance(v, str) and key not in USER_MAPS:
                v = camel_kind(v)
            out[k] = normalize_example(v, k)
        return out
    if isinstance(value, list):
        return [normalize_example(v, key) for v in value]
    return value


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _short(v):
    text = json.dumps(v, sort_keys=True, default=repr)
    return text if len(text) <= 120 else text[:117] + "..."


def _glob(pattern):
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


def _ignored(path, ignore):
    return any(_glob(p).match(path) for p in ignore)


def compare(actual, expected, ignore=(), path="$"):
    """Differences between actual and expected (see the module comment)."""
    diffs = []
    ta, te = json_type(actual), json_type(expected)
    if ta != te:
        return [f"{path}: expected {te} {_short(expected)}, got {ta} {_short(actual)}"]
    values = not _ignored(path, ignore)
    if te == "object":
        leaf = path.rsplit(".", 1)[-1]
        if leaf in USER_MAPS and values:
            if actual != expected:
                diffs.append(f"{path}: expected {_short(expected)}, got {_short(actual)}")
            return diffs
        for k, v in expected.items():
            sub = f"{path}.{k}"
            if v is ABSENT:
                if k in actual:
                    diffs.append(f"{sub}: the example has null, so the server must leave it out; "
                                 f"got {_short(actual[k])}")
            elif k not in actual:
                diffs.append(f"{sub}: missing (expected {json_type(v)} {_short(v)})")
            else:
                diffs += compare(actual[k], v, ignore, sub)
    elif te == "array":
        if values and len(actual) != len(expected):
            diffs.append(f"{path}: expected {len(expected)} items {_short(expected)}, "
                         f"got {len(actual)} {_short(actual)}")
        elif len(actual) == len(expected):
            for a, e in zip(actual, expected):
                diffs += compare(a, e, ignore, path + "[]")
        elif expected:
            for a in actual:
                diffs += compare(a, expected[0], ignore, path + "[]")
    elif values and actual != expected:
        diffs.append(f"{path}: expected {_short(expected)}, got {_short(actual)}")
    return diffs


def assert_matches(actual, expected, ignore=(), context=""):
    diffs = compare(actual, expected, ignore)
    if diffs:
        raise AssertionError(
            f"{context}: {len(diffs)} difference(s) from the example:\n  " + "\n  ".join(diffs) +
            f"\nactual:   {json.dumps(actual, sort_keys=True)}"
            f"\nexpected: {json.dumps(expected, sort_keys=True, default=repr)}")


class Spec:
    def __init__(self, path=SPEC_PATH):
        with open(path) as f:
            self.doc = json.load(f)
        self.defs = self.doc["definitions"]
        self.operations = {}   # operationId -> (method, path template, operation)
        self.by_example = {}   # example file name -> operationId
        for template, item in self.doc["paths"].items():
            for method, op in item.items():
                if method == "parameters":
                    continue
                self.operations[op["operationId"]] = (method.upper(), template, op)
                for ref in op.get("x-ms-examples", {}).values():
                    self.by_example[os.path.basename(ref["$ref"])] = op["operationId"]
        # discriminator base -> {kind: definition name}
        self.subtypes = {}
        for name, d in self.defs.items():
            value = d.get("x-ms-discriminator-value")
            for parent in d.get("allOf", []):
                base = parent["$ref"].rsplit("/", 1)[-1]
                if value:
                    self.subtypes.setdefault(base, {})[value] = name

    def response_definition(self, operation_id, status):
        op = self.operations[operation_id][2]
        schema = op["responses"].get(str(status), op["responses"].get("default", {})).get("schema")
        if not schema:
            return None
        return schema["$ref"].rsplit("/", 1)[-1]

    def _flatten(self, name):
        """Properties and required names of a definition, its allOf parents included."""
        d = self.defs[name]
        props, required = {}, set()
        for parent in d.get("allOf", []):
            p, r = self._flatten(parent["$ref"].rsplit("/", 1)[-1])
            props.update(p)
            required |= r
        props.update(d.get("properties", {}))
        required |= set(d.get("required", []))
        return props, required

    def validate(self, value, definition, path="$", server_times=True, preview=False):
        """Differences between `value` and the model `definition` (a name in definitions).

        server_times: date-times must be written the server's way (DOTNET_TIME).
        preview: allow what 2024-01-18-preview adds (RouterWorker.maxConcurrentOffers)."""
        self._times = DOTNET_TIME if server_times else RFC3339
        self._preview = preview
        return self._check(value, {"$ref": "#/definitions/" + definition}, path)

    def _check(self, value, schema, path):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            d = self.defs[name]
            if d.get("discriminator") and isinstance(value, dict):
                kind = value.get(d["discriminator"])
                sub = self.subtypes.get(name, {}).get(kind)
                if sub is None:
                    return [f"{path}.{d['discriminator']}: {kind!r} is not a kind of {name} "
                            f"(known: {sorted(self.subtypes.get(name, {}))})"]
                name, d = sub, self.defs[sub]
            if d.get("type") == "object" or "properties" in d or "allOf" in d:
                props, required = self._flatten(name)
                if name == "RouterWorker" and getattr(self, "_preview", False):
                    props = dict(props, maxConcurrentOffers={"type": "integer"})
                merged = dict(d)
                merged["properties"], merged["required"] = props, sorted(required)
                merged["type"] = "object"
                merged["_name"] = name
                return self._check(value, merged, path)
            return self._check(value, d, path)
        t = schema.get("type")
        errors = []
        if t is None:  # "any": the spec says a primitive
            if isinstance(value, (dict, list)):
                errors.append(f"{path}: expected a primitive value, got {_short(value)}")
            return errors
        if t == "object":
            if not isinstance(value, dict):
                return [f"{path}: expected object, got {_short(value)}"]
            props = schema.get("properties", {})
            for r in schema.get("required", []):
                if r not in value:
                    errors.append(f"{path}.{r}: required by {schema.get('_name', 'the model')} "
                                  "but missing")
            extra_schema = schema.get("additionalProperties")
            for k, v in value.items():
                if k in props:
                    errors += self._check(v, props[k], f"{path}.{k}")
                elif extra_schema is not None:
                    errors += self._check(v, extra_schema, f"{path}.{k}")
                else:
                    errors.append(f"{path}.{k}: not a property of "
                                  f"{schema.get('_name', 'the model')}")
            return errors
        if t == "array":
            if not isinstance(value, list):
                return [f"{path}: expected array, got {_short(value)}"]
            for i, v in enumerate(value):
                errors += self._check(v, schema["items"], f"{path}[{i}]")
            return errors
        if t == "string":
            if not isinstance(value, str):
                return [f"{path}: expected string, got {_short(value)}"]
            times = getattr(self, "_times", RFC3339)
            if schema.get("format") == "date-time" and not times.match(value):
                errors.append(f"{path}: not a date-time as the server writes them "
                              f"(yyyy-mm-ddThh:mm:ss[.fffffff]+00:00): {value!r}")
            if "enum" in schema and value not in schema["enum"]:
                errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
            return errors
        if t == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return [f"{path}: expected integer, got {_short(value)}"]
            return errors
        if t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return [f"{path}: expected number, got {_short(value)}"]
            return errors
        if t == "boolean":
            if not isinstance(value, bool):
                return [f"{path}: expected boolean, got {_short(value)}"]
            return errors
        return errors

    def operation_of(self, method, path):
        """The operationId serving `method` `path` (a path without query), or None."""
        if not hasattr(self, "_routes"):
            routes = []
            for op_id, (m, template, _) in self.operations.items():
                pattern = re.escape(template)
                pattern = re.sub(r"\\\{\w+\\\}", "[^/]+?", pattern)
                routes.append((":" not in template, m, re.compile("^" + pattern + "$"), op_id))
            self._routes = sorted(routes, key=lambda r: r[0])  # actions first
        for _, m, regex, op_id in self._routes:
            if m == method and regex.match(path):
                return op_id
        return None

    def check_response(self, method, target, status, headers, body):
        """Conformance of any response: its model, headers and number and time formats."""
        parts = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(parts.query)
        preview = query.get("api-version") == ["2024-01-18-preview"]
        op = self.operation_of(method, urllib.parse.unquote(parts.path))
        errors = []
        if status == 204:
            return ["a 204 with a body"] if body else []
        if not body:
            return [] if op is None else ["an empty body"]
        integral = []

        def parse_float(text):
            value = float(text)
            if value.is_integer():
                integral.append(text)
            return value

        ctype = headers.get("Content-Type") or ""
        if not ctype.startswith("application/json"):
            return [f"Content-Type is {ctype!r}, not application/json"]
        try:
            value = json.loads(body, parse_float=parse_float)
        except ValueError as e:
            return [f"the body is not JSON: {e}"]
        if integral:
            errors.append(f"integral numbers written with a fraction: {integral}")
        if status >= 400:
            errors += self.validate(value, "Azure.Core.Foundations.ErrorResponse")
            code = value.get("error", {}).get("code") if isinstance(value, dict) else None
            if headers.get("x-ms-error-code") != code:
                errors.append(f"x-ms-error-code {headers.get('x-ms-error-code')!r} differs "
                              f"from error.code {code!r}")
            return errors
        if op is None:
            return errors
        model = self.response_definition(op, status)
        if model is None:
            return errors + [f"{op} does not answer {status}"]
        errors += self.validate(value, model, preview=preview)
        if "etag" in self.defs[model].get("properties", {}):
            if headers.get("ETag") != value.get("etag"):
                errors.append(f"ETag header {headers.get('ETag')!r} differs from the body's "
                              f"etag {value.get('etag')!r}")
            if not headers.get("Last-Modified"):
                errors.append("no Last-Modified header")
        return errors

    def assert_valid(self, value, definition, context=""):
        errors = self.validate(value, definition)
        if errors:
            raise AssertionError(f"{context}: the body does not conform to {definition}:\n  " +
                                 "\n  ".join(errors) + f"\nbody: {json.dumps(value)}")


def load_example(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        return json.load(f)


def example_files():
    return sorted(n for n in os.listdir(EXAMPLES) if n.endswith(".json"))
