-- wrk script: single sends, each to its own recipient so nothing is deduplicated away.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
require("count")
local counter = 0
request = function()
  counter = counter + 1
  -- Ending in 1: the fake carrier fails numbers ending in 0500 and stalls on 0408.
  local number = string.format("+4670%02d%04d1", thread_id, counter % 10000)
  local body = '{"from":"ACME","to":"' .. number .. '","text":"Your code is 123456"}'
  return wrk.format("POST", "/v1/messages", {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY"),
    ["Content-Type"] = "application/json",
  }, body)
end
