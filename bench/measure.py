#!/usr/bin/env python3
"""One wrk measurement of a route of ours, counted the way ../shared/bench-peers counts
the peer gateways, and appended as one JSON line to --results:

- accepted: 2xx answers (times --per-request for batch sends);
- delivered: what the fake carrier took (GET --count-url, before and after), waiting
  after wrk until it has caught up with accepted or stops moving for 10 s;
- CPU: utime+stime from /proc/PID/stat of the root PIDs and all their descendants (the
  `spin up` parent and its `trigger http` child), over wrk and the drain. /proc/PID/stat
  keeps the time of threads that have exited; summing /proc/PID/task/* would not.
"""
import argparse, json, os, subprocess, sys, time, urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def descendants(roots):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            children.setdefault(int(s[s.rfind(")") + 2:].split()[1]), []).append(int(d))
        except OSError:
            pass
    out, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p not in out:
            out.add(p)
            todo.extend(children.get(p, []))
    return sorted(out)


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return 0
    fields = s[s.rfind(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def delivered(url):
    if not url:
        return 0
    with urllib.request.urlopen(url, timeout=10) as r:
        return int(r.read().decode().strip())


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--script", required=True, help="wrk Lua script (counts answers through bench/count.lua)")
    ap.add_argument("--pids", required=True, help="root PIDs of what serves the requests, space separated")
    ap.add_argument("--count-url", default="", help="GET → the number of messages the carrier has taken")
    ap.add_argument("--per-request", type=int, default=1, help="messages per accepted request")
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--max-load", type=float, default=float(os.environ.get("BENCH_MAX_LOAD", 3.0)))
    ap.add_argument("--load-tries", type=int, default=int(os.environ.get("BENCH_LOAD_TRIES", 2)))
    ap.add_argument("--results", required=True)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, BENCH_DIR=here)

    tries = 0
    while loadavg()[0] > a.max_load and tries < a.load_tries:
        print(f"[{a.name}] load {loadavg()} > {a.max_load}: waiting 30 s", flush=True)
        time.sleep(30)
        tries += 1
    if a.warmup:
        env["WRK_OUT"] = os.path.join(os.path.dirname(os.path.abspath(a.results)), "warmup.json")
        subprocess.run(["wrk", "-t1", "-c4", f"-d{a.warmup}s", "--timeout", "60s", "-s", a.script, a.url],
                       env=env, capture_output=True, timeout=a.warmup + 120)
        # Requests still in flight when wrk stops finish on the server: wait until what
        # the carrier takes stops moving (3 s, at most 60 s), so none counts below.
        previous, stable_since, started = delivered(a.count_url), time.time(), time.time()
        while a.count_url and time.time() - stable_since < 3 and time.time() - started < 60:
            time.sleep(0.5)
            now = delivered(a.count_url)
            if now != previous:
                previous, stable_since = now, time.time()
        time.sleep(1)

    pids = descendants([int(p) for p in a.pids.split()])
    c0 = sum(cpu_ticks(p) for p in pids)
    d0 = delivered(a.count_url)
    load_before = loadavg()
    slug = "".join(c if c.isalnum() else "-" for c in a.name)
    env["WRK_OUT"] = os.path.join(os.path.dirname(os.path.abspath(a.results)), f"wrk-{slug}.json")
    # A batch of 1,000 takes longer than wrk's default 2 s timeout, which drops it uncounted.
    r = subprocess.run(["wrk", f"-t{a.threads}", f"-c{a.conns}", f"-d{a.duration}s", "--timeout", "60s", "--latency", "-s", a.script, a.url],
                       env=env, capture_output=True, text=True, timeout=a.duration + 120)
    if r.returncode != 0:
        print(r.stdout, r.stderr, file=sys.stderr)
        sys.exit(1)
    w = json.load(open(env["WRK_OUT"]))
    accepted = w["ok"] * a.per_request
    seconds = w["duration_us"] / 1e6
    t_drain, last, last_change = time.time(), delivered(a.count_url), time.time()
    while a.count_url and last - d0 < accepted and time.time() - last_change < 10:
        time.sleep(0.2)
        n = delivered(a.count_url)
        if n != last:
            last, last_change = n, time.time()
    # Until the last message reached the carrier (not the quiet wait after it).
    drain = max(0.0, last_change - t_drain) if a.count_url else 0.0
    pids = descendants([int(p) for p in a.pids.split()])
    cpu_s = (sum(cpu_ticks(p) for p in pids) - c0) / TICK
    result = {
        "name": a.name, "requests": w["requests"], "requests_s": round(w["requests"] / seconds, 1),
        "accepted": accepted, "accepted_s": round(accepted / seconds, 1), "non2xx": w["non2xx"],
        "socket_errors": w["socket_errors"], "delivered": (last - d0) if a.count_url else None,
        # Requests still in flight when wrk stops are delivered but never counted accepted
        # (a batch is 1,000 of them): the rate counts at most what was accepted.
        "delivered_s": round(min(last - d0, accepted) / (seconds + drain), 1) if a.count_url else None,
        "drain_s": round(drain, 1),
        "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
        "cpu_us_per_message": round(cpu_s * 1e6 / max(1, accepted), 1), "load_before": load_before,
    }
    with open(a.results, "a") as f:
        f.write(json.dumps(result) + "\n")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
