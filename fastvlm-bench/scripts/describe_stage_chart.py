#!/usr/bin/python3
"""Medians and an SVG chart of DescribeBenchmark's per-request stage timings.

DescribeBenchmark writes one long-format CSV per trial (image,width,request,key,value; see
StageLog.java). This script takes the measured requests (numbered ones; not `setup` or `first`),
prints a Markdown table of per-stage medians (milliseconds) split into the host's own stages and
the emulated device programs, checks that no repeated request pushed model bytes, and draws the
per-stage breakdown as an SVG. Standard library only.

Usage, from the repository root:
    python3 fastvlm-bench/scripts/describe_stage_chart.py [RESULTS_DIR] [--svg OUT.svg]
RESULTS_DIR defaults to fastvlm-bench/results/describe; the SVG to RESULTS_DIR/describe-stages.svg.
"""
import argparse
import csv
import glob
import os
import statistics
import sys
from collections import defaultdict
from xml.sax.saxutils import escape

# The host's own work: decoding and resizing, tokenizing, LUT gather, and the ADB transfers and
# small writes around the device programs (their cost includes the in-process emulated adbd).
HOST_STAGES = ["preprocess", "tokenize", "sync", "push-image", "pull-vision", "text-embeddings", "push-ids",
               "pull-embed", "push-embeddings", "genie-config", "profile", "cleanup"]
# Stages that run a device program: on the emulator each starts a JVM (qnn-net-run, genie-t2t-run).
DEVICE_STAGES = ["vision-encoder", "text-embedder", "decoder"]
UNTIMED = "untimed"  # wall time outside every stage: the device lock, building the result
TARGETS_MS = {"png-1024": 40.0, "jpeg-12mp": 150.0}
IMAGE_ORDER = ["png-1024", "jpeg-12mp"]
COLORS = {
    "preprocess": "#4e79a7", "tokenize": "#f28e2b", "sync": "#bab0ac", "push-image": "#e15759",
    "pull-vision": "#76b7b2", "text-embeddings": "#59a14f", "push-ids": "#edc948", "pull-embed": "#b07aa1",
    "push-embeddings": "#ff9da7", "genie-config": "#9c755f", "profile": "#17becf", "cleanup": "#79706e",
    "vision-encoder": "#8cd17d", "text-embedder": "#b6992d", "decoder": "#499894", UNTIMED: "#d4a6c8",
}


def load(results_dir):
    """{(image, width): {"setup": {key: value}, "first": {...}, "requests": {n: {key: value}}}}"""
    configs = {}
    files = sorted(glob.glob(os.path.join(results_dir, "describe-*.csv")))
    if not files:
        sys.exit(f"no describe-*.csv in {results_dir}; run DescribeBenchmark first")
    for path in files:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                config = configs.setdefault((row["image"], int(row["width"])),
                                            {"setup": {}, "first": defaultdict(int), "requests": {}})
                request, key, value = row["request"], row["key"], int(row["value"])
                if request == "setup":
                    config["setup"][key] = value
                elif request == "first":
                    config["first"][key] += value
                else:
                    config["requests"].setdefault(int(request), defaultdict(int))[key] += value
    return configs


def summarize(config):
    requests = list(config["requests"].values())
    if not requests:
        return None
    stages = [s for s in HOST_STAGES + DEVICE_STAGES if any(s in r for r in requests)]
    ms = {}
    for stage in stages:
        ms[stage] = statistics.median(r.get(stage, 0) for r in requests) / 1e6
    timed = HOST_STAGES + DEVICE_STAGES
    ms[UNTIMED] = statistics.median(r["wall"] - sum(r.get(s, 0) for s in timed) for r in requests) / 1e6
    return {
        "n": len(requests),
        "stages": ms,
        # The host's overhead is the request's wall time less its device programs, which also counts
        # the time outside every stage (the device lock, building the result).
        "host_total": statistics.median(r["wall"] - sum(r.get(s, 0) for s in DEVICE_STAGES) for r in requests) / 1e6,
        "host_stage_sum": statistics.median(sum(r.get(s, 0) for s in HOST_STAGES) for r in requests) / 1e6,
        "device_total": statistics.median(sum(r.get(s, 0) for s in DEVICE_STAGES) for r in requests) / 1e6,
        "wall": statistics.median(r["wall"] for r in requests) / 1e6,
        "not_host": statistics.median(sum(r.get(s, 0) for s in DEVICE_STAGES)
                                      + max(0, r["wall"] - sum(r.get(s, 0) for s in timed)) for r in requests) / 1e6,
        "max_model_bytes": max(r.get("model-bytes-pushed", 0) for r in requests),
        "request_bytes": statistics.median(r.get("request-bytes-pushed", 0) for r in requests),
        # Older CSV files lack these: None prints as "-".
        "jit": spread(requests, "jit-millis"),
        "gc": spread(requests, "gc-millis"),
    }


