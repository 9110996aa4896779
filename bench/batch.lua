-- wrk script: batch sends of 1,000 recipients each (distinct numbers within a batch).
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
require("count")
local batch = 0
request = function()
  batch = batch + 1
  local numbers = {}
  for i = 0, 999 do
    -- Ending in 1: the fake carrier fails numbers ending in 0500 and stalls on 0408.
    numbers[#numbers + 1] = string.format('"+4673%02d%01d%03d1"', thread_id, batch % 10, i)
  end
  local body = '{"from":"ACME","to":[' .. table.concat(numbers, ",") .. '],"text":"Sale today only"}'
  return wrk.format("POST", "/v1/messages", {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY"),
    ["Content-Type"] = "application/json",
  }, body)
end
