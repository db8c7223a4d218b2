#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# bench-stats.py LOG OUTDIR BACKEND CPUS: the statistics of make bench.
#
# LOG is the benchmark guest's console (tools/guest-bench.sh): for every
# run a "BENCHRUN job driver round busy total hz" line and fio's JSON.
# Rounds are paired (both drivers ran the job back to back in the same
# round, in ABBA order), so the ratio my_nvme/nvme is estimated from the
# medians of the paired rounds, and its 95% confidence interval by a
# bootstrap over rounds (10000 resamples, fixed seed: the same log gives
# the same interval). A job whose interval contains 1.00 is "within
# noise". Prints a table and one BENCHSTAT line per job and metric,
# writes them to OUTDIR/bench-BACKEND.txt and a plot of every round to
# OUTDIR/bench-BACKEND.png (gnuplot). A BACKEND ending in "-aa" is an A/A
# run (BENCH_AA=1): both columns are my_nvme, on controllers a and b.
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys

# metric: (label, higher is better)
METRICS = {
    "iops": ("IOPS", True),
    "p50": ("p50 clat us", False),
    "p99": ("p99 clat us", False),
    "p999": ("p99.9 clat us", False),
    "cpu": ("CPU us/IO", False),
    "irq": ("IRQs/IO", False),
}
LATENCY_JOBS = ("qd1-randread", "qd1-randread-poll", "qd1-randread-poll-cmd")
KMSG = re.compile(r"^\[\s*\d+\.\d+\] ")
# What the two columns are called: set in main() for an A/A run.
NAMES = {"my_nvme": "my_nvme", "nvme": "nvme"}


