-- Shared by get.lua and post.lua: counts response statuses per wrk thread and prints one JSON line
-- (prefixed "KZ_JSON ") with the rate, latency percentiles and status counts, which
-- bench/server.mjs reads. wrk gives each thread its own Lua state, so setup() keeps the thread
-- objects and done() collects their counters with thread:get().
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

statuses = {}

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- Extra figures a mode wants in the report: kz_extra(threads) returns a table of name -> number.
kz_extra = nil

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', code, n))
  end
  local e = summary.errors
  local extra = ""
  if kz_extra then
    for k, v in pairs(kz_extra(threads)) do
      extra = extra .. string.format(',"%s":%d', k, v)
    end
  end
  io.write(string.format(
    'KZ_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"statuses":{%s}%s}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(parts, ","), extra))
end
