#!/usr/bin/env python3
"""Sequential requests from one client, counting the slow ones.

    sequential.py PORT N login|health

login: POST /auth/jwt/login with a wrong password, answered 400, after
which Apache closes the connection: the client opens a new one at once
(http.client), as a script that retries does.  health: GET /health on
one keep-alive connection.  Prints how many of N took over 0.9 s (one of
mod_fcgid's one-second waits) and the worst.  Used by bench/fcgid-buffer.
"""
import http.client
import sys
import time

port, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
slow, worst, conn = 0, 0.0, None
for _ in range(n):
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t = time.monotonic()
    if mode == "login":
        conn.request("POST", "/auth/jwt/login",
                     body="username=nobody%40example.com&password=wrong",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        conn.request("GET", "/health")
    resp = conn.getresponse()
    resp.read()
    d = time.monotonic() - t
    worst = max(worst, d)
    slow += d > 0.9
    if resp.will_close:
        conn.close()
        conn = None
print(f"{mode}: {slow} of {n} over 0.9 s, worst {worst * 1000:.0f} ms")
