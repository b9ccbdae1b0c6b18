-- wrk script: POST /events with the realistic mix of dev.loyalty.bench.load.EventMix, one event per request,
-- every request different (customer, transaction id, event id, items).
--
--   wrk -t2 -c50 -d20s -s bench/wrk/post-event.lua http://127.0.0.1:8080 -- CUSTOMERS [PATH] [IDS] [KEY]
--
--   CUSTOMERS  pre-loaded customers c-0 .. c-(n-1) to draw from (default 1000000)
--   PATH       request path (default /events; /events?mode=async for the asynchronous answer)
--   IDS        1 to give every event an idempotency id, as a retrying storefront does (default 1)
--   KEY        API key (default dev-key)
--
-- Mix: 70% checkout with 1-4 items, 10% point_spend, 10% opt_in of a new customer, 2.5% each point_add,
-- review_written, profile, checkout_accept (of one of this thread's recent checkouts). The bare baseline
-- server answers any path, so the same script measures both sides of the sync-throughput ratio.

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

local customers = 1000000
local path = "/events"
local ids = true
local tag
local counter = 0
local recent_customer = {}
local recent_tx = {}
local recent_size = 0
local RECENT = 1024
local countries = { "DE", "FR", "NL", "IT", "ES", "PL", "SE", "AT" }

function init(args)
   if args[1] then customers = tonumber(args[1]) end
   if args[2] and args[2] ~= "" then path = args[2] end
   if args[3] then ids = args[3] == "1" end
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["X-Api-Key"] = args[4] or "dev-key"
   local t = tid or 0
   math.randomseed(os.time() * 1000 + t)
   tag = string.format("w%x%d", os.time() % 1000000, t)
end

local function money(cents)
   return string.format("%d.%02d", math.floor(cents / 100), cents % 100)
end

local function existing()
   return "c-" .. math.random(0, customers - 1)
end

local function event()
   counter = counter + 1
   local n = counter
   local r = math.random(0, 99)
   local customer, action, data
   if r < 70 then
      customer = existing()
      action = "checkout"
      local tx = tag .. "-t" .. n
      local lines = {}
      for i = 1, math.random(1, 4) do
         local line = '{"product_id":"sku-' .. math.random(0, 4999) .. '","price":' .. money(math.random(199, 19998))
            .. ',"quantity":' .. math.random(1, 3)
         if math.random(0, 4) == 0 then line = line .. ',"discount":1.00' end
         lines[i] = line .. "}"
      end
      data = '"transaction_id":"' .. tx .. '","items":[' .. table.concat(lines, ",") .. "]"
      local slot
      if recent_size < RECENT then
         recent_size = recent_size + 1
         slot = recent_size
      else
         slot = math.random(1, RECENT)
      end
      recent_customer[slot] = customer
      recent_tx[slot] = tx
   elseif r < 80 then
      customer = existing()
      action = "point_spend"
      data = '"points":' .. math.random(1, 50) .. ',"transaction_id":"' .. tag .. "-s" .. n .. '"'
   elseif r < 90 then
      customer = "n-" .. tag .. "-" .. n
      action = "opt_in"
      data = '"country":"' .. countries[math.random(1, #countries)] .. '","newsletter":true'
   else
      local other = math.random(0, 3)
      if other == 3 and recent_size > 0 then
         -- accept one remembered checkout, once
         local at = math.random(1, recent_size)
         customer = recent_customer[at]
         action = "checkout_accept"
         data = '"transaction_id":"' .. recent_tx[at] .. '"'
         recent_customer[at] = recent_customer[recent_size]
         recent_tx[at] = recent_tx[recent_size]
         recent_size = recent_size - 1
      elseif other == 1 then
         customer = existing()
         action = "review_written"
         data = '"reason":"review of sku-' .. math.random(0, 4999) .. '"'
      elseif other == 2 then
         customer = existing()
         action = "profile"
         data = '"country":"' .. countries[math.random(1, #countries)] .. '","birthday":"19'
            .. math.random(50, 99) .. "-0" .. math.random(1, 9) .. "-1" .. math.random(0, 9) .. '"'
      else
         customer = existing()
         action = "point_add"
         data = '"points":' .. math.random(10, 100) .. ',"reason":"goodwill"'
      end
   end
   local id = ""
   if ids then id = ',"id":"' .. tag .. "-e" .. n .. '"' end
   return '{"customer":"' .. customer .. '","action":"' .. action .. '"' .. id .. ',"data":{' .. data .. "}}"
end

function request()
   return wrk.format("POST", path, nil, event())
end
