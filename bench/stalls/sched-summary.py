# Per-thread CPU and run-queue wait over the last two thirds of a sched-sampler.py file: sched-summary.py <sched.jsonl>
import json,sys
L=[json.loads(l) for l in open(sys.argv[1])]
L=[l for l in L if 'processor-0' in l['th']]
a,b=L[len(L)//3],L[-2]
dt=(b['t']-a['t'])*1e6
print(len(L),'samples; window', (b['t']-a['t'])/1000, 's; psi some share', round((b['psi']-a['psi'])*1000/dt,3))
rows=[]
for k in b['th']:
    if k in a['th']:
        r=(b['th'][k][0]-a['th'][k][0])/dt; w=(b['th'][k][1]-a['th'][k][1])/dt
        rows.append((r,w,k))
for r,w,k in sorted(rows,reverse=True)[:14]: print(f"{k:20s} run {r:.3f} core  runqueue-wait {w:.3f}  wait/run {w/max(r,1e-9):.2f}")
