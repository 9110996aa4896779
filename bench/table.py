#!/usr/bin/env python3
"""The benchmark's one table: our rows (bench/measure.py) and the peers' rows
(../shared/bench-peers/common/measure.py) as JSON lines, with each row's messages/s as a
share of Kannel's in the same run. Usage: bench/table.py ours.jsonl [peers.jsonl]"""
import json, sys

rows = []
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        rows.append({"name": r["name"], "accepted_s": r["accepted_s"], "delivered_s": r["delivered_s"],
                     "delivered": r["delivered"], "accepted": r["accepted"], "p50": r["p50_ms"], "p99": r["p99_ms"],
                     "non2xx": r["non2xx"], "cpu": r["cpu_us_per_message"]})
kannel = None
if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        if line.strip():
            r = json.loads(line)
            accepted = r["gateway_accepted"] if r.get("gateway_accepted") is not None else r["accepted_2xx"]
            row = {"name": f'{r["name"]} (HTTP send)', "accepted_s": r["accepted_s"],
                   "delivered_s": r.get("delivered_per_s_incl_drain"), "delivered": r["delivered"], "accepted": accepted,
                   "p50": r["p50_ms"], "p99": r["p99_ms"], "non2xx": r["non2xx"], "cpu": r["cpu_us_per_accepted"]}
            rows.append(row)
            if r["name"] == "kannel":
                kannel = row

header = ["route", "accepted msg/s", "delivered msg/s", "delivered/accepted", "p50 ms", "p99 ms", "non-2xx", "CPU µs/msg",
          "accepted ÷ Kannel", "delivered ÷ Kannel"]
out = []
for r in rows:
    share = lambda key: f'{r[key] / kannel[key]:.2f}×' if kannel and r.get(key) and kannel.get(key) else "–"
    out.append([r["name"], f'{r["accepted_s"]:,.0f}', "–" if r["delivered_s"] is None else f'{r["delivered_s"]:,.0f}',
                "–" if r["delivered"] is None else f'{r["delivered"]:,}/{r["accepted"]:,}', f'{r["p50"]:.2f}', f'{r["p99"]:.2f}',
                f'{r["non2xx"]:,}', f'{r["cpu"]:,.0f}', share("accepted_s"), share("delivered_s")])
widths = [max(len(str(c)) for c in col) for col in zip(header, *out)]
line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(header))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for o in out:
    print(line(o))
