// sdk_client.mjs URL [TOKEN]: the MCP TypeScript SDK's client against
// mcp.fcgi (test_interop_mcp_sdk).  Connects with
// StreamableHTTPClientTransport, sending "Authorization: Bearer TOKEN" on
// every request when a token is given; lists the tools; calls
// geocode_city {city: "London"}, once plainly and once with a progress
// callback (an SSE answer); ends the session (DELETE).  Prints one JSON
// line: {"ok":true, protocolVersion, sessionId, tools, result,
// progressResult, progress} or {"ok":false, "error", "code"}; exits 0 or 2.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers },
});
const client = new Client({ name: "fcgi-users-interop", version: "1.0.0" });
const out = { ok: false };
try {
  await client.connect(transport);
  out.protocolVersion = transport.protocolVersion ?? null;
  out.sessionId = transport.sessionId ?? null;
  const listed = await client.listTools();
  out.tools = listed.tools.map((t) => t.name);
  out.result = await client.callTool({ name: "geocode_city", arguments: { city: "London" } });
  const progress = [];
  out.progressResult = await client.callTool(
    { name: "geocode_city", arguments: { city: "Paris" } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  );
  out.progress = progress;
  await transport.terminateSession();
  out.ok = true;
} catch (e) {
  out.error = String(e && e.message ? e.message : e);
  out.code = e && e.code !== undefined ? e.code : null;
}
try { await client.close(); } catch { /* already closed */ }
console.log(JSON.stringify(out));
process.exit(out.ok ? 0 : 2);
