# Clients that ask for a page and never read the answer: N connections
# with a 4 KiB receive buffer, each sends one GET, then all are held open
# for HOLD seconds. Prints "sent" once every request is out.
import socket
import sys
import time

host, port, n, path, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
socks = []
for _ in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(request)
    socks.append(s)
print("sent", flush=True)
time.sleep(hold)
