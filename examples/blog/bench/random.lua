-- wrk script: GET a random post among the first N (POSTS), as a client
-- that accepts gzip when GZIP=1.
local n = tonumber(os.getenv("POSTS") or "100")
if os.getenv("GZIP") == "1" then
  wrk.headers["Accept-Encoding"] = "gzip"
end
request = function()
  return wrk.format("GET", "/blog/" .. math.random(1, n))
end
