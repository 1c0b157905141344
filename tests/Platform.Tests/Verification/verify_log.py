#!/usr/bin/env python3
"""An independent check of a consultation log, written from RFC 9162 and the published record
format alone (Python's hashlib and the cryptography package), without the project's C# code.

Input: a JSON file
  {
    "public_key_pem": "-----BEGIN PUBLIC KEY-----...",
    "leaves": ["<hex published hash>", ...],          # the log's leaves in order (optional)
    "checkpoints": [{"text": "...", "signature": "<base64 r||s>"}, ...],
    "inclusion": [{"published_sha256": "<hex>", "index": i, "size": n, "path": ["<base64>", ...]}, ...],
    "consistency": [{"old_size": m, "new_size": n, "proof": ["<base64>", ...]}, ...],
    "records": [{"content_b64": "<base64 of a downloaded published record>", "published_sha256": "<hex>"}, ...]
  }
Every inclusion and consistency proof is checked against the signed checkpoint of its size; the
root of the leaves, when given, against the checkpoint of their count; each record's SHA-256
against its published hash, and its bytes against the canonical form (RFC 8785: sorted members, no
whitespace, minimal escapes; what json.dumps with sort_keys writes for these records). Prints one line per check
("OK ..." or "FAIL ...") and exits 1 if any failed.
"""
import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.exceptions import InvalidSignature


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def verify_inclusion(leaf, index, size, path, expected_root):
    # RFC 9162, 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(m, n, proof, old_root, new_root):
    # RFC 9162, 2.1.4.2
    if m == n:
        return not proof and old_root == new_root
    if m == 0 or m > n or not proof:
        return m == 0 and not proof
    if m & (m - 1) == 0:
        proof = [old_root] + list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def read_checkpoint(text):
    lines = text.split("\n")
    if len(lines) != 5 or lines[4] != "" or not lines[0].startswith("wsis-consultations/"):
        raise ValueError("not a checkpoint")
    return {"origin": lines[0], "size": int(lines[1]), "root": base64.b64decode(lines[2]), "time": lines[3]}


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    key = serialization.load_pem_public_key(data["public_key_pem"].encode("ascii"))
    failures = 0

    def report(ok, what):
        nonlocal failures
        print(("OK " if ok else "FAIL ") + what)
        if not ok:
            failures += 1

    roots = {}
    for c in data.get("checkpoints", []):
        signature = base64.b64decode(c["signature"])
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            key.verify(der, c["text"].encode("utf-8"), ec.ECDSA(hashes.SHA256()))
            checkpoint = read_checkpoint(c["text"])
            roots[checkpoint["size"]] = checkpoint["root"]
            report(True, f"checkpoint size {checkpoint['size']} signature")
        except (InvalidSignature, ValueError) as e:
            report(False, f"checkpoint signature ({type(e).__name__})")

    if "leaves" in data:
        leaves = [leaf_hash(bytes.fromhex(h)) for h in data["leaves"]]
        n = len(leaves)
        report(n in roots and root(leaves) == roots[n], f"root of {n} leaves")

    for i in data.get("inclusion", []):
        size = i["size"]
        ok = size in roots and verify_inclusion(leaf_hash(bytes.fromhex(i["published_sha256"])), i["index"], size,
                                                [base64.b64decode(p) for p in i["path"]], roots[size])
        report(ok, f"inclusion of leaf {i['index']} in {size}")

    for c in data.get("consistency", []):
        m, n = c["old_size"], c["new_size"]
        ok = m in roots and n in roots and verify_consistency(m, n, [base64.b64decode(p) for p in c["proof"]], roots[m], roots[n])
        report(ok, f"consistency {m} -> {n}")

    for r in data.get("records", []):
        content = base64.b64decode(r["content_b64"])
        report(hashlib.sha256(content).hexdigest() == r["published_sha256"].lower(), f"record hash {r['published_sha256'][:16]}")
        try:
            parsed = json.loads(content.decode("utf-8"))
            canonical = json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
            report(parsed.get("format") == "wsis-published-response/1" and canonical == content,
                   f"record {parsed.get('response_id', '?')} is canonical wsis-published-response/1")
        except (UnicodeDecodeError, ValueError):
            report(False, "record is not UTF-8 JSON")

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
