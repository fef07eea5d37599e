"""test_web_assets.py — GET /assets/{name}: the files under web/ (and the QR library from npm)
built into the binary. gzip only when the client accepts it, a strong ETag that 304s, a year of
caching only for the URL that names the asset's hash, and the security headers on every answer.
"""
import gzip
import hashlib
import re
import unittest

import harness
from harness import ServerTest

CSP_PARTS = ["default-src 'none'", "script-src 'self'", "style-src 'self'",
             "connect-src 'self'", "base-uri 'none'", "frame-ancestors 'none'"]


class WebAssets(ServerTest):
    def get(self, target, **headers):
        return self.server.request("GET", target, headers=headers)

    def assert_security_headers(self, r):
        csp = r.headers.get("content-security-policy", "")
        for part in CSP_PARTS:
            self.assertIn(part, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(r.headers.get("x-content-type-options"), "nosniff")
        self.assertEqual(r.headers.get("referrer-policy"), "no-referrer")

    def test_plain_then_gzip_same_bytes(self):
        plain = self.get("/assets/qrcode.js")
        self.assertEqual(plain.status, 200)
        self.assertEqual(plain.headers["content-type"], "text/javascript; charset=utf-8")
        self.assertNotIn("content-encoding", plain.headers)
        self.assertIn(b"qrcode", plain.body)
        self.assert_security_headers(plain)
        etag = plain.headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        # The ETag is the content's SHA-256 (its first 32 hex digits).
        self.assertEqual(etag.strip('"'), hashlib.sha256(plain.body).hexdigest()[:32])
        self.assertEqual(plain.headers["vary"], "Accept-Encoding")

        z = self.get("/assets/qrcode.js", **{"Accept-Encoding": "br, gzip;q=0.8, deflate"})
        self.assertEqual(z.status, 200)
        self.assertEqual(z.headers["content-encoding"], "gzip")
        self.assertLess(len(z.body), len(plain.body) // 2)
        self.assertEqual(gzip.decompress(z.body), plain.body)
        self.assertEqual(z.headers["etag"], etag[:-1] + '-gz"')

        refused = self.get("/assets/qrcode.js", **{"Accept-Encoding": "gzip;q=0, identity"})
        self.assertNotIn("content-encoding", refused.headers)
        self.assertEqual(refused.body, plain.body)

    def test_etag_revalidation_gives_304(self):
        first = self.get("/assets/hotline.css")
        self.assertEqual(first.status, 200)
        self.assertEqual(first.headers["content-type"], "text/css; charset=utf-8")
        etag = first.headers["etag"]
        again = self.get("/assets/hotline.css", **{"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        self.assertEqual(again.headers["etag"], etag)
        self.assert_security_headers(again)
        # The gzip ETag names the same content, and a list or W/ prefix still matches.
        z = self.get("/assets/hotline.css", **{"Accept-Encoding": "gzip"})
        self.assertEqual(self.get("/assets/hotline.css", **{
            "If-None-Match": '"0000", W/' + z.headers["etag"]}).status, 304)
        self.assertEqual(self.get("/assets/hotline.css", **{"If-None-Match": '"0000"'}).status,
                         200)

    def test_immutable_only_with_the_current_version(self):
        etag = self.get("/assets/qrcode.js").headers["etag"].strip('"')
        self.assertEqual(self.get("/assets/qrcode.js").headers["cache-control"], "no-cache")
        r = self.get("/assets/qrcode.js?v=" + etag)
        self.assertEqual(r.headers["cache-control"], "public, max-age=31536000, immutable")
        r = self.get("/assets/qrcode.js?x=1&v=" + etag)
        self.assertEqual(r.headers["cache-control"], "public, max-age=31536000, immutable")
        stale = self.get("/assets/qrcode.js?v=" + "0" * 32)
        self.assertEqual(stale.status, 200)
        self.assertEqual(stale.headers["cache-control"], "no-cache")

    def test_unknown_assets_and_pages_are_404(self):
        for target in ("/assets/nope.js", "/assets/..%2fCMakeLists.txt", "/assets/memo.html",
                       "/assets/%2e%2e", "/assets/hotline.css.gz"):
            r = self.get(target)
            self.assertEqual(r.status, 404, target)
            self.assert_security_headers(r)
        self.assertEqual(self.get("/assets/").status, 404)
        self.assertEqual(self.server.request("POST", "/assets/qrcode.js").status, 405)
        head = self.server.request("HEAD", "/assets/hotline.css")
        self.assertEqual(head.status, 200)

    def test_pages_reference_assets_by_version(self):
        page = self.get("/voice/" + "A" * 22)
        refs = re.findall(rb'(?:src|href)="(/assets/[^"]+)"', page.body)
        self.assertTrue(refs, page.body[:300])
        for ref in refs:
            name, version = re.match(r"/assets/([^?]+)\?v=([0-9a-f]{32})$", ref.decode()).groups()
            r = self.get(ref.decode())
            self.assertEqual(r.status, 200, ref)
            self.assertEqual(r.headers["etag"], '"%s"' % version)
            self.assertEqual(r.headers["cache-control"], "public, max-age=31536000, immutable")
        self.assertNotRegex(page.body, rb"<script(?![^>]*\bsrc=)[^>]*>")
        self.assertNotIn(b"style=", page.body)
        self.assertNotIn(b"<style", page.body)
        self.assertNotIn(b"{{asset:", page.body)


if __name__ == "__main__":
    harness.main()
