-- bench/wrk/bearer.lua: a wrk script for fcgi-users' benchmarks.
--
--   BENCH_TOKEN=<jwt> wrk -s bench/wrk/bearer.lua http://127.0.0.1:PORT/users/me
--
-- BENCH_TOKEN    when set and not empty, every request carries
--                "Authorization: Bearer <BENCH_TOKEN>" (the token is read
--                from the environment so it never appears in wrk's command
--                line, where ps would show it).
-- BENCH_REQUESTS when set, each wrk thread stops after that many answers
--                (bench/memory gives total / threads); a run then ends on
--                the count, or on wrk's -d, whichever comes first.  A few
--                requests in flight on the other connections are still
--                answered by the server, uncounted.
--
-- Each wrk thread runs this file in its own Lua state, so the counter is
-- per thread.

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. token
end

local limit = tonumber(os.getenv("BENCH_REQUESTS") or "")
if limit ~= nil and limit > 0 then
	local answered = 0
	-- Defining response() costs wrk a little per answer; only done when
	-- a count is asked for.
	function response(status, headers, body)
		answered = answered + 1
		if answered >= limit then
			wrk.thread:stop()
		end
	end
end
