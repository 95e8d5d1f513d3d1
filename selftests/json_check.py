#!/usr/bin/env python3
# Validates the rfsec tool's JSON against docs/rfsec.schema.json:
#   json_check.py SCHEMA DEF FILE          FILE holds one JSON document
#   json_check.py --lines SCHEMA DEF FILE  one document per line (monitor)
# DEF names the definition under "$defs" (show, peer_list, ...). Only the
# parts of JSON Schema that the schema uses are understood ($ref, type,
# properties, required, additionalProperties, items, enum, const, pattern,
# minimum, anyOf, allOf); any other keyword is an error, so the schema
# cannot silently outgrow the checker. Needs nothing but python3.
import json
import re
import sys

KNOWN = {"$schema", "$id", "title", "description", "$defs", "$ref", "type",
         "properties", "required", "additionalProperties", "items", "enum",
         "const", "pattern", "minimum", "anyOf", "allOf"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # JSON integers only: Python's bool is an int, and 1.0 is not 1 here.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


def same(a, b):
    return type(a) is type(b) and a == b


def check(root, schema, value, where, errors):
    unknown = set(schema) - KNOWN
    if unknown:
        raise SystemExit("json_check: schema keyword(s) not understood: %s"
                         % ", ".join(sorted(unknown)))
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        check(root, root["$defs"][ref[len("#/$defs/"):]], value, where,
              errors)
    if "type" in schema:
        types = schema["type"]
        types = types if isinstance(types, list) else [types]
        if not any(TYPES[t](value) for t in types):
            errors.append("%s: %r is not of type %s" % (where, value, types))
            return
    if "const" in schema and not same(value, schema["const"]):
        errors.append("%s: %r is not %r" % (where, value, schema["const"]))
    if "enum" in schema and not any(same(value, e) for e in schema["enum"]):
        errors.append("%s: %r is not one of %r" % (where, value,
                                                  schema["enum"]))
    if "pattern" in schema and isinstance(value, str) and \
            not re.search(schema["pattern"], value):
        errors.append("%s: %r does not match %s" % (where, value,
                                                   schema["pattern"]))
    if "minimum" in schema and TYPES["integer"](value) and \
            value < schema["minimum"]:
        errors.append("%s: %r is below %r" % (where, value,
                                              schema["minimum"]))
    for sub in schema.get("allOf", []):
        check(root, sub, value, where, errors)
    if "anyOf" in schema:
        if not any(not validate(root, sub, value, where)
                   for sub in schema["anyOf"]):
            errors.append("%s: %r matches none of anyOf" % (where, value))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append("%s: missing member %r" % (where, key))
        extra = schema.get("additionalProperties", True)
        for key, member in value.items():
            if key in props:
                check(root, props[key], member, "%s.%s" % (where, key),
                      errors)
            elif extra is False:
                errors.append("%s: member %r is not in the schema"
                              % (where, key))
            elif isinstance(extra, dict):
                check(root, extra, member, "%s.%s" % (where, key), errors)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(root, schema["items"], item, "%s[%d]" % (where, i), errors)


def validate(root, schema, value, where):
    errors = []
    check(root, schema, value, where, errors)
    return errors


def main():
    args = sys.argv[1:]
    lines = args[:1] == ["--lines"]
    if lines:
        args = args[1:]
    if len(args) != 3:
        raise SystemExit(__doc__)
    schema_path, name, path = args
    root = json.load(open(schema_path))
    schema = {"$ref": "#/$defs/" + name}
    text = open(path).read()
    docs = [l for l in text.splitlines() if l.strip()] if lines else [text]
    if not docs:
        print("json_check: %s is empty" % path)
        return 1
    errors = []
    for n, doc in enumerate(docs, 1):
        try:
            value = json.loads(doc)
        except ValueError as e:
            errors.append("%s:%d: not JSON: %s" % (path, n, e))
            continue
        errors += validate(root, schema, value, "%s:%d" % (name, n))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
