-- PATCH /routing/jobs/{id}: every request creates a new job. Ids are RUN_TAG-tN-COUNTER (N the
-- wrk thread), so neither threads nor runs collide:
--   wrk ... -s create_job.lua URL -- QUEUE_ID RUN_TAG
-- Reports through report.lua.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

local api_version = "2023-11-01"
local threads = 0
thread_number = 1  -- set per thread by setup()
local prefix
local counter = 0
local body

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

-- args: QUEUE_ID [RUN_TAG]; give each run against one server its own tag.
function init(args)
  local queue_id = args[1] or "bench-queue"
  prefix = (args[2] or "wrk") .. "-t" .. thread_number .. "-"
  body = '{"channelId":"voice","queueId":"' .. queue_id .. '","priority":5,' ..
         '"labels":{"product":"broadband","tier":"gold","region":"emea"},' ..
         '"requestedWorkerSelectors":[{"key":"language","labelOperator":"equal","value":"en"}]}'
  wrk.headers["Content-Type"] = "application/merge-patch+json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  counter = counter + 1
  local path = "/routing/jobs/" .. prefix .. counter .. "?api-version=" .. api_version
  return wrk.format("PATCH", path, nil, body)
end

done = report.done
