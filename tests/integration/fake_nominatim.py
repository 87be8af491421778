#!/usr/bin/python3
"""fake_nominatim: a stand-in for Nominatim's /search, for the integration tests.

A real HTTP server (Debian python3's http.server, one thread per
connection) on a free loopback port.  Once it listens it writes the port to
DIR/port (atomically), so the test knows where to connect; it runs until
SIGTERM.  Started and read from C by fake_nominatim_util.c.

Every request is recorded, before it is answered, as one JSON line in
DIR/requests.jsonl:

    {"t": 1764201234.123456,        time.time() on arrival (sub-second)
     "method": "GET", "path": "/search?q=London&format=json&...",
     "q": "London",                 the q parameter decoded (null: none)
     "params": {"format": ["json"], ...},   every query parameter, decoded
     "user_agent": "...", "accept_language": null, "accept": "...",
     "accept_encoding": "...",      the headers (null when not sent)
     "mode": "results"}             how it was answered

How a request is answered (its mode): the contents of DIR/mode when that
file exists and is not empty (a test switches every answer at once), else
the first word of q, lower-cased, when it names a mode ("hang", "hang 2",
"err500-x" all hang or fail; the rest of q keeps cities apart in the
cache), else "results".  A path other than /search gets 404.

    results      200, a list in Nominatim's format=json&addressdetails=1
                 shape (place_id, licence, osm_type, osm_id, lat and lon as
                 strings, class, type, place_rank, importance, addresstype,
                 name, display_name, address{}, boundingbox as four strings
                 [min_lat, max_lat, min_lon, max_lon]).  London, Paris,
                 Berlin, Tokyo and Springfield are copied from the real
                 service; any other q gets one made-up place derived from
                 q (place_id from a hash, in range coordinates).
    sparse       200, one result with only lat and lon (no display_name,
                 place_id, boundingbox): the fallbacks
    oddtypes     200, place_id a string, boundingbox of 3 entries
    empty        200, []
    errNNN       status NNN (e.g. err500, err429, err404), a small HTML body
    garbage      200, JSON cut off in the middle
    html         200, an HTML page with Content-Type text/html
    notarray     200, {"error": ...} (what Nominatim says for a bad query)
    nolat        200, a result without lat
    badlat       200, a result whose lat is "north"
    farlat       200, a result whose lat is "91.5"
    trailing     200, a valid list followed by more bytes
    longname     200, a result whose display_name is 300 times "\u00e9" (600
                 bytes of UTF-8: longer than the client keeps)
    badutf8      200, a result whose display_name holds bytes that are not
                 UTF-8 (0xff, a lone continuation byte)
    huge         200, a 5 MiB JSON list, with Content-Length
    hugechunked  200, the same 5 MiB in chunks, no Content-Length
    gzip         200, the London list gzip-encoded (Content-Encoding: gzip)
    gzipbomb     200, 40 KiB of gzip that inflates to 8 MiB
    redirect     302 to /search?q=London (must not be followed)
    close        the connection is closed without an answer
    hang         nothing is sent for HANG_SECONDS (60), then results
    drip         200 and headers at once, then one byte every 0.5 s forever
    slow         results after one second

Usage: fake_nominatim.py --dir DIR
"""
import argparse
import gzip
import hashlib
import http.server
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

HANG_SECONDS = 60
HUGE_BYTES = 5 * 1024 * 1024
LICENCE = "Data \u00a9 OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"

MODES = {"results", "sparse", "oddtypes", "empty", "garbage", "html",
         "notarray", "nolat", "badlat", "farlat", "trailing", "longname",
         "badutf8", "huge",
         "hugechunked", "gzip", "gzipbomb", "redirect", "close", "hang",
         "drip", "slow"}


def place(place_id, osm_type, osm_id, lat, lon, cls, typ, rank, importance,
          name, display_name, address, bbox):
    return {
        "place_id": place_id, "licence": LICENCE, "osm_type": osm_type,
        "osm_id": osm_id, "lat": lat, "lon": lon, "class": cls, "type": typ,
        "place_rank": rank, "importance": importance, "addresstype": typ,
        "name": name, "display_name": display_name, "address": address,
        "boundingbox": bbox,
    }


