-- wrk script: GET a random post among the first N.
local n = tonumber(os.getenv("POSTS") or "100")
request = function()
  return wrk.format("GET", "/blog/" .. math.random(1, n))
end
