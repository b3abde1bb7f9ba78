package dev.weft.linux;

import dev.weft.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which conntrack entries to list or delete. Every criterion set must hold (AND); unset criteria
 * match anything. Immutable; build with the factories or {@link #builder()}. A filter with nothing
 * set is refused: deleting with it would flush the host's whole table.
 *
 * <ul>
 *   <li>family: {@link ConntrackEntry#AF_INET} or {@link ConntrackEntry#AF_INET6};</li>
 *   <li>protocol: IANA number (6 TCP, 17 UDP, …);</li>
 *   <li>address: equal to ANY of the four tuple addresses (original source and destination, reply
 *       source and destination), so it covers a removed endpoint's flows whether it was the DNAT
 *       target, the masqueraded client or a plain peer;</li>
 *   <li>original destination port: the port the client addressed, i.e. a published host port;</li>
 *   <li>reply source: address and port the answers come from, i.e. the DNAT target.</li>
 * </ul>
 */
public final class ConntrackFilter {
    private final int family;       // 0: any
    private final int protocol;     // -1: any
    private final InetAddress address;
    private final int originalDestinationPort; // 0: any
    private final InetSocketAddress replySource;

    private ConntrackFilter(Builder b) {
        this.family = b.family;
        this.protocol = b.protocol;
        this.address = b.address;
        this.originalDestinationPort = b.originalDestinationPort;
        this.replySource = b.replySource;
    }

    /** The flows of a published host port: protocol and original destination port, any address. */
    public static ConntrackFilter publishedPort(int protocol, int hostPort) {
        return builder().protocol(protocol).originalDestinationPort(hostPort).build();
    }

    /** Every flow that has {@code address} in any of its four tuple addresses. */
    public static ConntrackFilter address(InetAddress address) {
        return builder().address(address).build();
    }

    /** The flows DNATed to {@code address:port} (their reply comes from there). */
    public static ConntrackFilter replySource(int protocol, InetAddress address, int port) {
        return builder().protocol(protocol).replySource(address, port).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public OptionalInt family() {
        return family == 0 ? OptionalInt.empty() : OptionalInt.of(family);
    }

    public OptionalInt protocol() {
        return protocol < 0 ? OptionalInt.empty() : OptionalInt.of(protocol);
    }

    public Optional<InetAddress> address() {
        return Optional.ofNullable(address);
    }

    public OptionalInt originalDestinationPort() {
        return originalDestinationPort == 0 ? OptionalInt.empty() : OptionalInt.of(originalDestinationPort);
    }

    public Optional<InetSocketAddress> replySource() {
        return Optional.ofNullable(replySource);
    }

    /**
     * Whether the filter names particular flows (an address, a port or a reply source) rather
     * than whole families or protocols. {@link Conntrack#delete} refuses filters that do not.
     */
    public boolean isSelective() {
        return address != null || originalDestinationPort != 0 || replySource != null;
    }

    public boolean matches(ConntrackEntry e) {
        if (family != 0 && e.family() != family) {
            return false;
        }
        if (protocol >= 0 && e.protocol() != protocol) {
            return false;
        }
        if (address != null && !address.equals(e.original().source()) && !address.equals(e.original().destination())
                && !address.equals(e.reply().source()) && !address.equals(e.reply().destination())) {
            return false;
        }
        if (originalDestinationPort != 0 && e.original().destinationPort() != originalDestinationPort) {
            return false;
        }
        return replySource == null || (replySource.getAddress().equals(e.reply().source())
                && replySource.getPort() == e.reply().sourcePort());
    }

    /** E.g. {@code udp original destination port 5353} or {@code address 10.1.0.2}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (family != 0) {
            parts.add(family == ConntrackEntry.AF_INET ? "ipv4" : "ipv6");
        }
        if (protocol >= 0) {
            parts.add(ConntrackEntry.protocolName(protocol));
        }
        if (address != null) {
            parts.add("address " + IpAddresses.format(address));
        }
        if (originalDestinationPort != 0) {
            parts.add("original destination port " + originalDestinationPort);
        }
        if (replySource != null) {
            InetAddress a = replySource.getAddress();
            String host = a instanceof Inet4Address ? IpAddresses.format(a) : "[" + IpAddresses.format(a) + "]";
            parts.add("reply source " + host + ":" + replySource.getPort());
        }
        return String.join(" ", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConntrackFilter f && family == f.family && protocol == f.protocol
                && Objects.equals(address, f.address) && originalDestinationPort == f.originalDestinationPort
                && Objects.equals(replySource, f.replySource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, protocol, address, originalDestinationPort, replySource);
    }

    /** Collects criteria; {@link #build()} checks them together. */
    public static final class Builder {
        private int family;
        private int protocol = -1;
        private InetAddress address;
        private int originalDestinationPort;
        private InetSocketAddress replySource;

        private Builder() {
        }

        /** {@link ConntrackEntry#AF_INET} (2) or {@link ConntrackEntry#AF_INET6} (10). */
        public Builder family(int family) {
            if (family != ConntrackEntry.AF_INET && family != ConntrackEntry.AF_INET6) {
                throw new IllegalArgumentException("conntrack filter family " + family + " is not supported: use "
                        + ConntrackEntry.AF_INET + " (IPv4) or " + ConntrackEntry.AF_INET6 + " (IPv6)");
            }
            this.family = family;
            return this;
        }

        /** IANA protocol number, 0 to 255 (6 TCP, 17 UDP). */
        public Builder protocol(int protocol) {
            ConntrackTuple.checkRange("conntrack filter protocol", protocol, 0xff);
            this.protocol = protocol;
            return this;
        }

        public Builder address(InetAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The destination port the client addressed (a published host port), 1 to 65535. */
        public Builder originalDestinationPort(int port) {
            checkPort("original destination port", port);
            this.originalDestinationPort = port;
            return this;
        }

        /** Address and port the replies come from (the DNAT target); port 1 to 65535. */
        public Builder replySource(InetAddress address, int port) {
            Objects.requireNonNull(address, "address");
            checkPort("reply source port", port);
            this.replySource = new InetSocketAddress(address, port);
            return this;
        }

        public ConntrackFilter build() {
            if (family == 0 && protocol < 0 && address == null && originalDestinationPort == 0 && replySource == null) {
                throw new IllegalArgumentException("a conntrack filter needs at least one criterion (family, protocol,"
                        + " address, original destination port or reply source): an empty filter would match,"
                        + " and delete, every entry of the host");
            }
            checkFamily("address", address);
            checkFamily("reply source", replySource == null ? null : replySource.getAddress());
            return new ConntrackFilter(this);
        }

        private void checkFamily(String what, InetAddress a) {
            if (family == 0 || a == null) {
                return;
            }
            int af = a instanceof Inet4Address ? ConntrackEntry.AF_INET : ConntrackEntry.AF_INET6;
            if (af != family) {
                throw new IllegalArgumentException("conntrack filter " + what + " " + IpAddresses.format(a)
                        + " is not of the filter's family " + (family == ConntrackEntry.AF_INET ? "IPv4" : "IPv6")
                        + ": it would match nothing; drop the family or use an address of that family");
            }
        }

        private static void checkPort(String what, int port) {
            if (port < 1 || port > 0xffff) {
                throw new IllegalArgumentException(what + " " + port + " is out of range: use 1 to 65535");
            }
        }
    }
}
