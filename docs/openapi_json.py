#!/usr/bin/env python3
"""openapi_json.py IN.yaml OUT.json: docs/openapi.yaml as compact JSON, the
/openapi.json users.fcgi builds in (src/users/CMakeLists.txt runs it).

Stricter than a plain yaml.safe_load: a key given twice in one mapping is
an error (YAML would keep the last one silently), the root must be an
OpenAPI 3.1 document, and every value must be one JSON can hold (a bare
date such as 2026-01-01 would load as a datetime: quote it).  Debian's
python3-yaml (PyYAML)."""
import json
import os
import sys

import yaml


# libyaml's parser when python3-yaml has it (Debian's does), else PyYAML's.
class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def main(argv):
    if len(argv) != 3:
        print("usage: openapi_json.py IN.yaml OUT.json", file=sys.stderr)
        return 2
    src, dst = argv[1], argv[2]
    try:
        with open(src, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=UniqueKeyLoader)
        if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
            raise ValueError("the root must be a mapping with openapi: 3.1.x")
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False) + "\n"
    except (OSError, yaml.YAMLError, ValueError, TypeError) as e:
        print(f"openapi_json.py: {src}: {e}", file=sys.stderr)
        return 1
    with open(dst + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(dst + ".tmp", dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
