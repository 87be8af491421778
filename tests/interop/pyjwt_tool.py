#!/usr/bin/python3
"""PyJWT as the interop tests' peer: mints tokens the way FastAPI-Users does
and verifies the tokens fcgi-users mints.  Run it with Debian's python3
(/usr/bin/python3 sees python3-jwt and python3-cryptography).

  pyjwt_tool.py version
  pyjwt_tool.py mint   --sub UUID (--secret S | --key-file PEM | --none)
                       [--alg HS256] [--aud-list A | --aud-str A | --no-aud]
                       [--exp-in SECONDS] [--raw-hmac]
  pyjwt_tool.py verify --token T (--secret S | --key-file PEM | --jwks-url URL |
                       --public-key-file PEM) [--alg HS256]
                       [--audience fastapi-users:auth] [--issuer I]
                       [--require CLAIM,...]
  pyjwt_tool.py header --token T

mint prints the token.  FastAPI-Users' generate_jwt is
    jwt.encode({"sub": str(user.id), "aud": ["fastapi-users:auth"],
                "exp": now + lifetime}, secret, algorithm="HS256")
and that is exactly what mint does with its defaults.  --raw-hmac signs
HS* with the key file's bytes by hand, because PyJWT refuses a PEM as an
HMAC secret: that is the key-confusion token an attacker would build.

verify calls jwt.decode(token, key, algorithms=[alg], audience=audience,
issuer=issuer, options={"require": [claims]}): the defaults are those of
access tokens (audience "fastapi-users:auth", no issuer, nothing required
beyond what PyJWT requires), an MCP token's verifier (FastMCP's
BearerAuthProvider) passes --public-key-file, --audience mcp-server,
--issuer personal-server and --alg RS256.  With --jwks-url the key comes
from PyJWT's own PyJWKClient; with --public-key-file the PEM text is the
key, as a resource server configures it, after cryptography has checked
that it is a public key (a private key or garbage is a usage error).  It
prints one JSON line {"header": ..., "payload": ...}, with "thumbprint"
(the RFC 7638 SHA-256 thumbprint of the public key, computed here from
PyJWT's to_jwk) after --public-key-file.  When PyJWT refuses the token it
prints {"refused": "<PyJWTError subclass>", "message": ...} instead, the
reason on stderr too, and exits 1 (a TypeError or ValueError PyJWT lets
through is reported the same way, under its own name); 2 on a usage error.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

AUDIENCE = "fastapi-users:auth"

# RFC 7638 §3.2: the required members of each key type, in the order of
# their names.
THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"),
                      "OKP": ("crv", "kty", "x")}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def read_key(path: str) -> str:
    with open(path, "r", encoding="ascii") as f:
        return f.read()


def load_public_key(path: str):
    """The PEM text of a public key file and the key, or a usage error."""
    pem = read_key(path)
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except ValueError as e:
        print("%s is not a PEM public key: %s" % (path, e), file=sys.stderr)
        sys.exit(2)
    return pem, key


def thumbprint(key) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url) of a public key."""
    if isinstance(key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(key)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(key)
    elif isinstance(key, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(key)
    else:
        raise ValueError("no thumbprint for %s" % type(key).__name__)
    jwk = json.loads(jwk) if isinstance(jwk, str) else jwk
    members = {m: jwk[m] for m in THUMBPRINT_MEMBERS[jwk["kty"]]}
    canon = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canon.encode("ascii")).digest())


def cmd_mint(a) -> int:
    payload = {"sub": a.sub}
    if a.aud_str is not None:
        payload["aud"] = a.aud_str
    elif not a.no_aud:
        payload["aud"] = [a.aud_list if a.aud_list is not None else AUDIENCE]
    if a.exp_in is not None:
        payload["exp"] = int(time.time()) + a.exp_in
    if a.none:
        # PyJWT >= 2: algorithm "none" with key None gives "<h>.<p>." .
        print(jwt.encode(payload, None, algorithm="none"))
        return 0
    key = a.secret if a.secret is not None else read_key(a.key_file)
    if a.raw_hmac:
        digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
                   "HS512": hashlib.sha512}
        if a.alg not in digests:
            print("--raw-hmac needs an HS* algorithm", file=sys.stderr)
            return 2
        # PyJWT's own header and payload encoding: compact JSON, sorted
        # header keys, unpadded base64url.
        header = {"alg": a.alg, "typ": "JWT"}
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())
            + "."
            + b64url(json.dumps(payload, separators=(",", ":")).encode())
        )
        sig = hmac.new(key.encode(), signing_input.encode("ascii"),
                       digests[a.alg]).digest()
        print(signing_input + "." + b64url(sig))
        return 0
    print(jwt.encode(payload, key, algorithm=a.alg))
    return 0


