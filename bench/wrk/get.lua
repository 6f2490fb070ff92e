-- GET the URL given to wrk (a job, or /healthz as the transport's baseline) over keep-alive
-- connections; reports through report.lua.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local report = dofile(here .. "report.lua")

wrk.method = "GET"
wrk.headers["Accept"] = "application/json"

done = report.done
