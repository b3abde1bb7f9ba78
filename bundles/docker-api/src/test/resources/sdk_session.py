"""Docker's SDK for Python (Debian's python3-docker) against Weft's Engine API: the second client
of PythonSdkKernelTest. Argument: the name of a sandbox to connect. Asserts as it goes; prints
one line per step, and exits non-zero on the first failure (the traceback on stderr)."""
import sys

import docker
from docker.types import IPAMConfig, IPAMPool

sandbox = sys.argv[1]
client = docker.from_env(version="auto")
assert client.ping() is True
print("ping", client.api.api_version)
version = client.version()
assert version["ApiVersion"] == "1.50", version
info = client.info()
assert "bridge" in info["Plugins"]["Network"], info["Plugins"]

ipam = IPAMConfig(pool_configs=[IPAMPool(subnet="10.71.0.0/24", iprange="10.71.0.128/25", gateway="10.71.0.1",
                                         aux_addresses={"router": "10.71.0.254"})])
net = client.networks.create("sdknet", driver="bridge", ipam=ipam, labels={"made-by": "sdk"}, internal=True,
                             check_duplicate=True, options={"com.docker.network.bridge.enable_icc": "true"})
print("created", net.id)
assert net.name == "sdknet"
assert net.attrs["IPAM"]["Config"][0]["AuxiliaryAddresses"] == {"router": "10.71.0.254"}, net.attrs["IPAM"]
assert net.attrs["Internal"] is True
try:
    client.networks.create("sdknet")
    raise AssertionError("a duplicate was created")
except docker.errors.APIError as e:
    assert e.status_code == 409, e
    print("duplicate", e.explanation)

assert [n.name for n in client.networks.list(filters={"label": "made-by=sdk"})] == ["sdknet"]
assert [n.name for n in client.networks.list(names=["sdknet"])] == ["sdknet"]

net.connect(sandbox, ipv4_address="10.71.0.7", aliases=["api"])
net.reload()
containers = net.containers  # each one looked up: GET /containers/{id}/json
assert [c.name for c in containers] == [sandbox], containers
settings = containers[0].attrs["NetworkSettings"]["Networks"]["sdknet"]
assert settings["IPAddress"] == "10.71.0.7", settings
assert settings["Aliases"] == ["api"], settings
assert settings["Gateway"] == "10.71.0.1", settings
print("connected", settings["IPAddress"])
assert sandbox in [c.name for c in client.containers.list(filters={"network": "sdknet"})]

try:
    net.remove()
    raise AssertionError("a network with endpoints was removed")
except docker.errors.APIError as e:
    assert e.status_code == 403, e
    print("in use", e.explanation)

net.disconnect(sandbox, force=True)
net.reload()
assert net.attrs["Containers"] == {}, net.attrs["Containers"]
try:
    client.networks.get("nosuch")
    raise AssertionError("found a network that does not exist")
except docker.errors.NotFound as e:
    print("not found", e.explanation)
try:
    client.containers.run("alpine", "true")
    raise AssertionError("ran a container")
except docker.errors.APIError as e:
    assert e.status_code == 501, e
    print("no containers", e.status_code)
pruned = client.networks.prune(filters={"label": "made-by=sdk"})
assert pruned["NetworksDeleted"] == ["sdknet"], pruned
print("pruned", pruned["NetworksDeleted"])
