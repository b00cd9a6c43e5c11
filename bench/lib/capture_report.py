#!/usr/bin/env python3
"""Rows and report of bench/capture.sh.

  row       one JSON line for one tool and run, from the counters read before and after the measured window
  progress  one human line per JSON row on stdin (printed while the bench runs)
  report    markdown from runs.jsonl: medians over the runs per rate and tool, the ratios computed per run (so that
            they compare tools on the same packets) and then their median, and the issue-9 targets met or missed

Unit tests: python3 -m unittest discover -s bench/lib
"""
import argparse
import json
import platform
import statistics
import sys
from collections import defaultdict

AGENT = "fluxtap-agent"
TOOLS = (AGENT, "tcpdump", "pmacctd")
RSS_LIMIT_MIB = 256
CAPTURE_RATIO_TARGET = 0.90


def make_row(tool, rep, rate, seconds, offered, interface_rx, load_ns, window_ns, hz, loadavg, rss_kib, before, after):
    """Counters are "captured kernel_drops [agent: published counted_drops batches_lost depth] cpu_ticks"."""
    b = [int(x) for x in before.split()]
    a = [int(x) for x in after.split()]
    d = [y - x for x, y in zip(b, a)]
    row = {"tool": AGENT if tool == "agent" else tool, "rep": rep, "rate": rate, "seconds": seconds, "offered": offered,
           "interface_rx": interface_rx, "load_seconds": load_ns / 1e9, "window_seconds": window_ns / 1e9,
           "loadavg": [float(x) for x in loadavg.split()], "rss_peak_kib": rss_kib,
           "captured": d[0], "kernel_drops": d[1], "cpu_seconds": d[-1] / hz}
    if row["tool"] == AGENT:
        row.update(published=d[2], counted_drops=d[3], batches_lost=d[4], queue_depth_end=a[5])
    return row


def cpu_us_per_packet(r):
    return 1e6 * r["cpu_seconds"] / r["captured"] if r["captured"] else float("inf")


def cpu_percent(r):
    return 100.0 * r["cpu_seconds"] / r["load_seconds"] if r["load_seconds"] else float("nan")


def accounted(r):
    """(published + counted drops) / captured for the agent: 1.0 means every captured packet is accounted for."""
    if r["captured"] == 0:
        return 1.0
    return (r["published"] + r["counted_drops"]) / r["captured"]


def progress_line(r):
    line = (f"  run {r['rep']} {r['rate']:>7} pps  {r['tool']:<13} offered {r['offered']:>9}  captured {r['captured']:>9}"
            f"  kernel drops {r['kernel_drops']:>7}  {cpu_us_per_packet(r):5.2f} µs/pkt  {cpu_percent(r):5.1f} % core"
            f"  {r['rss_peak_kib'] // 1024:>4} MiB  load {r['loadavg'][0]:.2f}")
    if r["tool"] == AGENT:
        line += f"  published {r['published']}  counted drops {r['counted_drops']}  batches lost {r['batches_lost']}"
    return line


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def runs_by(rows):
    """{rate: {rep: {tool: row}}}"""
    out = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        out[r["rate"]][r["rep"]][r["tool"]] = r
    return out


def per_run_ratios(runs, numerator_tool, denominator_tool, f):
    ratios = []
    for tools in runs.values():
        if numerator_tool in tools and denominator_tool in tools:
            den = f(tools[denominator_tool])
            if den:
                ratios.append(f(tools[numerator_tool]) / den)
    return ratios


def tcpdump_sustained(runs):
    """tcpdump captured every offered packet with no kernel drop in every run at this rate."""
    rows = [t["tcpdump"] for t in runs.values() if "tcpdump" in t]
    return bool(rows) and all(r["kernel_drops"] == 0 and r["captured"] >= r["offered"] for r in rows)


def fmt(x, digits=2):
    return "–" if x != x else f"{x:.{digits}f}"


