# The Python poplib side of the POP3 bench: the same RETRs, timed the same way.
import json, poplib, sys, time

port, count = int(sys.argv[1]), int(sys.argv[2])
p = poplib.POP3('127.0.0.1', port)
p.user('bench')
p.pass_('bench')
c0 = time.process_time()
t0 = time.perf_counter()
total = 0
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    total += sum(len(l) + 2 for l in lines)
wall = time.perf_counter() - t0
cpu = time.process_time() - c0
p.quit()
print(json.dumps({"wall": wall, "cpu": cpu, "bytes": total}))
