"""Validates Kubernetes objects with kubernetes-validate, in strict mode (unknown fields refused).

Reads a JSON list of objects on stdin and the Kubernetes version as the one argument;
prints a JSON list with one result per object, in order:
{"kind", "name", "result": "valid" | "invalid" | "no schema", "message"}.
Run with the python of scripts/kubernetes-validate.sh's venv.
"""
import json
import sys

import kubernetes_validate

version = sys.argv[1]
results = []
for obj in json.load(sys.stdin):
    result = {"kind": obj.get("kind"), "name": (obj.get("metadata") or {}).get("name")}
    try:
        kubernetes_validate.validate(obj, version, strict=True)
        result["result"] = "valid"
    except kubernetes_validate.SchemaNotFoundError as e:
        result["result"] = "no schema"
        result["message"] = e.message
    except kubernetes_validate.ValidationError as e:
        result["result"] = "invalid"
        where = ".".join(str(p) for p in e.absolute_path) or "(the object)"
        result["message"] = f"{where}: {e.message}"
    results.append(result)
json.dump(results, sys.stdout)
