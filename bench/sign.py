#!/usr/bin/env python3
"""bench/sign.py — the wrk scripts of the benchmarks, their bodies signed as Twilio signs them.

    python3 bench/sign.py WORK_DIR BASE_URL AUTH_TOKEN CALLS

writes WORK_DIR/voice.txt (CALLS signed POST /twilio/voice bodies, one new call each),
WORK_DIR/voice.lua (sends them in turn) and WORK_DIR/status.lua (one signed POST
/twilio/status body with a new I-Twilio-Idempotency-Token header per request; Twilio
does not sign headers). Used by webhook.sh and ab.sh.
"""
import base64, hashlib, hmac, sys, urllib.parse
work, base, token, calls = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
def signed(path, params):
    data = base + path + "".join(k + params[k] for k in sorted(params))
    sig = base64.b64encode(hmac.new(token, data.encode(), hashlib.sha1).digest()).decode()
    return urllib.parse.urlencode(params), sig
common = {"AccountSid": "AC" + "0" * 31 + "1", "From": "+14155550123", "To": "+14155559876",
          "Direction": "inbound", "ApiVersion": "2010-04-01"}
with open(work + "/voice.txt", "w") as f:
    for i in range(calls):
        body, sig = signed("/twilio/voice", dict(common, CallSid="CA%032x" % i,
                                                  CallStatus="ringing"))
        f.write(sig + "\t" + body + "\n")
status, ssig = signed("/twilio/status", dict(common, CallSid="CA" + "ab" * 16,
                                             CallStatus="completed", SequenceNumber="3",
                                             CallDuration="42"))
with open(work + "/voice.lua", "w") as f:
    f.write("""
local requests = {}
init = function(args)
  for line in io.lines("%s/voice.txt") do
    local sig, body = line:match("([^\t]*)\t(.*)")
    requests[#requests + 1] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = sig }, body)
  end
end
local n = 0
request = function()
  n = n %% #requests + 1
  return requests[n]
end
""" % work)
with open(work + "/status.lua", "w") as f:
    f.write("""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = "%s"
wrk.body = "%s"
local n = 0
request = function()
  n = n + 1
  wrk.headers["I-Twilio-Idempotency-Token"] = "bench-" .. tostring(os.time()) .. "-" .. n
  return wrk.format()
end
""" % (ssig, status))