# Real answers of nominatim.openstreetmap.org (trimmed to two or three
# results), with format=json&addressdetails=1&accept-language=en.
KNOWN = {
    "london": [
        place(258178446, "relation", 65606, "51.5074456", "-0.1277653",
              "place", "city", 16, 0.8820450476835804, "London",
              "London, Greater London, England, United Kingdom",
              {"city": "London", "state_district": "Greater London",
               "state": "England", "ISO3166-2-lvl4": "GB-ENG",
               "country": "United Kingdom", "country_code": "gb"},
              ["51.2867601", "51.6918741", "-0.5103751", "0.3340155"]),
        place(7389154, "node", 32311640, "42.9836747", "-81.2496068",
              "place", "city", 16, 0.6156324976724424, "London",
              "London, Southwestern Ontario, Ontario, Canada",
              {"city": "London", "state_district": "Southwestern Ontario",
               "state": "Ontario", "ISO3166-2-lvl4": "CA-ON",
               "country": "Canada", "country_code": "ca"},
              ["42.8236747", "43.1436747", "-81.4096068", "-81.0896068"]),
    ],
    "paris": [
        place(88066702, "relation", 7444, "48.8588897", "2.3200410217200766",
              "boundary", "administrative", 15, 0.8845663630228834, "Paris",
              "Paris, Ile-de-France, Metropolitan France, France",
              {"suburb": "Paris", "city_district": "Paris", "city": "Paris",
               "ISO3166-2-lvl6": "FR-75", "state": "Ile-de-France",
               "ISO3166-2-lvl4": "FR-IDF", "region": "Metropolitan France",
               "country": "France", "country_code": "fr"},
              ["48.8155755", "48.9021560", "2.2241220", "2.4697602"]),
    ],
    "berlin": [
        place(133079291, "relation", 62422, "52.5170365", "13.3888599",
              "boundary", "administrative", 8, 0.8875390282491362, "Berlin",
              "Berlin, Germany",
              {"city": "Berlin", "ISO3166-2-lvl4": "DE-BE",
               "country": "Germany", "country_code": "de"},
              ["52.3382448", "52.6755087", "13.0883450", "13.7611609"]),
    ],
    "tokyo": [
        place(335979034, "relation", 1543125, "35.6768601", "139.7638947",
              "boundary", "administrative", 8, 0.8178942443296454, "Tokyo",
              "Tokyo, Japan",
              {"province": "Tokyo", "ISO3166-2-lvl4": "JP-13",
               "country": "Japan", "country_code": "jp"},
              ["20.2145811", "35.8984245", "135.8536855", "154.2055410"]),
    ],
    "springfield": [
        place(305574468, "relation", 122586, "39.7990175", "-89.6439575",
              "boundary", "administrative", 16, 0.6261986769136961,
              "Springfield",
              "Springfield, Sangamon County, Illinois, United States",
              {"city": "Springfield", "county": "Sangamon County",
               "state": "Illinois", "ISO3166-2-lvl4": "US-IL",
               "country": "United States", "country_code": "us"},
              ["39.6563291", "39.8723493", "-89.7732082", "-89.5618446"]),
        place(305290925, "relation", 2051442, "42.1018764", "-72.5886727",
              "boundary", "administrative", 16, 0.5887290734264787,
              "Springfield",
              "Springfield, Hampden County, Massachusetts, United States",
              {"city": "Springfield", "county": "Hampden County",
               "state": "Massachusetts", "ISO3166-2-lvl4": "US-MA",
               "country": "United States", "country_code": "us"},
              ["42.0627290", "42.1621290", "-72.6218880", "-72.4713750"]),
    ],
}


def made_up(q):
    """One plausible place for any other q, the same each time."""
    h = hashlib.sha256(q.encode("utf-8", "surrogatepass")).digest()
    pid = int.from_bytes(h[:4], "big") % 400000000 + 1000
    lat = (int.from_bytes(h[4:8], "big") % 1600000) / 10000.0 - 80.0
    lon = (int.from_bytes(h[8:12], "big") % 3400000) / 10000.0 - 170.0
    return [place(pid, "node", pid * 3, "%.7f" % lat, "%.7f" % lon, "place",
                  "town", 18, 0.4, q, "%s, Somewhere, Testland" % q,
                  {"town": q, "country": "Testland", "country_code": "tl"},
                  ["%.7f" % (lat - 0.05), "%.7f" % (lat + 0.05),
                   "%.7f" % (lon - 0.05), "%.7f" % (lon + 0.05)])]


def results_for(q):
    return KNOWN.get((q or "").strip().lower()) or made_up(q or "")


