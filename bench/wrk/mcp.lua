-- bench/wrk/mcp.lua: bench/mcp's MCP tools/call of geocode_city.
--
--   BENCH_TOKEN=<jwt> BENCH_MCP_SESSION=<id> BENCH_MCP_VERSION=2025-11-25 \
--   BENCH_CITY=London wrk -s bench/wrk/mcp.lua http://127.0.0.1:PORT/mcp-server/mcp
--
-- Every request is a POST of one JSON-RPC request, tools/call of
-- geocode_city with BENCH_CITY, in the session BENCH_MCP_SESSION (made by
-- bench/mcp with initialize), with the headers a Streamable HTTP client
-- sends.  The token comes from the environment, never the command line.

local token = os.getenv("BENCH_TOKEN") or ""
local session = os.getenv("BENCH_MCP_SESSION") or ""
local version = os.getenv("BENCH_MCP_VERSION") or "2025-11-25"
local city = os.getenv("BENCH_CITY") or "London"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = version
if token ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. token
end
if session ~= "" then
	wrk.headers["Mcp-Session-Id"] = session
end
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":' ..
	'{"name":"geocode_city","arguments":{"city":"' .. city .. '"}}}'
