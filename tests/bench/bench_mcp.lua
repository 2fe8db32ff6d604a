-- wrk script: POST tools/call on an initialized MCP session.
-- Environment: MCP_SESSION (Mcp-Session-Id, may be empty), MCP_TOOL (empty:
-- send ping instead),
-- MCP_ARGS (a JSON object), MCP_AUTH (optional: the Authorization
-- header's value), MCP_MAX_CALLS (optional: each thread stops
-- after this many responses, so a run ends after a number of calls).
-- Every request gets its own id: MCP servers match responses (and refuse
-- duplicates in flight) by id. A response counts as an error unless it is
-- HTTP 200 with a JSON-RPC "result" that is not an isError.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tool = os.getenv("MCP_TOOL")
  margs = os.getenv("MCP_ARGS") or "{}"
  max_calls = tonumber(os.getenv("MCP_MAX_CALLS") or "0")
  local sid = os.getenv("MCP_SESSION") or ""
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
  if sid ~= "" then
    wrk.headers["Mcp-Session-Id"] = sid
  end
  local auth = os.getenv("MCP_AUTH") or ""
  if auth ~= "" then
    wrk.headers["Authorization"] = auth
  end
  base = tid * 1000000000
  errors = 0
  responses = 0
end

function request()
  counter = counter + 1
  local body
  if tool == nil or tool == "" then
    -- A ping: the transport's own round trip, for reference.
    body = '{"jsonrpc":"2.0","id":' .. (base + counter) .. ',"method":"ping"}'
  else
    body = '{"jsonrpc":"2.0","id":' .. (base + counter) ..
      ',"method":"tools/call","params":{"name":"' .. tool ..
      '","arguments":' .. margs .. '}}'
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 or not string.find(body, '"result"', 1, true) or
     string.find(body, '"isError":true', 1, true) then
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("bad response: " .. status .. " " ..
                      string.sub(body, 1, 200) .. "\n")
    end
  end
  if max_calls > 0 and responses >= max_calls then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e, r = 0, 0
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    r = r + t:get("responses")
  end
  io.write(string.format("mcp_responses %d\nmcp_errors %d\n", r, e))
  io.write(string.format("mcp_p50_us %d\nmcp_p99_us %d\nmcp_rps %.0f\n",
    latency:percentile(50), latency:percentile(99),
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("mcp_socket_errors %d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout + summary.errors.status))
end