def parse(path):
    runs = []
    with open(path, errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    i = 0
    while i < len(lines):
        line = lines[i]
        at = line.find("BENCHRUN ")
        if at < 0:
            i += 1
            continue
        words = line[at:].split()
        job, drv, rnd = words[1], words[2], int(words[3])
        busy, total, hz = int(words[4]), int(words[5]), int(words[6])
        irqs = int(words[7]) if len(words) > 7 and words[7].isdigit() else 0
        # I/Os the disk completed over the same window as busy and irqs
        # (fio's ramp-up included); older logs lack it.
        window_ios = 0
        for w in words[8:]:
            if w.startswith("ios=") and w[4:].isdigit():
                window_ios = int(w[4:])
        i += 1
        while i < len(lines) and "BENCHJSON-BEGIN" not in lines[i]:
            i += 1
        i += 1
        body = []
        while i < len(lines) and "BENCHJSON-END" not in lines[i]:
            # A kernel message on the serial console can land between
            # two lines of fio's JSON ("random: crng init done").
            if not KMSG.match(lines[i]):
                body.append(lines[i])
            i += 1
        text = "\n".join(body)
        start = text.find("{")
        try:
            data = json.loads(text[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            data = None
        if not data or not data.get("jobs"):
            print(f"bench-stats: no fio result for {job} {drv} round {rnd}",
                  file=sys.stderr)
            continue
        j = data["jobs"][0]
        ios = j["read"]["total_ios"] + j["write"]["total_ios"]
        iops = j["read"]["iops"] + j["write"]["iops"]
        side = j["read"] if j["read"]["total_ios"] else j["write"]
        pct = side.get("clat_ns", {}).get("percentile", {})

        def p(key):
            return pct.get(key, 0) / 1000.0
        per_io = window_ios or ios
        runs.append({
            "job": job, "drv": drv, "round": rnd, "iops": iops,
            "p50": p("50.000000"), "p99": p("99.000000"),
            "p999": p("99.900000"),
            "cpu": (busy / hz * 1e6 / per_io) if per_io else 0.0,
            "irq": (irqs / per_io) if per_io else 0.0,
            "err": j.get("error", 0),
        })
    return runs


def ratio_ci(pairs, higher, rng, n=10000):
    my = [a for a, _ in pairs]
    nv = [b for _, b in pairs]
    med_my, med_nv = statistics.median(my), statistics.median(nv)
    ratio = med_my / med_nv if med_nv else float("nan")
    boots = []
    for _ in range(n):
        sample = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        a = statistics.median([x for x, _ in sample])
        b = statistics.median([y for _, y in sample])
        if b:
            boots.append(a / b)
    boots.sort()
    low = boots[int(0.025 * len(boots))]
    high = boots[min(len(boots) - 1, int(0.975 * len(boots)))]
    if low <= 1.0 <= high:
        verdict = "within noise"
    elif (low > 1.0) == higher:
        verdict = f"{NAMES['my_nvme']} better"
    else:
        verdict = f"{NAMES['nvme']} better"
    return med_my, med_nv, ratio, low, high, verdict


def plot(runs, jobs, outdir, backend):
    if not shutil.which("gnuplot"):
        print("bench-stats: no gnuplot, no plot", file=sys.stderr)
        return None
    datadir = os.path.join(outdir, f"plot-{backend}")
    os.makedirs(datadir, exist_ok=True)
    cmds = [
        "set terminal png size 1400,900 noenhanced",
        f"set output '{outdir}/bench-{backend}.png'",
        f"set multiplot layout 2,3 title '{NAMES['my_nvme']} vs {NAMES['nvme']}, "
        f"{backend} backend: IOPS per round'",
        "set key bottom right", "set grid", "set xlabel 'round'",
    ]
    for job in jobs:
        for drv in ("my_nvme", "nvme"):
            with open(os.path.join(datadir, f"{job}-{drv}.dat"), "w") as f:
                for r in sorted((r for r in runs if r["job"] == job and r["drv"] == drv),
                                key=lambda r: r["round"]):
                    f.write(f"{r['round']} {r['iops']:.0f}\n")
        cmds += [f"set title '{job}'",
                 f"plot '{datadir}/{job}-my_nvme.dat' w lp t '{NAMES['my_nvme']}', "
                 f"'{datadir}/{job}-nvme.dat' w lp t '{NAMES['nvme']}'"]
    cmds.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(cmds), text=True, check=False,
                   stderr=subprocess.DEVNULL)
    return f"{outdir}/bench-{backend}.png"


def main():
    log, outdir, backend, cpus = sys.argv[1:5]
    if backend.endswith("-aa"):
        NAMES.update({"my_nvme": "my_nvme(a)", "nvme": "my_nvme(b)"})
    runs = [r for r in parse(log) if r["round"] > 0]
    jobs = []
    for r in runs:
        if r["job"] not in jobs:
            jobs.append(r["job"])
    rng = random.Random(1)
    out = []
    header = (f"{'job':<18} {'metric':<14} {NAMES['my_nvme']:>10} {NAMES['nvme']:>10} "
              f"{'ratio':>6}  {'95% CI':<13} verdict")
    out.append(header)
    stats = []
    for job in jobs:
        metrics = ["iops", "cpu", "irq"]
        if job in LATENCY_JOBS:
            metrics = ["p50", "p99", "p999", "iops", "cpu", "irq"]
        by_round = {}
        for r in runs:
            if r["job"] == job:
                by_round.setdefault(r["round"], {})[r["drv"]] = r
        rounds = sorted(k for k, v in by_round.items() if len(v) == 2)
        if len(rounds) < 2:
            continue
        for m in metrics:
            label, higher = METRICS[m]
            pairs = [(by_round[k]["my_nvme"][m], by_round[k]["nvme"][m])
                     for k in rounds]
            if any(b == 0 for _, b in pairs):
                continue
            med_my, med_nv, ratio, low, high, verdict = ratio_ci(pairs, higher, rng)
            out.append(f"{job:<18} {label:<14} {med_my:>10.1f} {med_nv:>10.1f} "
                       f"{ratio:>6.3f}  [{low:.3f},{high:.3f}] {verdict}")
            stats.append(f"BENCHSTAT backend={backend} cpus={cpus} job={job} "
                         f"metric={m} rounds={len(rounds)} my_nvme={med_my:.2f} "
                         f"nvme={med_nv:.2f} ratio={ratio:.4f} ci_low={low:.4f} "
                         f"ci_high={high:.4f} verdict={verdict.replace(' ', '_')}")
    errors = sum(1 for r in runs if r["err"])
    fewest = min((len({r["round"] for r in runs if r["job"] == j}) for j in jobs),
                 default=0)
    if 0 < fewest < 10:
        out += ["", f"note: {fewest} round(s) per job; with fewer than 10 the "
                "bootstrap intervals are too narrow to trust"]
    png = plot(runs, jobs, outdir, backend)
    text = "\n".join(out + [""] + stats)
    if errors:
        text += f"\n{errors} run(s) reported an fio error"
    if png:
        text += f"\nplot: {png}"
    print(text)
    with open(os.path.join(outdir, f"bench-{backend}.txt"), "w") as f:
        f.write(text + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
