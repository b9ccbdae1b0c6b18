# Run-queue waits per 100 ms against the timeline's slowest service time: sched-vs-timeline.py <run dir>
import json,csv,sys,statistics
D=sys.argv[1]
rows=list(csv.DictReader(open(D+'/timeline.csv')))
t0=int(rows[0]['wall_ms']); t1=int(rows[-1]['wall_ms'])
L=[json.loads(l) for l in open(D+'/sched.jsonl')]
L=[l for l in L if t0<=l['t']<=t1 and 'processor-0' in l['th']]
svc={}
for r in rows: svc[int(r['wall_ms'])]=int(r['max_service_us'])/1000
pts=[]
for a,b in zip(L,L[1:]):
    dt=(b['t']-a['t'])*1e6
    def w(k): return (b['th'][k][1]-a['th'][k][1])/dt if k in a['th'] and k in b['th'] else 0
    wait=(w('processor-0')+w('processor-1'))/2; loop=w('vert.x-eventloo')/2
    psi=(b['psi']-a['psi'])*1000/dt
    m=max([v for t,v in svc.items() if a['t']<=t<b['t']] or [0])
    pts.append((m,wait,loop,psi))
def q(s,lo,hi): 
    sel=[p for p in pts if lo<=p[0]<hi]
    if sel: print(f"max service {lo:>4}-{hi:<5} ms: {len(sel):4d} samples; processor run-queue wait {statistics.mean(p[1] for p in sel):.2f}, loop {statistics.mean(p[2] for p in sel):.2f} (s per s); machine CPU pressure {statistics.mean(p[3] for p in sel):.2f}")
for lo,hi in ((0,5),(5,20),(20,50),(50,100),(100,10000)): q(pts,lo,hi)
