-- POST bodies that change per request (wrk's Lua API builds each one):
--
--   -- login STUDENTS_FILE PASSWORD NTHREADS
--        each request signs in the next student of the file (one student number a line), so no
--        account has more than one attempt in flight and the per-account limit stays out of the way;
--        the per-address limit applies as it would to a school behind one NAT (429s are counted).
--   -- register TOKENS_FILE PLANS_FILE NTHREADS OFFSET TAG OUT_PREFIX
--        each request registers one student for one plan with a new client_id TAG-<n>; n runs from
--        OFFSET over every (student, plan) pair, plan by plan, so no pair repeats (a repeat would be
--        refused as a duplicate). TOKENS_FILE has "student_no token" lines, PLANS_FILE plan ids.
--        Every 201's client_id is written to OUT_PREFIX.<thread>, so the bench can compare the
--        confirmed responses with the registrations the database holds afterwards.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "stats.lua")

-- Globals, not locals: done() reads sent, offset and nthreads of each thread with thread:get().
mode, students, tokens, plans, password, nthreads, offset, tag, out = nil
sent = 0

local function lines(path)
  local t = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(t, line) end
  end
  return t
end

function init(args)
  mode = args[1]
  if mode == "login" then
    students = lines(args[2])
    password = args[3]
    nthreads = tonumber(args[4])
  elseif mode == "register" then
    students, tokens = {}, {}
    for _, line in ipairs(lines(args[2])) do
      local no, token = line:match("^(%S+)%s+(%S+)$")
      table.insert(students, no)
      table.insert(tokens, token)
    end
    plans = lines(args[3])
    nthreads = tonumber(args[4])
    offset = tonumber(args[5])
    tag = args[6]
    out = assert(io.open(args[7] .. "." .. tid, "w"))
  else
    error("mode must be login or register, got " .. tostring(mode))
  end
end

function request()
  -- Threads interleave: thread t sends n = t, t + T, t + 2T, ... so no two threads share an n.
  local n = tid + sent * nthreads
  sent = sent + 1
  if mode == "login" then
    local body = string.format('{"student_no":"%s","password":"%s"}', students[n % #students + 1], password)
    return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
  end
  n = n + offset
  local s = n % #students
  local p = math.floor(n / #students) % #plans
  local body = string.format('{"client_id":"%s-%d","plan_id":"%s"}', tag, n, plans[p + 1])
  return wrk.format("POST", "/api/v1/registrations", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[s + 1],
  }, body)
end

function response(status, headers, body)
  count_status(status)
  if mode == "register" and status == 201 then
    local id = body:match('"client_id"%s*:%s*"([^"]+)"')
    if id then out:write(id, "\n") end
  end
end

-- The next unused n, so the next run starts on pairs nobody has registered yet.
kz_extra = function(threads)
  local next_n = 0
  for _, t in ipairs(threads) do
    local s = t:get("sent") or 0
    local o = t:get("offset") or 0
    local id = t:get("tid")
    local nth = t:get("nthreads") or 1
    if s > 0 then
      local last = o + id + (s - 1) * nth
      if last + 1 > next_n then next_n = last + 1 end
    end
  end
  return { next_offset = next_n }
end
