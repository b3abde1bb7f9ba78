package dev.weft.core.internal.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.PortBinding;
import dev.weft.api.PortSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The allocator's rules without a kernel: holders stand in for sockets. Which holder holds a
 * binding, all or nothing, conflicts named for people, ephemeral ports, SCTP, release.
 */
class HostPortsTest {

    /** Ports held "on the host": a fake of what a kernel would allow, shared by the holders. */
    private final Set<String> taken = new HashSet<>();
    private final FakeHolder relay = new FakeHolder("relay", (protocol, ip) -> !(ip instanceof Inet4Address));
    private final FakeHolder bound = new FakeHolder("bound", (protocol, ip) -> true);
    private final HostPorts ports = new HostPorts(List.of(relay, bound));

    @Test
    void theFirstHolderThatHoldsABindingHoldsIt() {
        List<PortBinding> b = ports.reserve("e1", "web", List.of(spec("8080:80"), spec("[::1]:8081:81"),
                spec("127.0.0.1:8082:82/udp")), null);
        assertEquals(List.of("tcp/8080", "tcp/8081"), relay.held, "every address and IPv6: the relay's");
        assertEquals(List.of("udp/8082"), bound.held, "an IPv4 host address: a bound socket");
        assertEquals("0.0.0.0:8080->80/tcp", b.get(0).toString());
        assertEquals("[::1]:8081->81/tcp", b.get(1).toString());
    }

    @Test
    void aSpecWithoutAHostAddressGoesOnTheDefaultOneAndTheBindingsCarryIt() {
        InetAddress local = IpAddresses.parse("127.0.0.1");
        List<PortBinding> b = ports.reserve("e1", "web", List.of(spec("8080:80")), local);
        assertEquals(local, b.get(0).hostIp());
        assertEquals(List.of("tcp/8080"), bound.held, "an IPv4 default keeps the port off the relay");
    }

    @Test
    void rangesExpandPortByPortAndPortZeroGetsAFreeOne() {
        List<PortBinding> b = ports.reserve("e1", "web", List.of(spec("9000-9002:7000-7002"), spec("80/udp")), null);
        assertEquals(List.of(9000, 9001, 9002), b.subList(0, 3).stream().map(PortBinding::hostPort).toList());
        assertEquals(List.of(7000, 7001, 7002), b.subList(0, 3).stream().map(PortBinding::containerPort).toList());
        assertTrue(b.get(3).hostPort() >= 32768, "the holder's pick: " + b.get(3));
        assertEquals(80, b.get(3).containerPort());
    }

    @Test
    void allOrNothingAndAPortOfAnotherSandboxIsNamed() {
        ports.reserve("e1", "web", List.of(spec("8080:80")), null);
        WeftException.Conflict e = assertThrows(WeftException.Conflict.class,
                () -> ports.reserve("e2", "db", List.of(spec("8081:81"), spec("8082:82"), spec("8080:80")), null));
        assertEquals("host port 8080/tcp is not free: published by web; choose another host port or omit it to get a "
                + "free one", e.getMessage());
        assertEquals(Set.of("tcp/8080"), taken, "the ports taken before the conflict are given back");
    }

    @Test
    void aPortAHostProcessHoldsIsRefusedWithWhatTheKernelSaid() {
        taken.add("tcp/8080");
        WeftException.Conflict e = assertThrows(WeftException.Conflict.class,
                () -> ports.reserve("e1", "web", List.of(spec("127.0.0.1:8080:80")), null));
        assertEquals("host port 127.0.0.1:8080/tcp is not free: a host process holds it (EADDRINUSE); choose another "
                + "host port or omit it to get a free one", e.getMessage());
    }

    @Test
    void aHolderThatCannotMakeASocketIsAConflictNamingThePort() {
        HostPorts broken = new HostPorts(List.of(new HostPorts.Holder() {
            @Override
            public boolean holds(String protocol, InetAddress address) {
                return true;
            }

            @Override
            public HostPorts.Held hold(String protocol, InetAddress address, int port) throws IOException {
                throw new IOException("Too many open files");
            }
        }));
        WeftException.Conflict e = assertThrows(WeftException.Conflict.class,
                () -> broken.reserve("e1", "web", List.of(spec("[::1]:8080:80")), null));
        assertEquals("host port [::1]:8080/tcp cannot be held: Too many open files", e.getMessage());
    }

    @Test
    void sctpPortsAreReservedInMemoryAndMustBeGiven() {
        ports.reserve("e1", "web", List.of(spec("3868:3868/sctp")), null);
        assertTrue(relay.held.isEmpty() && bound.held.isEmpty(), "no socket for sctp");
        assertEquals("host port 3868/sctp is already published by web", assertThrows(WeftException.Conflict.class,
                () -> ports.reserve("e2", "db", List.of(spec("3868:1/sctp")), null)).getMessage());
        assertThrows(WeftException.InvalidRequest.class, () -> ports.reserve("e2", "db", List.of(spec("1/sctp")), null));
        ports.release("e1");
        ports.reserve("e2", "db", List.of(spec("3868:1/sctp")), null);
    }

    @Test
    void releaseFreesEveryPortOfItsOwnerOnlyAndRestoreTakesExactlyTheRecordedOnes() {
        List<PortBinding> web = ports.reserve("e1", "web", List.of(spec("8080:80"), spec("127.0.0.1:8081:81")), null);
        ports.reserve("e2", "db", List.of(spec("5432:5432")), null);
        ports.release("e1");
        assertEquals(Set.of("tcp/5432"), taken);
        ports.release("e1"); // again: nothing

        ports.restore("e1", "web", web);
        assertEquals(Set.of("tcp/5432", "tcp/8080", "tcp/8081"), taken);
        assertThrows(WeftException.Conflict.class, () -> ports.restore("e3", "other", web));
        ports.closeAll();
        assertTrue(taken.isEmpty(), "closeAll closes every socket");
    }

    private static PortSpec spec(String text) {
        return PortSpec.parse(text);
    }

    private interface Rule {
        boolean holds(String protocol, InetAddress address);
    }

    /** Holds ports in {@link #taken}, refusing taken ones as the kernel would; picks 32768 and up for 0. */
    private final class FakeHolder implements HostPorts.Holder {
        final String name;
        final Rule rule;
        final List<String> held = new ArrayList<>();
        int next = 32768;

        FakeHolder(String name, Rule rule) {
            this.name = name;
            this.rule = rule;
        }

        @Override
        public boolean holds(String protocol, InetAddress address) {
            return rule.holds(protocol, address);
        }

        @Override
        public HostPorts.Held hold(String protocol, InetAddress address, int port) throws BindException {
            int p = port == 0 ? next++ : port;
            String key = protocol + "/" + p;
            if (!taken.add(key)) {
                throw new BindException("EADDRINUSE");
            }
            held.add(key);
            return new HostPorts.Held() {
                @Override
                public int port() {
                    return p;
                }

                @Override
                public void close() {
                    assertFalse(!taken.contains(key), name + " closed " + key + " twice");
                    taken.remove(key);
                }
            };
        }
    }
}
