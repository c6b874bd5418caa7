#!/usr/bin/env python3
"""Check an incident-archive evidence bundle with Python's standard library only.

Usage: python3 verify.py [BUNDLE_FOLDER]   (default: the folder this script is in)

Checks, independently of incident-archive:
  1. SHA256SUMS: every file it lists has that SHA-256, and it lists every file;
  2. the checkpoint: its text (origin, tree size, base64 root) states the manifest's tree;
     when signed, the Ed25519 signature (RFC 8032, computed here) with the key of
     checkpoint.pub, whose key id follows the C2SP signed-note rule, and checkpoint.pem and
     checkpoint.sig are that key and that signature;
  3. each line of ledger/entries.jsonl: its RFC 6962 leaf hash and the inclusion proof of
     proofs/<seq>.json lead to the checkpoint's root (RFC 6962 / RFC 9162 code of its own);
  4. each original (records/<ID>/v<N>.md) and sidecar hashes to the object its ledger entry
     records.
Prints each check; prints each failure as `path: error[kind]: message` and exits 1.
"""

import base64
import hashlib
import json
import os
import sys

FAILURES = []


def fail(path, kind, message):
    FAILURES.append((path, kind, message))
    print(f"{path}: error[{kind}]: {message}")


def ok(message):
    print(f"ok: {message}")


def sha256(b):
    return hashlib.sha256(b).hexdigest()


# --- RFC 6962 -------------------------------------------------------------------------------

def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2: the root the audit path leads to, or None."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


# --- Ed25519 verification (RFC 8032 section 6, the reference code) --------------------------

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _mul(s, pt):
    acc = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        s >>= 1
    return acc


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 % P == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    return _equal(_mul(s, G), _add(r, _mul(h, a)))


# --- the bundle -----------------------------------------------------------------------------

def read_bundle(root):
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            full = os.path.join(folder, n)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel.startswith("__pycache__/"):
                continue
            with open(full, "rb") as f:
                files[rel] = f.read()
    return files


def check_sums(files):
    sums = files.get("SHA256SUMS")
    if sums is None:
        fail("SHA256SUMS", "file-missing", "the bundle has no SHA256SUMS")
        return
    before = len(FAILURES)
    listed = set()
    for i, line in enumerate(sums.decode("utf-8", "replace").splitlines(), 1):
        h, sep, path = line.partition("  ")
        if not sep:
            h, sep, path = line.partition(" *")
        if len(h) != 64 or not path or any(c not in "0123456789abcdefABCDEF" for c in h):
            fail(f"SHA256SUMS:{i}", "sums-invalid", "not `<sha256>  <path>`")
            continue
        listed.add(path)
        if path not in files:
            fail(path, "file-missing", "listed in SHA256SUMS, not in the bundle")
        elif sha256(files[path]) != h.lower():
            fail(path, "file-changed", f"its SHA-256 is {sha256(files[path])}, SHA256SUMS says {h}")
    for path in sorted(files):
        if path != "SHA256SUMS" and path not in listed:
            fail(path, "file-unlisted", "in the bundle but not in SHA256SUMS")
    if len(FAILURES) == before:
        ok(f"SHA256SUMS: the {len(listed)} files it lists match, and it lists every file")


