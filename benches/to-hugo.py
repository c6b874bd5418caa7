#!/usr/bin/env python3
"""Turns incident records into Hugo content pages for the side-by-side benchmark.

Each `<ID>.md` record becomes `<out>/<ID>.md` with YAML front matter (title, date, severity,
customers as a taxonomy) followed by the record's Markdown unchanged, minus its `# Incident
Report` heading (Hugo prints the title). Only what the Hugo site needs is read: the summary
labels and the first column of the Customer-Specific Impact table.

usage: to-hugo.py RECORDS_DIR OUT_DIR
"""

import json
import os
import re
import sys

LABEL = re.compile(r"^\*\*(Incident ID|Title|Severity|Start Time)\*\*:\s*(.*?)\s*$")


def front_matter(text):
    fields, customers, in_table = {}, [], False
    for line in text.splitlines():
        m = LABEL.match(line)
        if m and m.group(1) not in fields:
            fields[m.group(1)] = m.group(2)
        if line.startswith("### Customer-Specific Impact"):
            in_table = True
        elif in_table:
            if not line.startswith("|"):
                if customers:
                    in_table = False
                continue
            name = line.strip("|").split("|")[0].strip()
            if name and name != "Customer" and not name.startswith("-") and not name.startswith("Others ("):
                customers.append(name)
    start = fields.get("Start Time", "").removesuffix(" UTC").replace(" ", "T")
    return {
        "title": fields.get("Title", ""),
        "id": fields.get("Incident ID", ""),
        "date": start + "Z" if start else "",
        "severity": fields.get("Severity", "").split(" ")[0],
        "customers": customers,
    }


def convert(src, dst):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    meta = front_matter(text)
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    lines = ["---"]
    for key in ("title", "id", "date", "severity"):
        lines.append(f"{key}: {json.dumps(meta[key], ensure_ascii=False)}")
    lines.append(f"severities: [{json.dumps(meta['severity'])}]")
    lines.append("customers: [" + ", ".join(json.dumps(c, ensure_ascii=False) for c in meta["customers"]) + "]")
    lines.append("---")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n" + body)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    src_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src_dir)):
        if name.endswith(".md"):
            convert(os.path.join(src_dir, name), os.path.join(out_dir, name))
            n += 1
    print(f"converted {n} records into {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