def spread(requests, key):
    """(median, max) of a per-request count, or None when the CSV does not have it."""
    values = [r[key] for r in requests if key in r]
    return (statistics.median(values), max(values)) if values else None


def fmt_spread(value):
    return "-" if value is None else f"{value[0]:.0f} / {value[1]:.0f}"


def ordered(configs):
    return sorted(configs, key=lambda c: (IMAGE_ORDER.index(c[0]) if c[0] in IMAGE_ORDER else 99, c[1]))


def markdown(configs, summaries):
    keys = [k for k in ordered(configs) if summaries[k]]
    head = "| Stage | " + " | ".join(f"{img} w{w}" for img, w in keys) + " |"
    lines = [head, "|---|" + "---:|" * len(keys)]

    def row(label, values):
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    for group, names in (("host", HOST_STAGES), ("device program", DEVICE_STAGES)):
        for stage in names:
            if any(stage in summaries[k]["stages"] for k in keys):
                row(f"{stage} ({group})", [fmt_ms(summaries[k]["stages"].get(stage, 0)) for k in keys])
    row(f"{UNTIMED} (outside every stage)",
        [f"{summaries[k]['stages'][UNTIMED]:.1f}" for k in keys])
    row("host stages, summed", [f"{summaries[k]['host_stage_sum']:.1f}" for k in keys])
    row("**host overhead** (wall time less device programs, median per request)",
        [f"**{summaries[k]['host_total']:.1f}**" for k in keys])
    row("target", [f"< {TARGETS_MS.get(k[0], float('nan')):.0f}" for k in keys])
    row("device programs total", [f"{summaries[k]['device_total']:.0f}" for k in keys])
    row("wall per request", [f"{summaries[k]['wall']:.0f}" for k in keys])
    row("measured requests", [str(summaries[k]["n"]) for k in keys])
    row("JIT compiling during a request (ms of compiler threads, median / max)",
        [fmt_spread(summaries[k]["jit"]) for k in keys])
    row("GC pauses during a request (ms, median / max)", [fmt_spread(summaries[k]["gc"]) for k in keys])
    row("request bytes pushed", [f"{summaries[k]['request_bytes']:,.0f}" for k in keys])
    row("model bytes pushed, first request", [f"{configs[k]['first'].get('model-bytes-pushed', 0):,}" for k in keys])
    row("sync stage, first request (ms)", [f"{configs[k]['first'].get('sync', 0) / 1e6:.0f}" for k in keys])
    row("model bytes pushed, any later request", [f"{summaries[k]['max_model_bytes']:,}" for k in keys])
    row("bundle on disk (bytes)", [f"{configs[k]['setup'].get('bundle-bytes', 0):,}" for k in keys])
    row("bundle write (s)", [f"{configs[k]['setup'].get('bundle-write-nanos', 0) / 1e9:.1f}" for k in keys])
    row("image file (bytes)", [f"{configs[k]['setup'].get('image-bytes', 0):,}" for k in keys])
    return "\n".join(lines)


