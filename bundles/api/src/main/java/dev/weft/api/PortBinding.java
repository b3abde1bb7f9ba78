package dev.weft.api;

import dev.weft.net.IpAddresses;
import java.net.InetAddress;

/**
 * One published port as it is in force: a host port (picked when the request said 0) bound to a
 * port of an endpoint.
 *
 * @param protocol      tcp, udp or sctp
 * @param hostIp        the host address it is bound to, or null for every address
 * @param hostPort      the host port, or 0 when the binding has none: it opens the endpoint's own port to
 *                      traffic routed to it (a network that {@linkplain dev.weft.spi.ExternalConnectivity#usesHostPorts
 *                      uses no host ports})
 * @param containerPort the port inside the sandbox
 */
public record PortBinding(String protocol, InetAddress hostIp, int hostPort, int containerPort) {

    /** {@code 0.0.0.0:8080->80/tcp}, or {@code 80/tcp} for a binding without a host port (routed). */
    @Override
    public String toString() {
        if (hostPort == 0) {
            return containerPort + "/" + protocol;
        }
        String host = hostIp == null ? "0.0.0.0" : IpAddresses.format(hostIp);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}
