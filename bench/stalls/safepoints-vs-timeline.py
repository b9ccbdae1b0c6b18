# Slow 10 ms slices of a timeline-row.sh run (XLOG=1) against the engine's and the harness's safepoints >= 2 ms:
# safepoints-vs-timeline.py <run dir> [threshold ms, 8]
import csv,sys,re,datetime
D=sys.argv[1]; thr=float(sys.argv[2]) if len(sys.argv)>2 else 8
rows=list(csv.DictReader(open(D+'/timeline.csv')))
t0=int(rows[0]['wall_ms']); t1=int(rows[-1]['wall_ms'])+10
def sp(f,lim=2e6):
    ev=[]
    try:
        for l in open(f):
            m=re.match(r'\[(\S+)\] Safepoint "(\w+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns',l)
            if m:
                t=datetime.datetime.strptime(m[1][:23],'%Y-%m-%dT%H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).timestamp()*1000
                tot=int(m[4])
                if tot>=lim and t0-50<=t<=t1: ev.append((t,tot/1e6,m[2],int(m[3])/1e6))
    except FileNotFoundError: pass
    return ev
E=sp(D+'/engine-sp.log'); H=sp(D+'/harness-sp.log')
slow=[(int(r['wall_ms']),int(r['max_service_us'])/1000) for r in rows if int(r['max_service_us'])/1000>thr]
def near(ev,t,w=40): return [e for e in ev if t-w<=e[0]-e[1]<=t+10]
ne=sum(1 for t,v in slow if near(E,t)); nh=sum(1 for t,v in slow if near(H,t))
print(f"{len(rows)} slices, {len(slow)} with max service > {thr} ms; engine safepoints >=2 ms in window: {len(E)} (max {max([e[1] for e in E] or [0]):.1f} ms), slow slices next to one: {ne}; harness safepoints >=2 ms: {len(H)} (max {max([e[1] for e in H] or [0]):.1f} ms), slow slices next to one: {nh}")
