#!/usr/bin/env python3
"""A Docker network and/or IPAM plugin for Weft's tests, on Python's standard library only.

Network driver: a Linux bridge per network and a veth pair per endpoint (made at Join; the
sandbox end is SrcName), in the network namespace given by --netns, with `ip -n`. IPAM driver:
pools from --base (a /16) in /24s, addresses in order. Its state goes to --state (JSON) after every
call, for the test to look at. --hang, --garbage, --http-error and --refuse take call names
(NetworkDriver.Join, ...) that misbehave: hang for good, do the work and answer something that is
not JSON, answer HTTP 500 with a text body, or answer {"Err": ...}.
"""
import argparse
import ipaddress
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

args = None
lock = threading.Lock()
state = {"networks": {}, "endpoints": {}, "pools": {}, "calls": []}


def ip(*a, check=True):
    r = subprocess.run(["ip", "-n", args.netns] + list(a), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("ip " + " ".join(a) + ": " + r.stderr.strip())
    return r


def save():
    tmp = args.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, args.state)


def bridge(nid):
    return "pb" + nid[:10]


def host_end(eid):
    return "ph" + eid[:10]


def sandbox_end(eid):
    return "pc" + eid[:10]


def implements():
    kinds = {"net": ["NetworkDriver"], "ipam": ["IpamDriver"], "both": ["NetworkDriver", "IpamDriver"]}
    return {"Implements": kinds[args.kind]}


# ---- network driver

def create_network(r):
    nid = r["NetworkID"]
    br = bridge(nid)
    ip("link", "add", br, "type", "bridge")
    ip("link", "set", br, "up")
    for d in r.get("IPv4Data") or []:
        if d.get("Gateway"):
            ip("addr", "add", d["Gateway"], "dev", br)
    state["networks"][nid] = {"bridge": br, "request": r}
    return {}


def delete_network(r):
    n = state["networks"].pop(r["NetworkID"], None)
    if n is None:
        return {"Err": "no network " + r["NetworkID"]}
    ip("link", "del", n["bridge"], check=False)
    return {}


