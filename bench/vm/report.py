#!/usr/bin/env python3
# report.py: turns the boot logs of bench/vm/run.sh into bench/results/vm-latest.{md,png} (and dated copies); --one LOG GRAPH prints one boot's figures.
# SPDX-License-Identifier: MIT
# Every figure comes from the guest's kernel clock: "@@K SEQ USEC bench: ..." records
# (read from /dev/kmsg by the probe) and "[ SECONDS] ..." console lines (printk.time=1).
#   kernel -> init      stamp of pre's first line (userspace's first instant)
#   init -> all ready   last "ready" stamp - stamp just before exec of the init
#   poweroff -> off     console "bench: poweroff" -> kernel "reboot: Power down"/"System halted"
# A boot fails if a service is missing, if any service's ready record comes before one
# of its dependencies' (kmsg sequence numbers: a total order), or if it did not power off.
import datetime, os, re, shutil, statistics, subprocess, sys

INITS = ["keel", "keelv", "floor", "busybox", "sysvinit", "runit", "s6", "finit"]
# searched anywhere in a line: an init's own output (finit's escapes) may precede it
CONSOLE_TS = re.compile(r"\[\s*(\d+\.\d+)\] (.*)$")


def load_graph(path):
    g = {}
    for line in open(path):
        w = line.split()
        if w:
            g[w[0]] = w[1:]
    return g


