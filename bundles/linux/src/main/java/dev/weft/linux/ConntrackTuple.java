package dev.weft.linux;

import dev.weft.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One direction of a conntrack entry, as the kernel keys it. Ports are 0 for protocols without
 * ports (ICMP, generic protocols); ICMP and ICMPv6 tuples carry their type, code and identifier
 * in {@link #icmp} instead.
 *
 * @param source          source address (IPv4 or IPv6, as the entry's family)
 * @param destination     destination address
 * @param sourcePort      source port, 0 when the protocol has none
 * @param destinationPort destination port, 0 when the protocol has none
 * @param icmp            ICMP type, code and id for ICMP/ICMPv6 tuples, null otherwise
 */
public record ConntrackTuple(InetAddress source, InetAddress destination, int sourcePort, int destinationPort,
        Icmp icmp) {

    /** The ICMP or ICMPv6 part of a tuple: what stands in for ports there. */
    public record Icmp(int type, int code, int id) {
        public Icmp {
            checkRange("ICMP type", type, 0xff);
            checkRange("ICMP code", code, 0xff);
            checkRange("ICMP id", id, 0xffff);
        }
    }

    public ConntrackTuple {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        checkRange("source port", sourcePort, 0xffff);
        checkRange("destination port", destinationPort, 0xffff);
    }

    /** A tuple with ports (TCP, UDP, SCTP, …). */
    public static ConntrackTuple of(InetAddress source, int sourcePort, InetAddress destination, int destinationPort) {
        return new ConntrackTuple(source, destination, sourcePort, destinationPort, null);
    }

    /** Like conntrack tools print it: {@code 10.0.0.2:40000 -> 192.168.7.1:5353}, {@code [fd00::2]:80}. */
    @Override
    public String toString() {
        if (icmp != null) {
            return IpAddresses.format(source) + " -> " + IpAddresses.format(destination)
                    + " type " + icmp.type() + " code " + icmp.code() + " id " + icmp.id();
        }
        if (sourcePort == 0 && destinationPort == 0) {
            return IpAddresses.format(source) + " -> " + IpAddresses.format(destination);
        }
        return endpoint(source, sourcePort) + " -> " + endpoint(destination, destinationPort);
    }

    private static String endpoint(InetAddress address, int port) {
        String host = IpAddresses.format(address);
        return address instanceof Inet4Address ? host + ":" + port : "[" + host + "]:" + port;
    }

    static void checkRange(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range: use 0 to " + max);
        }
    }
}