def parse_checkpoint(text):
    """(origin, size, root bytes) of a tlog-checkpoint text, or raises ValueError."""
    if not text.endswith("\n"):
        raise ValueError("the checkpoint text does not end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise ValueError("a checkpoint has at least three lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin or origin.strip() != origin:
        raise ValueError("bad origin line")
    if not size.isdigit() or (len(size) > 1 and size[0] == "0") or not size.isascii():
        raise ValueError(f"the tree size `{size}` is not a decimal number")
    raw = base64.b64decode(root, validate=True)
    if len(raw) != 32 or base64.b64encode(raw).decode() != root:
        raise ValueError(f"the root hash `{root}` is not the base64 of 32 bytes")
    return origin, int(size), raw


def parse_verifier_key(text):
    """(name, key id bytes, public key) of `name+keyid+base64(0x01 || key)`; checks the id."""
    name, _, rest = text.partition("+")
    keyid, _, data = rest.partition("+")
    raw = base64.b64decode(data, validate=True)
    if not name or len(keyid) != 8 or len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key `name+keyid+base64`")
    public = raw[1:]
    computed = hashlib.sha256(name.encode() + b"\n" + b"\x01" + public).digest()[:4]
    if computed.hex() != keyid.lower():
        raise ValueError(f"the key id `{keyid}` is not the C2SP key id of this name and key ({computed.hex()})")
    return name, computed, public


def check_checkpoint(files, manifest):
    try:
        text = files["checkpoint.txt"].decode("utf-8")
        origin, size, root = parse_checkpoint(text)
    except KeyError:
        fail("checkpoint.txt", "file-missing", "the bundle does not have it")
        return None
    except (ValueError, UnicodeDecodeError) as e:
        fail("checkpoint.txt", "checkpoint-invalid", str(e))
        return None
    if manifest is not None:
        if manifest.get("tree_size") != size or manifest.get("root") != root.hex():
            fail("checkpoint.txt", "checkpoint-mismatch",
                 f"the checkpoint states {size} entries with root {root.hex()}, "
                 f"the manifest {manifest.get('tree_size')} with root {manifest.get('root')}")
        else:
            ok(f"the checkpoint states the manifest's tree: {size} entries, root {root.hex()}")
    note = files.get("checkpoint")
    if note is None:
        fail("checkpoint", "file-missing", "the bundle does not have it")
        return size, root
    note = note.decode("utf-8", "replace")
    signed = manifest.get("signed") if manifest is not None else note != text
    if not signed:
        if note != text:
            fail("checkpoint", "checkpoint-mismatch", "the unsigned checkpoint is not `checkpoint.txt`")
        print("note: the checkpoint is not signed: compare its root with one obtained elsewhere")
        return size, root
    split = note.rfind("\n\n")
    if split < 0 or note[: split + 1] != text:
        fail("checkpoint", "checkpoint-mismatch", "the signed text is not `checkpoint.txt`")
        return size, root
    try:
        name, keyid, public = parse_verifier_key(files["checkpoint.pub"].decode("utf-8").rstrip("\n"))
    except KeyError:
        fail("checkpoint.pub", "file-missing", "a signed bundle carries its verifier key")
        return size, root
    except (ValueError, UnicodeDecodeError) as e:
        fail("checkpoint.pub", "key-invalid", str(e))
        return size, root
    sig = None
    for line in note[split + 2:].splitlines():
        if not line.startswith("\u2014 "):
            fail("checkpoint", "signature-invalid", "a signature line does not begin with an em dash")
            continue
        sname, _, b64 = line[2:].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            fail("checkpoint", "signature-invalid", "a signature is not base64")
            continue
        if sname == name and raw[:4] == keyid:
            sig = raw[4:]
    if sig is None:
        fail("checkpoint", "signature-invalid", f"no signature by the key of checkpoint.pub ({name}+{keyid.hex()})")
        return size, root
    if ed25519_verify(public, text.encode("utf-8"), sig):
        ok(f"the checkpoint's Ed25519 signature verifies with {name}+{keyid.hex()} "
           "(the bundle's key: compare it with one you trust)")
    else:
        fail("checkpoint", "signature-invalid", f"the signature by {name}+{keyid.hex()} does not verify")
    if files.get("checkpoint.sig") != sig:
        fail("checkpoint.sig", "signature-mismatch", "not the signature of the `checkpoint` note")
    spki = bytes.fromhex("302a300506032b6570032100") + public
    pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(spki).decode() + "\n-----END PUBLIC KEY-----\n"
    if files.get("checkpoint.pem") != pem.encode():
        fail("checkpoint.pem", "key-mismatch", "not the public key of checkpoint.pub")
    return size, root


def check_entries(files, manifest, checkpoint):
    path = "ledger/entries.jsonl"
    entries = {}
    data = files.get(path)
    if data is None:
        fail(path, "file-missing", "the bundle does not have it")
        return entries
    before = len(FAILURES)
    ids = None if manifest is None else {r["id"] for r in manifest.get("records", [])}
    if data and not data.endswith(b"\n"):
        fail(path, "entry-invalid", "the last line has no newline")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    last = None
    proved = 0
    for i, line in enumerate(lines, 1):
        at = f"{path}:{i}"
        try:
            e = json.loads(line)
            seq = e["seq"]
            if not isinstance(seq, int):
                raise ValueError("seq is not a number")
        except (ValueError, KeyError, TypeError) as err:
            fail(at, "entry-invalid", f"not a ledger entry: {err}")
            continue
        if last is not None and seq <= last:
            fail(at, "entry-order", f"seq {seq} after seq {last}")
        last = seq
        if ids is not None and e.get("id") not in ids:
            fail(at, "entry-unexpected", f"an entry about `{e.get('id')}`, which the manifest does not select")
        name = f"proofs/{seq}.json"
        if name not in files:
            fail(name, "proof-missing", f"line {i} (seq {seq}) has no inclusion proof")
        else:
            try:
                proof = json.loads(files[name])
                audit = [bytes.fromhex(h) for h in proof["audit_path"]]
                if proof["entry"].encode("utf-8") != line:
                    fail(name, "proof-mismatch", f"the proof is of another entry than line {i} of `{path}`")
                elif checkpoint is not None:
                    size, root = checkpoint
                    leaf = leaf_hash(line)
                    if proof["leaf_index"] != seq or proof["tree_size"] != size:
                        fail(name, "proof-invalid", "the proof's leaf index or tree size is not the entry's seq "
                             "and the checkpoint's size")
                    elif proof["leaf_hash"] != leaf.hex():
                        fail(name, "proof-invalid", "the entry does not hash to the proof's leaf_hash")
                    elif any(len(h) != 32 for h in audit) or root_from_inclusion(seq, size, leaf, audit) != root:
                        fail(name, "proof-invalid", f"the audit path does not lead to the checkpoint's root {root.hex()}")
                    else:
                        proved += 1
            except (ValueError, KeyError, TypeError) as err:
                fail(name, "proof-invalid", f"not an inclusion proof: {err}")
        if seq in entries:
            fail(at, "entry-order", "a seq that appears twice")
        entries[seq] = e
    for name in sorted(files):
        if name.startswith("proofs/"):
            stem = name[len("proofs/"):-len(".json")] if name.endswith(".json") else ""
            if not stem.isdigit() or int(stem) not in entries:
                fail(name, "entry-missing", f"a proof of an entry that `{path}` does not have")
    for r in (manifest or {}).get("records", []):
        for s in r.get("entries", []):
            if s not in entries:
                fail(path, "entry-missing", f"the manifest lists entry {s} about `{r['id']}`, the file does not have it")
    if len(FAILURES) == before:
        ok(f"{path}: {len(entries)} entries, each with an RFC 6962 inclusion proof "
           f"in the checkpoint's tree ({proved} proofs checked)")
    return entries


def check_records(files, manifest, entries):
    before = len(FAILURES)
    checked = 0
    for r in manifest.get("records", []):
        for v in r.get("versions", []):
            label = f"`{r['id']}` version {v['version']}"
            e = entries.get(v["seq"])
            if e is None:
                fail("manifest.json", "entry-missing", f"{label}: entry {v['seq']} is not in the bundle's ledger lines")
                continue
            if (e.get("id") != r["id"] or e.get("action") not in ("ingest", "new_version")
                    or e.get("object") != v["object"] or e.get("size") != v["size"]):
                fail("manifest.json", "manifest-invalid", f"{label}: entry {v['seq']} is not the entry of this version")
                continue
            if r.get("purged"):
                continue
            path = v.get("original")
            if path not in files:
                fail(path or "manifest.json", "file-missing", f"the original of {label}")
            elif sha256(files[path]) != e["object"] or len(files[path]) != e["size"]:
                fail(path, "object-mismatch",
                     f"its SHA-256 is {sha256(files[path])} ({len(files[path])} bytes); "
                     f"ledger entry {e['seq']} records {e['object']} ({e['size']} bytes)")
            else:
                checked += 1
            side, att = v.get("sidecar"), e.get("attestation")
            if side is None and att is None:
                continue
            if side is None or att is None or side.get("object") != att.get("object"):
                fail("manifest.json", "manifest-invalid", f"{label}: the sidecar is not the one entry {e['seq']} records")
                continue
            spath = side.get("file")
            if spath not in files:
                fail(spath or "manifest.json", "file-missing", f"the sidecar of {label}")
            elif sha256(files[spath]) != att["object"]:
                fail(spath, "object-mismatch",
                     f"its SHA-256 is {sha256(files[spath])}; ledger entry {e['seq']} records the sidecar {att['object']}")
            else:
                checked += 1
    if len(FAILURES) == before:
        ok(f"{checked} originals and sidecars hash to the objects their ledger entries record")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    if not os.path.isdir(root):
        print(f"error: `{root}` is not a folder (extract a .tar.gz bundle first)", file=sys.stderr)
        return 2
    files = read_bundle(root)
    check_sums(files)
    manifest = None
    if "manifest.json" not in files:
        fail("manifest.json", "file-missing", "the bundle has no manifest")
    else:
        try:
            manifest = json.loads(files["manifest.json"])
        except ValueError as e:
            fail("manifest.json", "manifest-invalid", f"not JSON: {e}")
    if manifest is not None:
        missing = [p for p in manifest.get("files", {}) if p not in files]
        for p in missing:
            fail(p, "file-missing", "the manifest lists this file, the bundle does not have it")
        if not missing:
            ok(f"every file the manifest lists is there ({len(manifest.get('files', {}))})")
    checkpoint = check_checkpoint(files, manifest)
    entries = check_entries(files, manifest, checkpoint)
    if manifest is not None:
        check_records(files, manifest, entries)
    if FAILURES:
        print(f"FAILED: {len(FAILURES)} problem(s)")
        return 1
    print("bundle verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