def mode_of(folder, q):
    try:
        with open(os.path.join(folder, "mode")) as f:
            m = f.read().strip()
        if m:
            return m
    except OSError:
        pass
    word = (q or "").strip().lower().replace("-", " ").split(" ")[0]
    if word in MODES or (word.startswith("err") and word[3:].isdigit()
                         and len(word) == 6):
        return word
    return "results"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-nominatim/1.0"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet: the JSON lines are the log
        pass

    def record(self, q, params, mode):
        line = {
            "t": time.time(),
            "method": self.command,
            "path": self.path,
            "q": q,
            "params": params,
            "user_agent": self.headers.get("User-Agent"),
            "accept_language": self.headers.get("Accept-Language"),
            "accept": self.headers.get("Accept"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
            "mode": mode,
        }
        text = json.dumps(line, ensure_ascii=True) + "\n"
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(text)

    def send(self, status, body, ctype="application/json; charset=utf-8",
             extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def send_json(self, obj):
        self.send(200, json.dumps(obj).encode())

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True,
                                       errors="surrogateescape")
        q = params.get("q", [None])[0]
        mode = mode_of(self.server.folder, q) if url.path == "/search" else "notfound"
        self.record(q, params, mode)
        try:
            self.answer(mode, q)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    do_POST = do_GET
    do_HEAD = do_GET

    def answer(self, mode, q):
        if mode == "notfound":
            self.send(404, b'{"error":"not found"}')
        elif mode == "results":
            self.send_json(results_for(q))
        elif mode == "slow":
            time.sleep(1.0)
            self.send_json(results_for(q))
        elif mode == "sparse":
            self.send_json([{"lat": "12.5", "lon": "-45.25"}])
        elif mode == "oddtypes":
            r = results_for("London")[0].copy()
            r["place_id"] = "258178446"
            r["boundingbox"] = r["boundingbox"][:3]
            self.send_json([r])
        elif mode == "empty":
            self.send_json([])
        elif mode.startswith("err"):
            self.send(int(mode[3:]), b"<html><body>error</body></html>",
                      "text/html")
        elif mode == "garbage":
            self.send(200, b'[{"place_id": 1, "lat": "51.5", "lon": ')
        elif mode == "html":
            self.send(200, b"<!DOCTYPE html><html><body>Nominatim</body></html>",
                      "text/html; charset=utf-8")
        elif mode == "notarray":
            self.send_json({"error": {"code": 400, "message": "Nothing to search for."}})
        elif mode == "nolat":
            r = results_for("London")[0].copy()
            del r["lat"]
            self.send_json([r])
        elif mode in ("badlat", "farlat"):
            r = results_for("London")[0].copy()
            r["lat"] = "north" if mode == "badlat" else "91.5"
            self.send_json([r])
        elif mode == "trailing":
            self.send(200, json.dumps(results_for("London")).encode() + b"]]")
        elif mode == "longname":
            r = results_for("London")[0].copy()
            r["display_name"] = "\u00e9" * 300
            self.send_json([r])
        elif mode == "badutf8":
            r = results_for("London")[0].copy()
            r["display_name"] = "BADUTF8"
            body = json.dumps([r]).encode().replace(b"BADUTF8", b"Bad \xff\x80 name")
            self.send(200, body)
        elif mode == "huge":
            self.send(200, huge_body())
        elif mode == "hugechunked":
            self.send_chunked(huge_body())
        elif mode == "gzip":
            self.send(200, gzip.compress(json.dumps(results_for("London")).encode()),
                      extra=[("Content-Encoding", "gzip")])
        elif mode == "gzipbomb":
            self.send(200, gzip_bomb(), extra=[("Content-Encoding", "gzip")])
        elif mode == "redirect":
            self.send(302, b"", extra=[("Location", "/search?q=London&format=json")])
        elif mode == "close":
            self.connection.shutdown(socket.SHUT_RDWR)
        elif mode == "hang":
            time.sleep(HANG_SECONDS)
            self.send_json(results_for(q))
        elif mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.flush()
            for _ in range(HANG_SECONDS * 2):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        else:
            self.send(500, b"unknown mode", "text/plain")

    def send_chunked(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for i in range(0, len(body), 65536):
            part = body[i:i + 65536]
            self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


_HUGE = None
_BOMB = None


def huge_body():
    """A JSON list of real-looking results, HUGE_BYTES bytes or a little more."""
    global _HUGE
    if _HUGE is None:
        one = json.dumps(results_for("London")[0]).encode()
        n = HUGE_BYTES // (len(one) + 1) + 1
        _HUGE = b"[" + b",".join([one] * n) + b"]"
    return _HUGE


def gzip_bomb():
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]", 9)
    return _BOMB


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.folder = args.dir
    server.log_path = os.path.join(args.dir, "requests.jsonl")
    server.log_lock = threading.Lock()
    open(server.log_path, "a").close()

    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, os.path.join(args.dir, "port"))

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