def fmt_ms(value):
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def svg(configs, summaries):
    keys = [k for k in ordered(configs) if summaries[k]]
    left, bar_h, gap, plot_w, width = 150, 26, 14, 640, 960
    panels = [
        ("Host's own work per request (median ms per stage; dashed: target)", HOST_STAGES, "host_total"),
        ("Emulated device programs (each starts a JVM) and time outside every stage (median ms)",
         DEVICE_STAGES + [UNTIMED], "not_host"),
    ]
    out, y = [], 20
    out.append(f'<text x="10" y="{y}" font-size="15" font-weight="bold">fastvlm-java describe on the device '
               f'emulator (zero emulated latency): stage breakdown</text>')
    y += 16
    out.append(f'<text x="10" y="{y}" font-size="11" fill="#555">Medians over measured requests; '
               f'2-core machine, emulator in the same JVM; segments are per-stage medians, labels the median per-request total.</text>')
    y += 14
    legend = []
    for title, stages, total_key in panels:
        present = [s for s in stages if any(summaries[k]["stages"].get(s, 0) > 0 for k in keys)]
        totals = []
        host_panel = stages is HOST_STAGES
        for k in keys:
            totals.append(summaries[k][total_key])
        scale_max = max(totals + ([TARGETS_MS.get(k[0], 0) for k in keys] if host_panel else []))
        scale_max = nice_ceiling(scale_max * 1.12)
        y += 24
        out.append(f'<text x="10" y="{y}" font-size="13" font-weight="bold">{escape(title)}</text>')
        y += 10
        top = y
        for k, total in zip(keys, totals):
            s = summaries[k]
            out.append(f'<text x="{left - 8}" y="{y + bar_h * 0.68:.1f}" font-size="12" text-anchor="end">'
                       f'{escape(k[0])}, w{k[1]}</text>')
            x = left
            for stage in present:
                w = s["stages"].get(stage, 0) / scale_max * plot_w
                if w > 0:
                    out.append(f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" '
                               f'fill="{COLORS[stage]}"><title>{escape(stage)}: '
                               f'{s["stages"][stage]:.1f} ms</title></rect>')
                    if w > 40:
                        out.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h * 0.68:.1f}" font-size="10" '
                                   f'text-anchor="middle">{s["stages"][stage]:.0f}</text>')
                x += w
            out.append(f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.68:.1f}" font-size="12">{total:.0f} ms</text>')
            if host_panel and k[0] in TARGETS_MS:
                tx = left + TARGETS_MS[k[0]] / scale_max * plot_w
                out.append(f'<line x1="{tx:.1f}" y1="{y - 3}" x2="{tx:.1f}" y2="{y + bar_h + 3}" stroke="#c00" '
                           f'stroke-width="2" stroke-dasharray="4,3"><title>target '
                           f'{TARGETS_MS[k[0]]:.0f} ms</title></line>')
            y += bar_h + gap
        out.extend(axis(left, top, y - gap + 4, plot_w, scale_max))
        y += 22
        legend.extend(s for s in present if s not in legend)
    x, y = 10, y + 10
    for stage in legend:
        if x > width - 130:
            x, y = 10, y + 18
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLORS[stage]}"/>')
        out.append(f'<text x="{x + 16}" y="{y}" font-size="11">{escape(stage)}</text>')
        x += 30 + 7 * len(stage)
    height = y + 16
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n' + "\n".join(out) + "\n</svg>\n")


def axis(left, top, bottom, plot_w, scale_max):
    parts = [f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{bottom}" stroke="#333"/>']
    for i in range(6):
        value = scale_max * i / 5
        x = left + plot_w * i / 5
        parts.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#333"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 15}" font-size="10" text-anchor="middle">{value:g}</text>')
    return parts


def nice_ceiling(value):
    step = 10 ** max(0, len(str(int(value))) - 1)
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= m * step:
            return m * step
    return 10 * step


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", default="fastvlm-bench/results/describe")
    parser.add_argument("--svg")
    args = parser.parse_args()
    configs = load(args.results)
    summaries = {k: summarize(v) for k, v in configs.items()}
    print(markdown(configs, summaries))
    bad = {k: s["max_model_bytes"] for k, s in summaries.items() if s and s["max_model_bytes"]}
    if bad:
        print(f"\nFAIL: repeated requests pushed model bytes: {bad}", file=sys.stderr)
    target = args.svg or os.path.join(args.results, "describe-stages.svg")
    tmp = target + ".tmp"
    with open(tmp, "w") as f:
        f.write(svg(configs, summaries))
    os.replace(tmp, target)
    print(f"\nchart: {target}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
