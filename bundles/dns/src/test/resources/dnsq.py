# Sequential DNS queries over UDP from one process (run inside a sandbox): p50/p90/p99/p99.9 in
# microseconds and queries per second. A client outside the server's JVM, so the figures are the
# server's and the kernel's, not the test JVM's. Usage: dnsq.py SERVER NAME COUNT
import random
import socket
import struct
import sys
import time

server, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
warm = 1000


def query(qname):
    header = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(l)]) + l.encode() for l in qname.split(".")) + b"\0"
    return header + labels + struct.pack(">HH", 1, 1)


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((server, 53))
times = []
start = time.perf_counter_ns()
for i in range(n + warm):
    if i == warm:
        start = time.perf_counter_ns()
    m = query(name)
    t0 = time.perf_counter_ns()
    s.send(m)
    s.recv(4096)
    if i >= warm:
        times.append(time.perf_counter_ns() - t0)
total = time.perf_counter_ns() - start
times.sort()
print("p50 %d us, p90 %d us, p99 %d us, p99.9 %d us, %d q/s" % (
    times[n // 2] // 1000, times[n * 9 // 10] // 1000, times[n * 99 // 100] // 1000, times[n * 999 // 1000] // 1000,
    n * 1_000_000_000 // total))