def create_endpoint(r):
    eid = r["EndpointID"]
    if r["NetworkID"] not in state["networks"]:
        return {"Err": "no network " + r["NetworkID"]}
    state["endpoints"][eid] = {"network": r["NetworkID"], "request": r}
    if not (r.get("Interface") or {}).get("MacAddress"):
        mac = "02:42:00:00:%02x:%02x" % (len(state["endpoints"]) // 256, len(state["endpoints"]) % 256)
        state["endpoints"][eid]["mac"] = mac
        return {"Interface": {"MacAddress": mac}}
    return {}


def join(r):
    eid = r["EndpointID"]
    ep = state["endpoints"].get(eid)
    if ep is None:
        return {"Err": "no endpoint " + eid}
    net = state["networks"][ep["network"]]
    ip("link", "add", host_end(eid), "type", "veth", "peer", "name", sandbox_end(eid))
    ip("link", "set", host_end(eid), "master", net["bridge"], "up")
    ep["sandbox"] = r["SandboxKey"]
    answer = {"InterfaceName": {"SrcName": args.srcname or sandbox_end(eid), "DstPrefix": "eth"},
              "StaticRoutes": [{"Destination": "10.250.0.0/24", "RouteType": 1}]}
    data = net["request"].get("IPv4Data") or []
    if data and data[0].get("Gateway"):
        answer["Gateway"] = data[0]["Gateway"].split("/")[0]
    return answer


def leave(r):
    ep = state["endpoints"].get(r["EndpointID"])
    if ep is None:
        return {"Err": "no endpoint " + r["EndpointID"]}
    ep.pop("sandbox", None)
    # libnetwork moves the interface back to the host namespace before Leave: record whether it is here
    state.setdefault("leaves", {})[r["EndpointID"]] = \
        ip("-o", "link", "show", sandbox_end(r["EndpointID"]), check=False).returncode == 0
    return {}


def endpoint_oper_info(r):
    ep = state["endpoints"].get(r["EndpointID"])
    if ep is None:
        return {"Err": "no endpoint " + r["EndpointID"]}
    # a string, a number and an object, as plugins answer (libnetwork's map[string]interface{})
    return {"Value": {"HostVeth": host_end(r["EndpointID"]), "Mtu": 1500,
                      "Bridge": {"Name": state["networks"][ep["network"]]["bridge"], "Up": True}}}


def delete_endpoint(r):
    if state["endpoints"].pop(r["EndpointID"], None) is None:
        return {"Err": "no endpoint " + r["EndpointID"]}
    ip("link", "del", host_end(r["EndpointID"]), check=False)
    return {}


# ---- IPAM driver

def request_pool(r):
    if r.get("Pool"):
        pool = ipaddress.ip_network(r["Pool"])
    else:
        used = {p["pool"] for p in state["pools"].values()}
        pool = next(n for n in ipaddress.ip_network(args.base).subnets(new_prefix=24) if str(n) not in used)
    pid = "plug-" + str(pool)
    if pid in state["pools"]:
        return {"Err": "pool " + str(pool) + " is in use"}
    state["pools"][pid] = {"pool": str(pool), "addresses": []}
    return {"PoolID": pid, "Pool": str(pool), "Data": {}}


def release_pool(r):
    if state["pools"].pop(r["PoolID"], None) is None:
        return {"Err": "no pool " + r["PoolID"]}
    return {}


def request_address(r):
    p = state["pools"].get(r["PoolID"])
    if p is None:
        return {"Err": "no pool " + r["PoolID"]}
    net = ipaddress.ip_network(p["pool"])
    if r.get("Address"):
        a = ipaddress.ip_address(r["Address"])
        if str(a) in p["addresses"]:
            return {"Err": str(a) + " is in use"}
    else:
        a = next(h for h in net.hosts() if str(h) not in p["addresses"])
    p["addresses"].append(str(a))
    return {"Address": "%s/%d" % (a, net.prefixlen), "Data": {}}


def release_address(r):
    p = state["pools"].get(r["PoolID"])
    if p is not None and r["Address"] in p["addresses"]:
        p["addresses"].remove(r["Address"])
    return {}


CALLS = {
    "Plugin.Activate": lambda r: implements(),
    "NetworkDriver.GetCapabilities": lambda r: {"Scope": args.scope, "ConnectivityScope": args.scope},
    "NetworkDriver.DiscoverNew": lambda r: {},
    "NetworkDriver.DiscoverDelete": lambda r: {},
    "NetworkDriver.CreateNetwork": create_network,
    "NetworkDriver.DeleteNetwork": delete_network,
    "NetworkDriver.CreateEndpoint": create_endpoint,
    "NetworkDriver.DeleteEndpoint": delete_endpoint,
    "NetworkDriver.Join": join,
    "NetworkDriver.Leave": leave,
    "NetworkDriver.EndpointOperInfo": endpoint_oper_info,
    "NetworkDriver.ProgramExternalConnectivity": lambda r: {},
    "NetworkDriver.RevokeExternalConnectivity": lambda r: {},
    "IpamDriver.GetCapabilities": lambda r: {"RequiresMACAddress": False},
    "IpamDriver.GetDefaultAddressSpaces": lambda r: {"LocalDefaultAddressSpace": "plocal",
                                                     "GlobalDefaultAddressSpace": "pglobal"},
    "IpamDriver.RequestPool": request_pool,
    "IpamDriver.ReleasePool": release_pool,
    "IpamDriver.RequestAddress": request_address,
    "IpamDriver.ReleaseAddress": release_address,
}


class Handler(BaseHTTPRequestHandler):
    def address_string(self):
        return args.socket

    def log_message(self, fmt, *a):
        sys.stderr.write("plugin: " + (fmt % a) + "\n")

    def answer(self, status, body, content_type="application/vnd.docker.plugins.v1.2+json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        call = self.path.lstrip("/")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = json.loads(body or b"{}")
        if call in args.hang:
            with lock:
                state["calls"].append([call, request, "hung"])
                save()
            time.sleep(3600)
            return
        if call in args.http_error:
            with lock:
                state["calls"].append([call, request, "http-error"])
                save()
            self.answer(500, "internal trouble, sorry", "text/plain")
            return
        if call in args.refuse:
            with lock:
                state["calls"].append([call, request, "refused"])
                save()
            self.answer(200, json.dumps({"Err": "the test plugin refuses " + call}))
            return
        handler = CALLS.get(call)
        if handler is None or (call.startswith("IpamDriver.") and args.kind == "net") \
                or (call.startswith("NetworkDriver.") and args.kind == "ipam"):
            self.answer(404, json.dumps({"Err": "unknown call " + call}))
            return
        with lock:
            try:
                result = handler(request)
            except Exception as e:  # the plugin's own failure, as Docker's plugins report it
                result = {"Err": "%s: %s" % (call, e)}
            state["calls"].append([call, request, result])
            save()
        if call in args.garbage:
            self.answer(200, "<html>this is not JSON</html>")
        else:
            self.answer(200, json.dumps(result))


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--socket", help="the Unix socket to serve on")
    p.add_argument("--tcp", type=int, help="serve on 127.0.0.1:PORT instead (of the namespace it runs in)")
    p.add_argument("--ready", help="a file created once it listens")
    p.add_argument("--state", required=True)
    p.add_argument("--netns", default="")
    p.add_argument("--kind", choices=["net", "ipam", "both"], default="net")
    p.add_argument("--base", default="10.123.0.0/16")
    p.add_argument("--scope", choices=["local", "global"], default="local")
    p.add_argument("--hang", default="")
    p.add_argument("--garbage", default="")
    p.add_argument("--http-error", default="")
    p.add_argument("--refuse", default="")
    p.add_argument("--srcname", default="", help="answer Join with this SrcName instead of the veth it made")
    p.add_argument("--load", action="store_true", help="start from the state file's networks and endpoints")
    args = p.parse_args()
    for k in ("hang", "garbage", "http_error", "refuse"):
        setattr(args, k, [c for c in getattr(args, k).split(",") if c])
    if args.load and os.path.exists(args.state):
        with open(args.state) as f:
            old = json.load(f)
        state["networks"], state["endpoints"] = old["networks"], old["endpoints"]
    save()
    if args.tcp:
        args.socket = "tcp://127.0.0.1:%d" % args.tcp
        server = TcpServer(("127.0.0.1", args.tcp), Handler)
    else:
        tmp = args.socket + ".tmp"
        if os.path.exists(tmp):
            os.unlink(tmp)
        server = Server(tmp, Handler)
        os.rename(tmp, args.socket)  # appears listening: no window in which it refuses connections
    if args.ready:
        open(args.ready, "w").close()
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
