#!/usr/bin/env python3
"""Serves CNN Lab's static site folder on 127.0.0.1 (for README's run command and the browser tests).

    python3 web/serve.py [SITE_DIR] [--port PORT]

SITE_DIR defaults to build-app-wasm/site. --port 0 picks a free port. The first line printed is
"Serving SITE_DIR at http://127.0.0.1:PORT/" (the browser tests read the port from it). .wasm is
served as application/wasm, which WebAssembly's streaming compilation requires.
"""
import argparse
import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
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

    def log_message(self, format, *args):
        if os.environ.get("CNNLAB_SERVE_QUIET") != "1":
            super().log_message(format, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="build-app-wasm/site", help="site folder")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    args = parser.parse_args()
    site = os.path.abspath(args.site)
    if not os.path.isfile(os.path.join(site, "index.html")):
        sys.exit(f"serve.py: {site} has no index.html: build the site first "
                 "(cmake --build build-app-wasm --target cnnlab_site)")
    handler = functools.partial(Handler, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"Serving {site} at http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
