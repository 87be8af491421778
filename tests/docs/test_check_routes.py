#!/usr/bin/env python3
"""The route check (check_routes.py) and the YAML-to-JSON step
(docs/openapi_json.py), with the real spec and programs and with doctored
copies: a route the spec lacks, an operation no program has, a renamed
path parameter, a program that prints garbage ... must each fail, naming
what differs.  Environment: FU_SOURCE_DIR (the repository), FU_CGI_BIN
(the built programs), FU_OPENAPI_JSON (the built openapi.json)."""
import copy
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest


SRC = os.environ.get("FU_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CGI = os.environ.get("FU_CGI_BIN", os.path.join(SRC, "build", "cgi-bin"))
BUILT_JSON = os.environ.get("FU_OPENAPI_JSON", "")
SPEC = os.path.join(SRC, "docs", "openapi.yaml")
PROGRAMS = [os.path.join(CGI, p) for p in
            ("auth.fcgi", "users.fcgi", "geocoding.fcgi", "mcp.fcgi")]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_routes  # noqa: E402

CONVERT = os.path.join(SRC, "docs", "openapi_json.py")


def load_spec():
    return check_routes.load_spec(SPEC)


class Check(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = load_spec()
        cls.routes = {os.path.basename(p): check_routes.program_routes(p)
                      for p in PROGRAMS}
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def problems(self, spec=None, routes=None):
        return check_routes.compare(routes or self.routes,
                                    check_routes.spec_operations(spec or self.spec))

    def fake_program(self, name, text, status=0):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\ncat <<'EOF'\n" + text + "EOF\nexit %d\n" % status)
        os.chmod(path, stat.S_IRWXU)
        return path

    def run_main(self, spec_doc, programs):
        path = os.path.join(self.tmp.name, "spec.yaml")
        with open(path, "w", encoding="utf-8") as f:
            # JSON is YAML, and much quicker to write than yaml.safe_dump's.
            json.dump(spec_doc, f)
        return subprocess.run([sys.executable, check_routes.__file__, path, *programs],
                              capture_output=True, text=True, timeout=60, check=False)

    # --- the real thing ---------------------------------------------------

    def test_real_spec_and_programs_agree(self):
        self.assertEqual(self.problems(), [])
        r = self.run_main(self.spec, PROGRAMS)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_every_program_has_routes(self):
        for prog, routes in self.routes.items():
            self.assertGreater(len(routes), 0, prog)
        self.assertIn(("GET", "/users/{id}"), self.routes["users.fcgi"])
        self.assertIn(("POST", "/auth/jwt/login"), self.routes["auth.fcgi"])

    # --- the spec lacks something ----------------------------------------

    def test_missing_path_fails(self):
        spec = copy.deepcopy(self.spec)
        del spec["paths"]["/geocode/city"]
        self.assertEqual(self.problems(spec),
                         ["GET /geocode/city (geocoding.fcgi) is not described in openapi.yaml"])
        r = self.run_main(spec, PROGRAMS)
        self.assertEqual(r.returncode, 1)
        self.assertIn("GET /geocode/city (geocoding.fcgi) is not described", r.stdout)

    def test_missing_method_fails(self):
        spec = copy.deepcopy(self.spec)
        del spec["paths"]["/users/{id}"]["delete"]
        self.assertEqual(self.problems(spec),
                         ["DELETE /users/{id} (users.fcgi) is not described in openapi.yaml"])

    def test_missing_well_known_fails(self):
        spec = copy.deepcopy(self.spec)
        del spec["paths"]["/.well-known/jwks.json"]
        self.assertEqual(len(self.problems(spec)), 1)

    # --- the spec has too much -------------------------------------------

    def test_extra_path_fails(self):
        spec = copy.deepcopy(self.spec)
        spec["paths"]["/crawl"] = {"post": spec["paths"]["/auth/register"]["post"]}
        self.assertEqual(self.problems(spec),
                         ["POST /crawl is described in openapi.yaml but no program routes it"])

    def test_extra_method_fails(self):
        spec = copy.deepcopy(self.spec)
        spec["paths"]["/users/me"]["delete"] = spec["paths"]["/users/{id}"]["delete"]
        self.assertEqual(self.problems(spec),
                         ["DELETE /users/me is described in openapi.yaml but no program routes it"])

    def test_documentation_routes_stay_out(self):
        # /docs and /openapi.json are ROUTE_DOCS: not in --routes, so the
        # spec must not describe them (FastAPI's include_in_schema=False).
        spec = copy.deepcopy(self.spec)
        spec["paths"]["/openapi.json"] = {"get": spec["paths"]["/"]["get"]}
        self.assertEqual(len(self.problems(spec)), 1)
        for prog, routes in self.routes.items():
            for m, p in routes:
                self.assertFalse(p.startswith("/docs") or p == "/openapi.json",
                                 f"{prog} lists {m} {p}")

    def test_renamed_parameter_fails_both_ways(self):
        spec = copy.deepcopy(self.spec)
        spec["paths"]["/users/{user_id}"] = spec["paths"].pop("/users/{id}")
        probs = self.problems(spec)
        self.assertEqual(len(probs), 6, probs)
        self.assertTrue(any("/users/{user_id} is described" in p for p in probs))
        self.assertTrue(any("/users/{id} (users.fcgi) is not described" in p for p in probs))

    def test_trailing_slash_is_a_different_route(self):
        spec = copy.deepcopy(self.spec)
        del spec["paths"]["/mcp-server/mcp/"]
        self.assertEqual(len(self.problems(spec)), 3)

    # --- the programs -----------------------------------------------------

    def test_route_in_two_programs_fails(self):
        routes = copy.deepcopy(self.routes)
        routes["geocoding.fcgi"].add(("GET", "/health"))
        self.assertEqual(self.problems(routes=routes),
                         ["GET /health is routed by both geocoding.fcgi and users.fcgi"])

    def test_garbage_routes_output_fails(self):
        for text in ("GET\n", "GET /a /b\n", "FETCH /a\n", "GET a\n", "",
                     "GET /a\nGET /a\n"):
            prog = self.fake_program("bad.fcgi", text)
            with self.assertRaises(check_routes.CheckError, msg=repr(text)):
                check_routes.program_routes(prog)
        r = self.run_main(self.spec, [prog])
        self.assertEqual(r.returncode, 2)

    def test_program_failing_fails(self):
        prog = self.fake_program("fails.fcgi", "GET /\n", status=3)
        with self.assertRaises(check_routes.CheckError):
            check_routes.program_routes(prog)
        with self.assertRaises(check_routes.CheckError):
            check_routes.program_routes(os.path.join(self.tmp.name, "absent.fcgi"))

    def test_spec_without_paths_fails(self):
        for doc in ({}, {"paths": {}}, {"paths": {"/a": "x"}}, None):
            with self.assertRaises(check_routes.CheckError):
                check_routes.spec_operations(doc)

    def test_usage(self):
        r = subprocess.run([sys.executable, check_routes.__file__, SPEC],
                           capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(r.returncode, 2)


class Convert(unittest.TestCase):
    """docs/openapi_json.py, which makes /openapi.json at build time."""

    def convert(self, text):
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in.yaml"), os.path.join(d, "out.json")
            with open(src, "w", encoding="utf-8") as f:
                f.write(text)
            r = subprocess.run([sys.executable, CONVERT, src, dst], capture_output=True,
                               text=True, timeout=60, check=False)
            out = None
            if os.path.exists(dst):
                with open(dst, encoding="utf-8") as f:
                    out = json.load(f)
            return r, out

    def test_built_json_is_the_yaml(self):
        self.assertTrue(BUILT_JSON and os.path.exists(BUILT_JSON), BUILT_JSON)
        with open(BUILT_JSON, encoding="utf-8") as f:
            self.assertEqual(json.load(f), load_spec())

    def test_valid(self):
        r, out = self.convert("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(out["info"]["title"], "t")

    def test_duplicate_key_fails(self):
        r, out = self.convert("openapi: 3.1.0\npaths:\n  /a: {}\n  /a: {}\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("duplicate key '/a'", r.stderr)
        self.assertIsNone(out)

    def test_not_openapi_31_fails(self):
        for text in ("openapi: 3.0.3\n", "swagger: '2.0'\n", "- a\n", "just text\n"):
            r, out = self.convert(text)
            self.assertEqual(r.returncode, 1, text)
            self.assertIsNone(out)

    def test_value_json_cannot_hold_fails(self):
        r, out = self.convert("openapi: 3.1.0\nx-when: 2026-01-01\n")
        self.assertEqual(r.returncode, 1)
        self.assertIsNone(out)

    def test_malformed_yaml_fails(self):
        r, out = self.convert("openapi: 3.1.0\ninfo: {title: [\n")
        self.assertEqual(r.returncode, 1)
        self.assertIsNone(out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
