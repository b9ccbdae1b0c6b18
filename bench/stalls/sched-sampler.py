#!/usr/bin/env python3
# Used by bench/stalls/timeline-row.sh (SCHED=1): usage sched-sampler.py <pid> <out.jsonl>
# Every 100 ms: wall ms, machine CPU pressure (PSI some total, us), and per engine thread (by name) the run and
# run-queue wait time from /proc/<pid>/task/<tid>/schedstat (ns, cumulative). One line per sample, JSON.
import sys,os,time,json,re
pid=sys.argv[1]; out=open(sys.argv[2],'w')
while os.path.exists(f'/proc/{pid}'):
    t=int(time.time()*1000)
    psi=open('/proc/pressure/cpu').read().split('\n')[0].split('total=')[1]
    th={}
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            try:
                name=open(f'/proc/{pid}/task/{tid}/comm').read().strip()
                r,w,_=open(f'/proc/{pid}/task/{tid}/schedstat').read().split()
                name=re.sub(r'\d+$','N',name) if name.startswith(('Thread-','ZWorker','RocksDB','rocksdb')) else name
                a=th.setdefault(name,[0,0]); a[0]+=int(r); a[1]+=int(w)
            except Exception: pass
    except Exception: break
    out.write(json.dumps({'t':t,'psi':int(psi),'th':th})+'\n'); out.flush()
    time.sleep(0.1)
