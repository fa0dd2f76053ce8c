"""Publication groups for the restated corpus: which files are about the same inspection.

Rewrites ``training_data/corpus_groups.csv`` (publication, group, kind). Files 005-176 keep
the groups chosen in session 3. Files 201+ join the files the corpus README's last column
names ("same inspection as"), transitively, and take the group of any older file among them;
a few links the column does not give are added where in doubt, as the README asks (EXTRA
below: the AIP baseline responses and the parliamentary summary of AIP reports share template
wording with the baseline group; the SFO commentary on the 2019 reviews; the 2009-10 annual
report drawing on the Gwent inspection; the two 2008 performance-assessment reports). New
groups are named ``pub-NNN`` (one file) or ``inspection-NNN`` (several, by the first file).
Deterministic: re-running gives the same file.

    python scripts/group_corpus.py
"""
import csv, re, collections
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
rows=[l for l in open('training_data/sources/corpus/README.md') if re.match(r'\| \d{3}\.txt',l)]
links={}; kinds={}
for l in rows:
    cells=[c.strip() for c in l.strip().strip('|').split(' | ')]
    pub=cells[0][:3]
    links[pub]=[x.strip() for x in cells[-1].split(',') if x.strip()]
    kinds[pub]=cells[5]
old=list(csv.DictReader(open('training_data/corpus_groups.csv')))
group={r['publication']:r['group'] for r in old}
# judgement links the README column does not give ("where in doubt, group them")
EXTRA={'216':['011'],'266':['011'],'283':['160'],'254':['229'],'263':['262']}
parent={}
def find(x):
    while parent.setdefault(x,x)!=x: x=parent[x]
    return x
def union(a,b): parent[find(a)]=find(b)
for p,ls in list(links.items())+list(EXTRA.items()):
    if int(p)>=201:
        for q in ls: union(p,q)
# old pubs in same old group are united too
byg=collections.defaultdict(list)
for p,g in group.items(): byg[g].append(p)
for g,ps in byg.items():
    for q in ps[1:]: union(ps[0],q)
comp=collections.defaultdict(list)
for p in links: comp[find(p)].append(p)
out=[]
newonly=[]
for root,ps in comp.items():
    ps=sorted(ps)
    oldg={group[p] for p in ps if p in group}
    assert len(oldg)<=1, (ps,oldg)
    if oldg: g=oldg.pop()
    else:
        g=f"pub-{ps[0]}" if len(ps)==1 else f"inspection-{ps[0]}"
        newonly.append(g)
    for p in ps: out.append((p,g,kinds[p]))
out.sort()
print(len(out), 'publications in', len({g for _,g,_ in out}), 'groups')
with open('training_data/corpus_groups.csv','w',newline='') as f:
    w=csv.writer(f, lineterminator='\n'); w.writerow(['publication','group','kind']); w.writerows(out)
