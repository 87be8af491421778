// header_proxy.mjs TARGET_PORT AUTH: a loopback HTTP proxy in front of the
// test server, for the MCP conformance suite, whose server mode cannot send
// an Authorization header (reference/mcp.md §2).  Listens on 127.0.0.1 at a
// free port, which it prints as its first line; forwards every request to
// 127.0.0.1:TARGET_PORT with "Authorization: AUTH" added and every other
// header as sent (Host and Origin too, so the server's own DNS-rebinding
// checks still judge them); streams the answer back as it comes (SSE).
// Ends when its stdin closes (the test's end) or on SIGTERM.
import http from "node:http";

const [target, auth] = process.argv.slice(2);
if (!target || !auth) {
  console.error("usage: header_proxy.mjs TARGET_PORT AUTH");
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: auth };
  const up = http.request(
    { host: "127.0.0.1", port: Number(target), method: req.method, path: req.url, headers, agent },
    (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      res.flushHeaders();
      ur.pipe(res);
    },
  );
  up.on("error", (e) => {
    if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
    res.end(`proxy: ${e.message}`);
  });
  // A client that leaves (the suite cancels SSE readers) ends the upstream too.
  res.on("close", () => up.destroy());
  req.pipe(up);
});
server.listen(0, "127.0.0.1", () => console.log(String(server.address().port)));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
process.on("SIGTERM", () => process.exit(0));
