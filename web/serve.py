#!/usr/bin/env python3
"""Serves CNN Lab's static site folder on 127.0.0.1 (for README's run command and the browser tests).

    python3 web/serve.py [SITE_DIR] [--port PORT] [--isolate] [--cors [ORIGIN]] [--precompressed]

SITE_DIR defaults to build-app-wasm/site (any folder works, e.g. assets/examples for a course
page on an origin of its own). --port 0 picks a free port. The first line printed is
"Serving SITE_DIR at http://127.0.0.1:PORT/" (the browser tests read the port from it). .wasm is
served as application/wasm, which WebAssembly's streaming compilation requires. --isolate makes
the pages cross-origin isolated (every response gets the headers in ISOLATION_HEADERS), so the
lab runs its threaded trainer (web/README.md). --cors lets pages on other origins load the lab
(<cnn-lab> on a course site): every response gets Access-Control-Allow-Origin: ORIGIN (default
*), the one header the lab's host must send for that (web/README.md, "Embedding from another
origin"). --precompressed serves FILE.br or FILE.gz (web/precompress.sh) in place of FILE when the
browser accepts that encoding, as nginx's gzip_static / brotli_static do (README, "Deploying").
"""
import argparse
import functools
import http.server
import os
import sys


# Cross-origin isolation: the page gets shared memory (SharedArrayBuffer, wasm threads) only when
# it is its own browsing context group (COOP) and everything it loads agrees to it (COEP, CORP).
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    isolate = False
    cors_origin = None  # --cors: the Access-Control-Allow-Origin value
    precompressed = False  # --precompressed: FILE.br / FILE.gz when accepted
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".html": "text/html",
        ".json": "application/json",
        ".ttf": "font/ttf",
        ".pack": "application/octet-stream",
    }

    def send_head(self):
        path = self.translate_path(self.path)
        accepted = self.headers.get("Accept-Encoding", "")
        if self.precompressed and os.path.isfile(path):
            for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
                if encoding in accepted and os.path.isfile(path + suffix):
                    f = open(path + suffix, "rb")
                    self.send_response(200)
                    self.send_header("Content-Type", self.guess_type(path))
                    self.send_header("Content-Encoding", encoding)
                    self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
                    self.send_header("Vary", "Accept-Encoding")
                    self.end_headers()
                    return f
        return super().send_head()

    def end_headers(self):
        if self.isolate:
            for name, value in ISOLATION_HEADERS.items():
                self.send_header(name, value)
        if self.cors_origin:
            self.send_header("Access-Control-Allow-Origin", self.cors_origin)
            if self.cors_origin != "*":
                self.send_header("Vary", "Origin")
        super().end_headers()

    def log_message(self, format, *args):
        if os.environ.get("CNNLAB_SERVE_QUIET") != "1":
            super().log_message(format, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="build-app-wasm/site", help="site folder")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--isolate", action="store_true",
                        help="send the cross-origin isolation headers (the threaded trainer)")
    parser.add_argument("--cors", nargs="?", const="*", default=None, metavar="ORIGIN",
                        help="send Access-Control-Allow-Origin: ORIGIN (default *): labs "
                             "mounted by pages on other origins")
    parser.add_argument("--precompressed", action="store_true",
                        help="serve FILE.br / FILE.gz for FILE when the browser accepts them")
    args = parser.parse_args()
    site = os.path.abspath(args.site)
    if not os.path.isdir(site):
        sys.exit(f"serve.py: {site} is not a folder: build the site first "
                 "(cmake --build build-app-wasm --target cnnlab_site)")
    Handler.isolate = args.isolate
    Handler.cors_origin = args.cors
    Handler.precompressed = args.precompressed
    handler = functools.partial(Handler, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    notes = []
    if args.isolate:
        notes.append("cross-origin isolated")
    if args.cors:
        notes.append(f"CORS for {args.cors}")
    if args.precompressed:
        notes.append("precompressed files")
    note = f" ({', '.join(notes)})" if notes else ""
    print(f"Serving {site} at http://127.0.0.1:{server.server_address[1]}/{note}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
