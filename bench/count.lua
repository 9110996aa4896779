-- Shared by the benchmark's wrk scripts: counts 2xx and other answers across all threads
-- and writes a JSON summary to $WRK_OUT (read by bench/measure.py). A script that sends
-- its own requests defines `request` and requires this file first.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads) -- each thread's numbers differ from the others'
end
function init(args) ok = 0; bad = 0 end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local ok_t, bad_t = 0, 0
  for _, t in ipairs(threads) do ok_t = ok_t + t:get("ok"); bad_t = bad_t + t:get("bad") end
  local f = io.open(os.getenv("WRK_OUT"), "w")
  f:write(string.format('{"requests":%d,"duration_us":%d,"ok":%d,"non2xx":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, ok_t, bad_t,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  f:close()
end
