# Python's smtplib as a reference client: python3 smtplib_client.py <port> <count> <size>
import json, resource, smtplib, sys, time

port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = ('From: bench@example.com\r\nTo: sink@example.com\r\nSubject: mailwire SMTP benchmark\r\n'
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n')
lines, length, i = [head], len(head), 0
while length < size - 80:
    line = ('.' if i % 10 == 0 else '') + 'line %06d %s\r\n' % (i, 'abcdefghijklmnopqrstuvwxyz0123456789' * 2)
    lines.append(line); length += len(line); i += 1
lines.append('x' * max(0, size - length - 2) + '\r\n')
message = ''.join(lines).encode('latin1')

start, cpu0 = time.perf_counter(), time.process_time()
s = smtplib.SMTP('127.0.0.1', port, local_hostname='bench.example')
for _ in range(count):
    s.sendmail('bench@example.com', ['sink@example.com'], message)
s.quit()
print(json.dumps({'contender': 'smtplib', 'count': count, 'wallMs': (time.perf_counter() - start) * 1000,
                  'cpuMs': (time.process_time() - cpu0) * 1000,
                  'rssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
