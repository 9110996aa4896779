-- wrk script: single sends, each to its own recipient so nothing is deduplicated away.
local counter = 0
request = function()
  counter = counter + 1
  local number = string.format("+4670%07d", counter % 10000000)
  local body = '{"from":"ACME","to":"' .. number .. '","text":"Your code is 123456"}'
  return wrk.format("POST", "/v1/messages", {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY"),
    ["Content-Type"] = "application/json",
  }, body)
end