def cmd_verify(a) -> int:
    public = None
    if a.public_key_file is not None:
        pem, public = load_public_key(a.public_key_file)
    require = [c for c in a.require.split(",") if c] if a.require else []
    try:
        if public is not None:
            key = pem
        elif a.jwks_url is not None:
            client = jwt.PyJWKClient(a.jwks_url, cache_keys=False)
            key = client.get_signing_key_from_jwt(a.token).key
        elif a.secret is not None:
            key = a.secret
        else:
            key = read_key(a.key_file)
        payload = jwt.decode(a.token, key, algorithms=[a.alg],
                             audience=a.audience, issuer=a.issuer,
                             options={"require": require})
        header = jwt.get_unverified_header(a.token)
    except jwt.PyJWTError as e:
        print("PyJWT refused the token: %s: %s" % (type(e).__name__, e),
              file=sys.stderr)
        print(json.dumps({"refused": type(e).__name__, "message": str(e)}))
        return 1
    except (TypeError, ValueError) as e:
        # PyJWT 2.6 hands a PEM to cryptography without checking the key
        # type against alg: an Ed25519 key pinned to RS256 ends in
        # cryptography's TypeError.  Still a refusal, but not a PyJWTError:
        # reported under its own name.
        print("PyJWT failed on the token: %s: %s" % (type(e).__name__, e),
              file=sys.stderr)
        print(json.dumps({"refused": type(e).__name__, "message": str(e)}))
        return 1
    out = {"header": header, "payload": payload}
    if public is not None:
        out["thumbprint"] = thumbprint(public)
    print(json.dumps(out))
    return 0


def cmd_header(a) -> int:
    try:
        print(json.dumps(jwt.get_unverified_header(a.token)))
    except jwt.PyJWTError as e:
        print("PyJWT cannot read the header: %s" % e, file=sys.stderr)
        return 1
    return 0


def main() -> int:
    p = argparse.ArgumentParser(prog="pyjwt_tool.py")
    sub = p.add_subparsers(dest="cmd", required=True)

    sub.add_parser("version")

    m = sub.add_parser("mint")
    m.add_argument("--sub", required=True)
    k = m.add_mutually_exclusive_group(required=True)
    k.add_argument("--secret")
    k.add_argument("--key-file")
    k.add_argument("--none", action="store_true")
    m.add_argument("--alg", default="HS256")
    aud = m.add_mutually_exclusive_group()
    aud.add_argument("--aud-list")
    aud.add_argument("--aud-str")
    aud.add_argument("--no-aud", action="store_true")
    m.add_argument("--exp-in", type=int, default=3600)
    m.add_argument("--raw-hmac", action="store_true")

    v = sub.add_parser("verify")
    v.add_argument("--token", required=True)
    k = v.add_mutually_exclusive_group(required=True)
    k.add_argument("--secret")
    k.add_argument("--key-file")
    k.add_argument("--jwks-url")
    k.add_argument("--public-key-file")
    v.add_argument("--alg", default="HS256")
    v.add_argument("--audience", default=AUDIENCE)
    v.add_argument("--issuer")
    v.add_argument("--require", default="")

    h = sub.add_parser("header")
    h.add_argument("--token", required=True)

    a = p.parse_args()
    if a.cmd == "version":
        import cryptography
        print("PyJWT %s, cryptography %s" % (jwt.__version__,
                                             cryptography.__version__))
        return 0
    return {"mint": cmd_mint, "verify": cmd_verify, "header": cmd_header}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
