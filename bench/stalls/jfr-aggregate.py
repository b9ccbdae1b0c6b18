# JFR events (jfr print --json) grouped by thread, monitor class and top frames: jfr-aggregate.py <events.json> [depth]
import json,collections,re,sys
d=json.load(open(sys.argv[1]))['recording']['events']
print(len(d))
def dur(e):
    s=e['values'].get('duration','PT0S')
    s=s[2:-1]
    try: return float(s) if s else 0
    except: return 0
def frames(e,n=8):
    st=e['values'].get('stackTrace')
    if not st: return []
    return [f"{f['method']['type']['name'].split('.')[-1]}.{f['method']['name']}:{f.get('lineNumber')}" for f in st['frames'][:n]]
by=collections.defaultdict(list)
for e in d:
    by[e['type']].append(e)
depth=int(sys.argv[2]) if len(sys.argv)>2 else 4
for t,es in by.items():
    print('=====',t,len(es))
    c=collections.Counter(); tot=collections.Counter()
    for e in es:
        th=e['values'].get('eventThread',{}) or {}
        name=(th.get('javaName') or th.get('osName') or '?')
        name=re.sub(r'\d+$','N',name)
        mc=e['values'].get('monitorClass')
        key=(name, mc['name'] if mc else '', ' < '.join(frames(e,depth)))
        c[key]+=1; tot[key]+=dur(e)
    for k,v in c.most_common(8):
        print(v, round(tot[k]*1000), 'ms', k)