def parse(log, graph):
    r = {"ok": False, "why": ""}
    seq, ts, pss, t_off_req, t_off = {}, {}, [], None, None
    pre = exe = None
    for line in open(log, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("@@K "):
            _, s, us, msg = line.split(" ", 3)
            s, t = int(s), int(us) / 1e6
            if msg == "pre":
                pre = t
            elif msg == "exec":
                exe = t
            elif msg.startswith("ready "):
                name = msg[6:]
                seq.setdefault(name, s)
                ts.setdefault(name, t)
        elif line.startswith("@@P "):
            _, pid, ppid, comm, kib = line.split(" ", 4)
            pss.append((int(pid), comm, int(kib)))
        elif line.startswith("@@M "):
            _, tot, avail = line.split()
            r["used"] = (int(tot) - int(avail)) / 1024
        m = CONSOLE_TS.search(line)
        if m:
            if m.group(2).endswith("bench: poweroff"):
                t_off_req = float(m.group(1))
            elif "reboot: Power down" in m.group(2) or "reboot: System halted" in m.group(2):
                t_off = float(m.group(1))
    r["nready"] = len(ts)
    # (without the "bench: poweroff" console line, e.g. finit's silenced console in older
    # logs, the boot still counts; only the poweroff figure is missing)
    if pre is not None:
        r["k2i"] = pre
    if exe is not None and ts:
        r["ready"] = max(ts.values()) - exe
    if t_off_req is not None and t_off is not None:
        r["off"] = t_off - t_off_req
    if pss:
        r["pid1"] = sum(k for p, c, k in pss if p == 1)
        r["sys"] = sum(k for p, c, k in pss)
        r["procs"] = ",".join(sorted({c for p, c, k in pss}))
    bad = [(n, d) for n, deps in graph.items() for d in deps
           if n in seq and d in seq and seq[n] < seq[d]]
    if len(ts) < len(graph):
        r["why"] = "%d of %d services ready" % (len(ts), len(graph))
    elif bad:
        r["why"] = "%s ready before its dependency %s" % bad[0]
    elif t_off is None:
        r["why"] = "no power off seen"
    elif "ready" not in r:
        r["why"] = "no exec stamp"
    else:
        r["ok"] = True
    return r


def one(log, graph):
    r = parse(log, load_graph(graph))
    f = lambda k, fmt: (fmt % r[k]) if k in r else "-"
    print("%s k2i=%s ready=%s off=%s pid1=%s sys=%s used=%s %s" % (
        "ok" if r["ok"] else "FAIL(%s)" % r["why"], f("k2i", "%.3f"), f("ready", "%.3f"),
        f("off", "%.3f"), f("pid1", "%d"), f("sys", "%d"), f("used", "%.1f"), r.get("procs", "")))


def med(xs):
    return statistics.median(xs) if xs else None


def main(out, results):
    logs = os.path.join(out, "logs")
    data = {}  # (wl, init) -> list of parsed runs
    loads = []
    for name in sorted(os.listdir(logs)):
        m = re.match(r"([ABC])-(\w+)-(\d+)\.log$", name)
        if not m:
            continue
        wl, init = m.group(1), m.group(2)
        path = os.path.join(logs, name)
        r = parse(path, load_graph(os.path.join(out, "graph-" + wl)))
        data.setdefault((wl, init), []).append(r)
        for line in open(path, errors="replace"):
            if line.startswith("load "):
                loads.append(float(line.split()[1]))
    inits = [i for i in INITS if any(k[1] == i for k in data)]
    wls = [w for w in "ABC" if any(k[0] == w for k in data)]
    fig = {}  # (wl, init, metric) -> median over good runs
    for (wl, init), runs in data.items():
        good = [r for r in runs if r["ok"]]
        fig[wl, init, "n"] = "%d/%d" % (len(good), len(runs))
        for k in ("k2i", "ready", "off", "pid1", "sys", "used"):
            fig[wl, init, k] = med([r[k] for r in good if k in r])
        fig[wl, init, "why"] = sorted({r["why"] for r in runs if not r["ok"]})

    def cell(v, fmt):
        return "-" if v is None else fmt % v

    def ratio(a, b):
        return "-" if a is None or b is None or b == 0 else "%.2f" % (a / b)

    md = []
    today = datetime.date.today().isoformat()
    md.append("# keel vs. other inits under QEMU (bench/vm/run.sh, %s)\n" % today)
    md.append("Debian cloud kernel %s, QEMU TCG, 2 vCPUs, 512 MiB, busybox userland; /init is "
              "`pre` (mounts /proc /sys /dev /run, then exec of the init). Medians of good boots "
              "(`ok/boots`); times in seconds from the guest's kernel clock; memory in KiB. "
              "Host load average during the boots: median %s, max %s (2 host cores, shared).\n"
              % (open(os.path.join(out, "kver")).read().strip() if os.path.exists(os.path.join(out, "kver")) else "?",
                 cell(med(loads), "%.1f"), cell(max(loads) if loads else None, "%.1f")))
    wl_desc = {"A": "20 daemons, dependency DAG 9 levels deep",
               "B": "200 independent daemons", "C": "1000 independent daemons"}
    for wl in wls:
        md.append("\n## Workload %s: %s\n" % (wl, wl_desc[wl]))
        md.append("| init | ok/boots | kernel→init | init→all ready | poweroff→off | PID 1 PSS | "
                  "init system PSS | used RAM (MiB) | keel/this (ready) | this/floor (ready) |")
        md.append("|---|---|---|---|---|---|---|---|---|---|")
        kr, fr = fig.get((wl, "keel", "ready")), fig.get((wl, "floor", "ready"))
        for init in inits:
            if (wl, init, "n") not in fig:
                continue
            g = lambda k: fig[wl, init, k]
            md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                init, g("n"), cell(g("k2i"), "%.3f"), cell(g("ready"), "%.3f"), cell(g("off"), "%.3f"),
                cell(g("pid1"), "%d"), cell(g("sys"), "%d"), cell(g("used"), "%.1f"),
                ratio(kr, g("ready")), ratio(g("ready"), fr)))
        fails = ["%s: %s" % (i, "; ".join(fig[wl, i, "why"])) for i in inits
                 if (wl, i, "why") in fig and fig[wl, i, "why"]]
        if fails:
            md.append("\nFailed boots: " + " — ".join(fails))
        md.append("\nkeel/peer, other figures (keel ÷ peer): " + ", ".join(
            "%s poweroff %s, init-system PSS %s" % (i, ratio(fig.get((wl, "keel", "off")), fig[wl, i, "off"]),
                                                     ratio(fig.get((wl, "keel", "sys")), fig[wl, i, "sys"]))
            for i in inits if i != "keel" and (wl, i, "n") in fig))
    md.append("\n## Dependency mode and size of each init\n")
    md.append("| init | dependencies / readiness | PID 1 binary | closure (programs + shared libs) | files |")
    md.append("|---|---|---|---|---|")
    for init in inits:
        mode = open(os.path.join(out, "mode-" + init)).read().strip() if os.path.exists(os.path.join(out, "mode-" + init)) else "?"
        files, pid1 = [], None
        fp = os.path.join(out, "files-" + init)
        if os.path.exists(fp):
            files = [l.split(" ", 1) for l in open(fp).read().splitlines() if l]
        p1 = open(os.path.join(out, "pid1-" + init)).read().strip() if os.path.exists(os.path.join(out, "pid1-" + init)) else ""
        pid1 = sum(int(s) for s, p in files if p == p1) or None
        md.append("| %s | %s | %s | %s | %s |" % (
            init, mode, cell(pid1, "%d B"), cell(sum(int(s) for s, p in files) if files else None, "%d B"),
            " ".join(os.path.basename(p) for s, p in files)))
    text = "\n".join(md) + "\n"

    dat = os.path.join(out, "plot.dat")
    with open(dat, "w") as f:
        f.write("init " + " ".join(wls) + "\n")
        for init in inits:
            f.write(init + " " + " ".join(cell(fig.get((w, init, "ready")), "%.3f") for w in wls) + "\n")
    png = os.path.join(results, "vm-latest.png")
    cols = " ".join("'%s' using %d:xtic(1) title 'workload %s'," % (dat, i + 2, w) for i, w in enumerate(wls))
    script = ("set terminal pngcairo size 900,500\nset output '%s'\nset style data histograms\n"
              "set style histogram clustered\nset style fill solid 0.8 border -1\nset logscale y\n"
              "set ylabel 'init exec -> all ready (s, log scale)'\nset datafile missing '-'\n"
              "set title 'QEMU TCG boot: median time from init exec to every daemon ready'\n"
              "set key top left\nset grid ytics\nplot %s\n" % (png, cols.rstrip(",")))
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        script = script.replace("pngcairo", "png")
        subprocess.run(["gnuplot"], input=script, text=True, check=False)
    text += "\n![init exec → all ready](vm-latest.png)\n"
    with open(os.path.join(results, "vm-latest.md"), "w") as f:
        f.write(text)
    shutil.copy(os.path.join(results, "vm-latest.md"), os.path.join(results, "vm-%s.md" % today))
    if os.path.exists(png):
        shutil.copy(png, os.path.join(results, "vm-%s.png" % today))
    print(text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        one(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
