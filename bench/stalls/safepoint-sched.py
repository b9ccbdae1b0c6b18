#!/usr/bin/env python3
# What the threads a slow safepoint waited for were doing, from the scheduler's side. Used by bench/bulk-profile.sh
# (SAFEPOINTS=1 SAFEPOINT_TIMEOUT=10 PERF_SCHED=1); by hand:
#
#   safepoint-sched.py SAFEPOINT_NS_LOG ENGINE_LOG TIMEHIST [THRESHOLD_MS, 10]
#
# SAFEPOINT_NS_LOG: the engine's -Xlog:safepoint:file=...:timenanos,uptime,tid (timenanos is CLOCK_MONOTONIC, the VM
# thread's tid is the one logging); ENGINE_LOG: its stdout with -XX:+SafepointTimeout -XX:SafepointTimeoutDelay=10
# (the Java threads not yet safe 10 ms in); TIMEHIST: `perf sched timehist --state` of a `perf sched record -k
# CLOCK_MONOTONIC` over the same time (one line per switch-out: run time before it, wait before it, state left in).
#
# For every safepoint over THRESHOLD_MS inside the recording: per thread named by SafepointTimeout, the VM Thread and
# the ZGC workers, how the time to reach it split into running on a CPU (run), runnable but waiting for a CPU (R:
# preempted), sleeping (S; a Java thread that reached the safepoint sleeps in it) or in uninterruptible sleep (D:
# disk I/O, e.g. a major page fault), and the longest stretch on a CPU. A thread that was not yet safe and ran for
# more than a slice without reaching it is the code's fault (no poll: counted loop, long copy, page faults); one
# that sat in R is the machine's. The clock offset between perf and the JVM is checked: the VM Thread must be on a
# CPU at the instant it logs each safepoint's end.
import bisect, collections, re, sys

sp_log, engine_log, timehist = sys.argv[1:4]
threshold = float(sys.argv[4]) / 1e3 if len(sys.argv) > 4 else 0.010

ends = []   # (uptime s, op, end s monotonic, reach s, at s, total s)
vm = None
for l in open(sp_log):
    m = re.search(r'^\[(\d+\.\d+)s\]\[(\d+)ns\]\[(\d+)\] Safepoint "(\w+)".*Reaching safepoint: (\d+) ns.*'
                  r'At safepoint: (\d+) ns.*Total: (\d+) ns', l)
    if m:
        vm = m.group(3)
        ends.append((float(m.group(1)), m.group(4), int(m.group(2)) / 1e9, int(m.group(5)) / 1e9,
                     int(m.group(6)) / 1e9, int(m.group(7)) / 1e9))

prints = collections.OrderedDict()   # SafepointTimeout print uptime -> [(name, tid)]
cur = None
for l in open(engine_log):
    if 'Timeout detected' in l:
        cur = float(l[1:l.index('s]')])
        prints[cur] = []
    m = re.search(r'safepoint\] # "([^"]+)" #\d+ \[(\d+)\]', l)
    if m and cur is not None:
        prints[cur].append((m.group(1), m.group(2)))

iv = collections.defaultdict(list)   # tid -> [(from, to, 'run' | state while off the CPU)]
names = {}
pid_of = {}
last_state = {}
lo = hi = None
for l in open(timehist):
    f = l.split()
    if len(f) < 7 or not re.match(r'^\d+\.\d+$', f[0]):
        continue
    m = re.search(r'\]\s+(\S.*?)\[(\d+)(?:/(\d+))?\]\s', l)
    if not m:
        continue
    t = float(f[0]); tid = m.group(2); wait = float(f[-4]) / 1e3; ran = float(f[-2]) / 1e3
    names[tid] = m.group(1).strip()
    pid_of[tid] = m.group(3)
    lo = t if lo is None else min(lo, t)
    hi = t if hi is None else max(hi, t)
    if tid in last_state:
        iv[tid].append((t - ran - wait, t - ran, last_state[tid]))
    iv[tid].append((t - ran, t, 'run'))
    last_state[tid] = f[-1]
if lo is None or vm is None:
    sys.exit('no perf sched switches or no safepoint line with timenanos')

