-- wrk script for bench/plan_page.py: ticks on the plan page, as htmx sends them.
--
--   wrk -tN -cN -d10s -s bench/tick.lua http://host/me/plan/areas/digital -- \
--       <cookie 1> <ticked form 1> <unticked form 1>  ...  <cookie N> <ticked form N> <unticked form N>
--
-- One thread, and so one connection, per resident: thread i signs its requests with resident i's
-- session cookie and sends the area's form (urlencoded, with the CSRF token) with one box ticked,
-- then unticked, then ticked... A connection waits for each answer before it sends again, so every
-- request finds the box the other way round and writes a change (plan_page.py counts the events
-- written). Every response must be a 200; any other status is counted, and done() prints the
-- count (and the first statuses) for plan_page.py to report.

local threads = {}
local next_id = 1
local forms = {}
local n = 0
bad = 0
statuses = ""

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local first = 3 * (id - 1)
  wrk.method = "POST"
  wrk.headers["Cookie"] = args[first + 1]
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["HX-Request"] = "true"
  forms = { args[first + 2], args[first + 3] }
end

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, forms[n % 2 + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if #statuses < 200 then
      statuses = statuses .. " " .. status
    end
  end
end

function done(summary, latency, requests)
  local total, seen = 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    seen = seen .. thread:get("statuses")
  end
  io.write(string.format("ticks not answered 200: %d%s\n", total, seen))
end
