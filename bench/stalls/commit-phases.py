# The commits of a timeline-row.sh run, per partition, over the row (warm-up + window): count, the partition
# thread's rows phase and the committer's write phase per commit, from metrics-start.txt/metrics-end.txt: commit-phases.py <run dir>
import sys,re
def load(f):
    d={}
    for l in open(f):
        m=re.match(r'loyalty_processor_commit_seconds_(sum|count)\{partition="(\d)",phase="(\w+)"\} (\S+)',l)
        if m: d[(m[1],m[2],m[3])]=float(m[4])
    return d
D=sys.argv[1]; a=load(D+'/metrics-start.txt'); b=load(D+'/metrics-end.txt')
out=[]
for p in '01':
    n=b[('count',p,'rows')]-a[('count',p,'rows')]
    r=(b[('sum',p,'rows')]-a[('sum',p,'rows')])*1000
    w=(b[('sum',p,'write')]-a[('sum',p,'write')])*1000
    out.append(f"p{p}: {n:.0f} commits, rows phase {r/n:.2f} ms/commit (partition thread), write {w/n:.2f} ms/commit (committer)")
print("; ".join(out))
