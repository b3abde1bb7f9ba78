package dev.weft.api;

import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.util.Locale;

/**
 * A port publication as Docker's {@code -p [HOST_IP:][HOST_PORT[-END]:]PORT[-END][/tcp|udp|sctp]}.
 * A host port of 0 (or none given) asks for a free one. Ranges map one to one, so host and
 * container ranges must have the same length (a single host port for a container range is refused,
 * as Docker does for non-ephemeral ports).
 *
 * @param hostIp         the host address to bind, or null for every address
 * @param hostPort       the first host port, 0 for "pick a free one"
 * @param hostPortEnd    the last host port (equal to hostPort for a single port; 0 with hostPort 0)
 * @param containerPort  the first port inside the sandbox
 * @param containerPortEnd the last port inside the sandbox
 * @param protocol       tcp, udp or sctp
 */
public record PortSpec(InetAddress hostIp, int hostPort, int hostPortEnd, int containerPort, int containerPortEnd,
                       String protocol) {

    private static final String FORMAT = "expected [HOST_IP:][HOST_PORT[-END]:]PORT[-END][/tcp|udp|sctp], "
            + "e.g. 8080:80, 127.0.0.1:8080:80/udp or 8000-8010:80-90";

    public PortSpec {
        if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
            throw new WeftException.InvalidRequest("protocol \"" + protocol + "\" is not supported: use tcp, udp or sctp");
        }
    }

    /** The number of ports in the range. */
    public int count() {
        return containerPortEnd - containerPort + 1;
    }

    /** Parses Docker's syntax; the error names the value and the accepted form. */
    public static PortSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text, "it is empty");
        }
        String rest = text.trim();
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1).toLowerCase(Locale.ROOT);
            rest = rest.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
                throw invalid(text, "protocol \"" + protocol + "\" is not tcp, udp or sctp");
            }
        }
        InetAddress hostIp = null;
        String hostPart = null;
        String containerPart;
        if (rest.startsWith("[")) { // [::1]:8080:80
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw invalid(text, "a bracketed IPv6 host address must be followed by ':'");
            }
            hostIp = address(text, rest.substring(1, close));
            rest = rest.substring(close + 2);
            int colon = rest.indexOf(':');
            if (colon < 0) {
                throw invalid(text, "a host address needs a container port after it");
            }
            hostPart = rest.substring(0, colon);
            containerPart = rest.substring(colon + 1);
        } else {
            String[] parts = rest.split(":", -1);
            switch (parts.length) {
                case 1 -> containerPart = parts[0];
                case 2 -> {
                    hostPart = parts[0];
                    containerPart = parts[1];
                }
                case 3 -> {
                    hostIp = address(text, parts[0]);
                    hostPart = parts[1];
                    containerPart = parts[2];
                }
                default -> throw invalid(text, "too many ':' (put an IPv6 host address in brackets)");
            }
        }
        int[] container = range(text, containerPart, "container port", false);
        int[] host = hostPart == null || hostPart.isEmpty() ? new int[] {0, 0} : range(text, hostPart, "host port", true);
        if (host[0] != 0) {
            int hostCount = host[1] - host[0] + 1;
            int containerCount = container[1] - container[0] + 1;
            if (hostCount != containerCount) {
                throw invalid(text, "the host range " + hostPart + " has " + hostCount + " ports but the container range "
                        + containerPart + " has " + containerCount + "; give ranges of the same length");
            }
        }
        return new PortSpec(hostIp, host[0], host[1], container[0], container[1], protocol);
    }

    private static InetAddress address(String text, String value) {
        InetAddress a = IpAddresses.tryParse(value);
        if (a == null) {
            throw invalid(text, "host address \"" + value + "\" is not an IP address");
        }
        return a;
    }

    private static int[] range(String text, String value, String what, boolean zeroAllowed) {
        int dash = value.indexOf('-');
        int first = port(text, dash < 0 ? value : value.substring(0, dash), what, zeroAllowed);
        int last = dash < 0 ? first : port(text, value.substring(dash + 1), what, false);
        if (last < first) {
            throw invalid(text, what + " range " + value + " ends before it starts");
        }
        if (first == 0 && dash >= 0) {
            throw invalid(text, what + " range " + value + " cannot start at 0");
        }
        return new int[] {first, last};
    }

    private static int port(String text, String value, String what, boolean zeroAllowed) {
        if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text, what + " \"" + value + "\" is not a number in 1-65535");
        }
        int p = Integer.parseInt(value);
        if (p > 65535 || (p == 0 && !zeroAllowed)) {
            throw invalid(text, what + " " + p + " is out of range 1-65535");
        }
        return p;
    }

    private static WeftException.InvalidRequest invalid(String text, String why) {
        return new WeftException.InvalidRequest("port publication \"" + text + "\" is not valid: " + why + "; " + FORMAT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (hostIp != null) {
            String h = IpAddresses.format(hostIp);
            sb.append(h.indexOf(':') >= 0 ? "[" + h + "]" : h).append(':');
        }
        if (hostPort != 0) {
            sb.append(hostPort);
            if (hostPortEnd != hostPort) {
                sb.append('-').append(hostPortEnd);
            }
            sb.append(':');
        } else if (hostIp != null) {
            sb.append(':');
        }
        sb.append(containerPort);
        if (containerPortEnd != containerPort) {
            sb.append('-').append(containerPortEnd);
        }
        return sb.append('/').append(protocol).toString();
    }
}