def report(rows, command, machine=None, date=None):
    by_rate = runs_by(rows)
    loads = [r["loadavg"][0] for r in rows]
    lines = ["# Capture bench: fluxtap-agent, tcpdump, pmacctd on the same load", ""]
    lines.append(f"Command: `{command}`  ")
    if date:
        lines.append(f"Date: {date}  ")
    lines.append(f"Machine: {machine or machine_line()}  ")
    lines.append(f"Load average (1 min) at the start of the runs: median {fmt(median(loads))}, "
                 f"min {fmt(min(loads) if loads else float('nan'))}, max {fmt(max(loads) if loads else float('nan'))}")
    lines.append("")
    lines.append("Medians over the runs. CPU: utime+stime over the measured window, per captured packet and in % of one core "
                 "over the load seconds. RSS: peak (VmHWM).")
    lines.append("")
    lines.append("| rate (pps) | tool | runs | offered | captured / offered | kernel drops | CPU µs/packet | CPU % core | peak RSS MiB | load avg (1 min) |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for rate in sorted(by_rate):
        runs = by_rate[rate]
        for tool in TOOLS:
            rs = [t[tool] for t in runs.values() if tool in t]
            if not rs:
                continue
            ratio = median([r["captured"] / r["offered"] for r in rs if r["offered"]])
            lines.append(f"| {rate} | {tool} | {len(rs)} | {int(median([r['offered'] for r in rs]))} | {100 * ratio:.2f} % "
                         f"| {int(median([r['kernel_drops'] for r in rs]))} | {fmt(median([cpu_us_per_packet(r) for r in rs]))} "
                         f"| {fmt(median([cpu_percent(r) for r in rs]), 1)} | {median([r['rss_peak_kib'] for r in rs]) / 1024:.0f} "
                         f"| {fmt(median([r['loadavg'][0] for r in rs]))} ({fmt(min(r['loadavg'][0] for r in rs))}–{fmt(max(r['loadavg'][0] for r in rs))}) |")
    lines.append("")
    lines.append("Agent accounting (captured = published to Kafka + counted drops) and ratios, each ratio computed per run, then the median:")
    lines.append("")
    lines.append("| rate (pps) | agent published | agent counted drops | accounted (min over runs) | batches lost | agent/tcpdump captured "
                 "| agent/pmacctd CPU per packet | agent/tcpdump CPU per packet |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for rate in sorted(by_rate):
        runs = by_rate[rate]
        agents = [t[AGENT] for t in runs.values() if AGENT in t]
        if not agents:
            continue
        cap = per_run_ratios(runs, AGENT, "tcpdump", lambda r: r["captured"])
        cpu_pm = per_run_ratios(runs, AGENT, "pmacctd", cpu_us_per_packet)
        cpu_td = per_run_ratios(runs, AGENT, "tcpdump", cpu_us_per_packet)
        lines.append(f"| {rate} | {int(median([r['published'] for r in agents]))} | {int(median([r['counted_drops'] for r in agents]))} "
                     f"| {100 * min(accounted(r) for r in agents):.3f} % | {sum(r['batches_lost'] for r in agents)} "
                     f"| {fmt(median(cap), 3)} | {fmt(median(cpu_pm))} | {fmt(median(cpu_td), 1)} |")
    lines.append("")
    lines += targets(by_rate)
    return "\n".join(lines) + "\n"


def targets(by_rate):
    out = ["Targets (issue 9):", ""]
    sustained = [rate for rate in sorted(by_rate) if tcpdump_sustained(by_rate[rate])]
    if sustained:
        top = sustained[-1]
        cap = median(per_run_ratios(by_rate[top], AGENT, "tcpdump", lambda r: r["captured"]))
        ok = cap >= CAPTURE_RATIO_TARGET
        out.append(f"- Agent captures ≥ 90 % of tcpdump at the highest rate tcpdump sustained without drops ({top} pps): "
                   f"{100 * cap:.2f} %: **{'met' if ok else 'missed'}**")
    else:
        out.append("- Agent captures ≥ 90 % of tcpdump: **not evaluated** (tcpdump did not sustain any measured rate, or did not run)")
    for rate in sorted(by_rate):
        runs = by_rate[rate]
        agents = [t[AGENT] for t in runs.values() if AGENT in t]
        ratios = per_run_ratios(runs, AGENT, "pmacctd", cpu_us_per_packet)
        if not agents or not ratios:
            continue
        full = all(accounted(r) >= 1.0 and r["batches_lost"] == 0 for r in agents)
        ok = median(ratios) <= 1.0 and full
        out.append(f"- {rate} pps: agent CPU per packet ≤ pmacctd's with 100 % accounted: ratio {fmt(median(ratios))}, "
                   f"accounted {'100 %' if full else 'NOT 100 %'}: **{'met' if ok else 'missed'}**")
    agents = [t[AGENT] for runs in by_rate.values() for t in runs.values() if AGENT in t]
    if agents:
        peak = max(r["rss_peak_kib"] for r in agents) / 1024
        out.append(f"- Agent RSS ≤ {RSS_LIMIT_MIB} MiB: peak {peak:.0f} MiB over all runs: **{'met' if peak <= RSS_LIMIT_MIB else 'missed'}**")
    return out


def machine_line():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import os
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("row")
    for name in ("tool", "loadavg", "before", "after"):
        r.add_argument("--" + name, required=True)
    for name in ("rep", "rate", "seconds", "offered", "interface-rx", "load-ns", "window-ns", "hz", "rss-kib"):
        r.add_argument("--" + name, required=True, type=int)
    sub.add_parser("progress")
    rep = sub.add_parser("report")
    rep.add_argument("runs")
    rep.add_argument("--command", default="bench/capture.sh")
    rep.add_argument("--date")
    a = p.parse_args(argv)
    if a.cmd == "row":
        print(json.dumps(make_row(a.tool, a.rep, a.rate, a.seconds, a.offered, a.interface_rx, a.load_ns, a.window_ns, a.hz,
                                  a.loadavg, a.rss_kib, a.before, a.after)))
    elif a.cmd == "progress":
        for line in sys.stdin:
            if line.strip():
                print(progress_line(json.loads(line)), flush=True)
    else:
        with open(a.runs) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        if not rows:
            sys.exit(f"capture_report: no runs in {a.runs}")
        sys.stdout.write(report(rows, a.command, date=a.date))


if __name__ == "__main__":
    main(sys.argv[1:])