# perf's clock against the JVM's: the offset at which the VM thread is running at every logged safepoint end
vm_runs = sorted((x, y) for x, y, k in iv.get(vm, []) if k == 'run')
inside = [e for e in ends if lo + 0.5 < e[2] < hi - 0.5]
def on_cpu(x):
    i = bisect.bisect_right(vm_runs, (x, 1e18)) - 1
    return i >= 0 and vm_runs[i][0] - 1e-4 <= x <= vm_runs[i][1] + 1e-4
def hits(off):
    return sum(1 for e in inside if on_cpu(e[2] + off))
best = max((hits(k / 1e5), -abs(k), k / 1e5) for k in range(-2000, 2001, 5))
off = best[2] if best[0] > hits(0) else 0.0
print(f'clock check: VM Thread [{vm}] on a CPU at {hits(off)} of {len(inside)} safepoint ends at offset '
      f'{off * 1e3:+.2f} ms (at 0: {hits(0)})')

def split(tid, a, b):
    c = collections.Counter(); longest = 0.0
    for x, y, k in iv.get(tid, []):
        o = min(y, b) - max(x, a)
        if o > 0:
            c[k] += o
            if k == 'run':
                longest = max(longest, o)
    return c, longest

gc_threads = [t for t, nm in names.items() if re.match(r'Z(Worker|Driver)|G1 (Conc|Refine|Service)', nm)
              and t in iv and pid_of.get(t) == pid_of.get(vm)]   # the engine's collector threads, not the harness's
total = collections.Counter(); longest_all = 0.0; n = 0
for up, op, end, reach, at, tot in inside:
    if tot <= threshold:
        continue
    n += 1
    a = end + off - tot; b = a + reach
    print(f'{up:9.3f}s {op:24s} total {tot * 1e3:6.1f} ms: reach {reach * 1e3:6.1f}, at {at * 1e3:5.2f}, '
          f'leaving {(tot - reach - at) * 1e3:5.1f}')
    listed = [(nm, tid) for k, v in prints.items() if up - tot - 0.002 <= k <= up + 0.002 for nm, tid in v]
    for nm, tid in listed + [('VM Thread', vm)] + [(names[t], t) for t in gc_threads]:
        if b - a <= 0:
            continue
        c, longest = split(tid, a, b)
        if not c or ((nm, tid) not in listed and set(c) == {'S'}):
            continue   # a helper thread asleep all along: not what the safepoint waited for
        shares = '  '.join(f'{k} {v * 1e3:5.1f}' for k, v in sorted(c.items()))
        tag = 'not safe at 10 ms' if (nm, tid) in listed else ''
        print(f'    {nm:28s} [{tid}] {tag:17s} during the reach (ms): {shares}; longest on a CPU {longest * 1e3:4.1f}')
        if (nm, tid) in listed:
            total.update(c); longest_all = max(longest_all, longest)
print(f'{n} safepoints over {threshold * 1e3:.0f} ms in the recording; threads not safe at 10 ms, summed (ms): '
      + ', '.join(f'{k} {v * 1e3:.1f}' for k, v in sorted(total.items()))
      + f'; longest stretch on a CPU {longest_all * 1e3:.1f} ms')

# who had the CPUs while those safepoints were being reached
own = collections.Counter(); span = 0.0
for up, op, end, reach, at, tot in inside:
    if tot <= threshold:
        continue
    a = end + off - tot; b = a + reach; span += b - a
    for tid, ivs in iv.items():
        for x, y, k in ivs:
            o = min(y, b) - max(x, a)
            if k == 'run' and o > 0:
                own[tid] += o
pids = collections.Counter(); top = collections.defaultdict(collections.Counter)
for l in open(timehist):
    m = re.search(r'\]\s+(\S.*?)\[(\d+)/(\d+)\]\s', l)
    if m and m.group(2) in own and m.group(2) not in top[m.group(3)]:
        top[m.group(3)][m.group(2)] = own[m.group(2)]
for p, th in top.items():
    pids[p] = sum(th.values())
print(f'CPU time on the 2 CPUs during those reaches ({span * 1e3:.0f} ms of wall time), by process (ms):')
for p, v in pids.most_common(6):
    busiest = ', '.join(f'{names[t]} {x * 1e3:.0f}' for t, x in top[p].most_common(6))
    print(f'  pid {p:>7}: {v * 1e3:6.0f}  ({busiest})')
