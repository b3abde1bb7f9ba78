package dev.weft.api;

import dev.weft.net.IpAddresses;
import java.net.InetAddress;

/**
 * One published port as it is in force: a host port (picked when the request said 0) bound to a
 * port of an endpoint.
 *
 * @param protocol      tcp, udp or sctp
 * @param hostIp        the host address it is bound to, or null for every address
 * @param hostPort      the host port
 * @param containerPort the port inside the sandbox
 */
public record PortBinding(String protocol, InetAddress hostIp, int hostPort, int containerPort) {

    @Override
    public String toString() {
        String host = hostIp == null ? "0.0.0.0" : IpAddresses.format(hostIp);
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}
