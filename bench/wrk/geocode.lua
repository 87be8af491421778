-- bench/wrk/geocode.lua: GET /geocode/city with a cache key never seen
-- before on every request, so that each one is an offline lookup (the
-- gazetteer) and not a cache hit, for bench/geocode.
--
--   BENCH_NAMES=names.txt BENCH_TOKEN=<jwt> wrk -s bench/wrk/geocode.lua \
--       http://127.0.0.1:PORT/geocode/city
--
-- BENCH_NAMES  a file of place names, one a line, in UTF-8 (names the
--              gazetteer knows: bench/geocode takes them from it); they
--              are used in turn and percent-encoded here
-- BENCH_TOKEN  when set and not empty, every request carries
--              "Authorization: Bearer <BENCH_TOKEN>" (as bearer.lua)
--
-- How a key stays new while the place stays the same: the cache keys on
-- the query lower-cased and trimmed (src/geocoding/cache.h), the gazetteer
-- on the query folded (src/geocoding/fold.h), which drops combining marks
-- (U+0300..U+036F).  Each query is a name followed by combining marks
-- U+0300..U+033F that spell, in base 64, a random salt of this wrk thread
-- (30 bits from /dev/urandom, so runs and rounds do not repeat each
-- other), the thread's number and a counter: "London" + 10 marks, a
-- different cache key every time, the same place for the gazetteer.
-- Every request therefore also stores a new row in the cache.

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. token
end

-- Runs in the main Lua state once per thread, before the thread's init().
local next_id = 0
function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
end

local names = {}
local prefix = ""
local counter = 0

-- The combining mark U+0300 + d (0 <= d < 64) percent-encoded: CC 80+d.
local function mark(d)
	return string.format("%%CC%%%02X", 0x80 + d)
end

-- n in `width` base-64 digits, each a mark.
local function marks(n, width)
	local s = ""
	for _ = 1, width do
		s = s .. mark(n % 64)
		n = math.floor(n / 64)
	end
	return s
end

local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", c:byte())
	end))
end

function init(args)
	local path = os.getenv("BENCH_NAMES")
	local f = assert(io.open(path, "r"), "BENCH_NAMES: cannot open " .. tostring(path))
	for line in f:lines() do
		if line ~= "" then
			names[#names + 1] = "/geocode/city?city=" .. urlencode(line)
		end
	end
	f:close()
	assert(#names > 0, "BENCH_NAMES holds no names")
	local r = assert(io.open("/dev/urandom", "rb"))
	local b = r:read(4)
	r:close()
	local salt = 0
	for i = 1, 4 do
		salt = salt * 256 + b:byte(i)
	end
	prefix = marks(salt, 5) .. mark((id or 0) % 64)
end

function request()
	counter = counter + 1
	return wrk.format(nil, names[(counter - 1) % #names + 1] .. prefix ..
		marks(counter, 4))
end
