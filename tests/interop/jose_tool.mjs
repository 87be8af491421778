// jose (npm) as the interop tests' peer: verifies the tokens fcgi-users
// mints, and mints tokens with the same claims for it to accept.
//
//   node jose_tool.mjs version
//   node jose_tool.mjs verify --token T --secret S [--alg HS256]
//   node jose_tool.mjs verify --token T --jwks-url URL --alg ALG
//   node jose_tool.mjs verify --token T --public-key-file SPKI.pem --alg ALG
//   verify also takes [--audience A] [--issuer I] [--require CLAIM,...]
//   node jose_tool.mjs mint --sub UUID --secret S [--alg HS256] [--aud-str]
//   node jose_tool.mjs mint --sub UUID --key-file PKCS8.pem --alg ALG --kid KID
//
// verify: jwtVerify(token, key, {audience, issuer, algorithms: [alg],
// requiredClaims}); the defaults are those of access tokens (audience
// "fastapi-users:auth", no issuer, no required claims), an MCP client
// passes --public-key-file, --audience mcp-server, --issuer personal-server.
// With a secret the key is its UTF-8 bytes as a Uint8Array.  With
// --public-key-file it is importSPKI(PEM, alg).  With --jwks-url it
// verifies twice: once through createRemoteJWKSet(url), and once with
// importJWK() of the fetched key whose kid the token's header names.
// Prints one JSON line {"protectedHeader", "payload", "jwk"} (with
// "thumbprint", jose's RFC 7638 SHA-256 thumbprint of the public key, after
// --public-key-file) and exits 0.  When the token (or the key, for the alg)
// is refused it prints {"refused": <jose's error code (ERR_…), or the
// error's name (TypeError, WebCrypto's DataError)>, "claim", "message"},
// jose's error on stderr too, and exits 1; 2 on a usage error.
//
// Run it from a folder whose node_modules holds jose (run-accounts.sh
// copies it next to the `npm ci` it does).
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

const AUDIENCE = 'fastapi-users:auth';

function parse(argv) {
  const o = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { o._.push(a); continue; }
    const k = a.slice(2);
    if (k === 'aud-str') { o[k] = true; continue; }
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    o[k] = argv[++i];
  }
  return o;
}

function usage(msg) {
  process.stderr.write(`jose_tool: ${msg}\n`);
  process.exit(2);
}

async function verify(o) {
  if (!o.token) usage('verify needs --token');
  const alg = o.alg ?? 'HS256';
  const opts = { audience: o.audience ?? AUDIENCE, algorithms: [alg] };
  if (o.issuer !== undefined) opts.issuer = o.issuer;
  if (o.require) opts.requiredClaims = o.require.split(',').filter((c) => c !== '');
  if (o.secret !== undefined) {
    const key = new TextEncoder().encode(o.secret);
    const { payload, protectedHeader } = await jose.jwtVerify(o.token, key, opts);
    return { protectedHeader, payload, jwk: null };
  }
  if (o['public-key-file']) {
    // extractable: to export it for the thumbprint below.
    const key = await jose.importSPKI(readFileSync(o['public-key-file'], 'ascii'), alg,
      { extractable: true });
    const { payload, protectedHeader } = await jose.jwtVerify(o.token, key, opts);
    const thumbprint = await jose.calculateJwkThumbprint(await jose.exportJWK(key), 'sha256');
    return { protectedHeader, payload, jwk: null, thumbprint };
  }
  if (!o['jwks-url']) usage('verify needs --secret, --public-key-file or --jwks-url');
  const url = new URL(o['jwks-url']);
  // 1. The way a resource server would: a remote key set.
  const JWKS = jose.createRemoteJWKSet(url, { cacheMaxAge: 0, cooldownDuration: 0 });
  const { payload, protectedHeader } = await jose.jwtVerify(o.token, JWKS, opts);
  // 2. importJWK of the key the header names, fetched by hand.
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const set = await res.json();
  if (!Array.isArray(set.keys)) throw new Error('JWKS without a "keys" array');
  const jwk = set.keys.find((k) => k.kid === protectedHeader.kid);
  if (!jwk) throw new Error(`no key with kid ${JSON.stringify(protectedHeader.kid)} in the JWKS`);
  const key = await jose.importJWK(jwk, alg);
  const again = await jose.jwtVerify(o.token, key, opts);
  if (again.payload.sub !== payload.sub) throw new Error('importJWK verified other claims');
  return { protectedHeader, payload, jwk };
}

async function mint(o) {
  if (!o.sub) usage('mint needs --sub');
  const alg = o.alg ?? 'HS256';
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: o.sub, aud: o['aud-str'] ? AUDIENCE : [AUDIENCE], exp: now + 3600 };
  let key;
  const header = { alg, typ: 'JWT' };
  if (o.secret !== undefined) {
    key = new TextEncoder().encode(o.secret);
  } else if (o['key-file']) {
    key = await jose.importPKCS8(readFileSync(o['key-file'], 'ascii'), alg);
    if (o.kid) header.kid = o.kid;
  } else {
    usage('mint needs --secret or --key-file');
  }
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(key);
}

async function main() {
  const o = parse(process.argv.slice(2));
  switch (o._[0]) {
    case 'version': {
      const pkg = JSON.parse(readFileSync(new URL('./node_modules/jose/package.json', import.meta.url), 'utf8'));
      process.stdout.write(`jose ${pkg.version}, node ${process.version}\n`);
      return;
    }
    case 'verify':
      process.stdout.write(JSON.stringify(await verify(o)) + '\n');
      return;
    case 'mint':
      process.stdout.write(await mint(o) + '\n');
      return;
    default:
      usage('command: version | verify | mint');
  }
}

main().catch((e) => {
  // jose's errors have a string code (ERR_JWS_…); WebCrypto's DOMException
  // a numeric one (0), so its name (DataError) says more.
  const refused = typeof e.code === 'string' ? e.code : e.name;
  process.stderr.write(`jose refused: ${refused}: ${e.message}\n`);
  process.stdout.write(JSON.stringify({ refused, claim: e.claim ?? null, message: e.message }) + '\n');
  process.exit(1);
});
