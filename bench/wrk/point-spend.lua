-- wrk script: POST /events point_spends of 1 point spread over customers g-0 .. g-9 (the bodies
-- bench/gc-compare.sh gives hey), to find the engine's sync peak on exactly those bodies.
--   wrk -t1 -c50 -d10s -s bench/wrk/point-spend.lua http://127.0.0.1:8080 -- [KEY]
local n = 0
function init(args)
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["X-Api-Key"] = args[1] or "dev-key"
end
function request()
   n = n + 1
   return wrk.format("POST", "/events", nil,
      '{"customer":"g-' .. (n % 10) .. '","action":"point_spend","data":{"points":1}}')
end
