-- wrk script for bench/intake.py: every request a new post (no duplicates).
-- Arguments after `--`: the API token and a tag unique to the round.
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
end

local counter = 0
local headers = {}
local prefix = ""

function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
  headers["Content-Type"] = "application/json"
  prefix = args[2] .. "-" .. thread_no .. "-"
end

function request()
  counter = counter + 1
  local id = prefix .. counter
  local body = '{"channel": "instagram", "subject": "Lampu jalan mati ' .. id ..
    '", "description": "Lampu jalan di RT 03 mati sejak seminggu.", ' ..
    '"reporter_name": "Warga", "external_post_id": "bench-' .. id ..
    '", "source_url": "https://www.instagram.com/p/bench-' .. id .. '/"}'
  return wrk.format("POST", "/api/v1/complaints", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "errors": %d, "status_errors": %d, ' ..
    '"p50": %f, "p95": %f, "p99": %f}\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
