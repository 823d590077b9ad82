-- GET with fixed headers (given to wrk with -H): the catalog 200 and 304, the plans, the ceiling.
-- No request() function, so wrk sends one prebuilt request (its fastest path); response() only
-- counts statuses, so a 304 run that got 200s (a wrong ETag) shows in the report.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "stats.lua")

function response(status, headers, body)
  count_status(status)
end
