package dev.weft.dns;

import static dev.weft.dns.DnsFixture.data;
import static dev.weft.dns.DnsFixture.getent;
import static dev.weft.dns.DnsFixture.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TestSandbox;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Sandboxes find each other by name with the ordinary libc resolver, and by queries straight to the gateway. */
@ExtendWith(KernelTest.class)
class NamesKernelTest extends DnsFixture.PerTest {

    @Test
    void threeSandboxesFindEachOtherByNameNetworkQualifiedNameAliasIdPrefixAndHostname() {
        f.network("red", "10.31.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox b = f.sandbox(f.spec("b", "red", "db").withHostname("bhost"), "b");
        TestSandbox c = f.sandbox("c", "red");
        String ipB = f.ipv4(b, "red");
        SandboxInfo bInfo = f.controller().sandbox(b.name()).orElseThrow();
        assertTrue(f.endpoint(b, "red").dnsNames().contains("db"), f.endpoint(b, "red").dnsNames().toString());

        for (String name : List.of(b.name(), b.name() + ".red", "db", "db.red", bInfo.id().substring(0, 12), "bhost",
                b.name() + ".weft.internal", "db.red.weft.internal")) {
            assertEquals(ipB, first(getent(a, "hosts", name)), "a resolves " + name);
            assertEquals(ipB, first(getent(c, "hosts", name)), "c resolves " + name);
        }
        assertEquals(f.ipv4(a, "red"), first(getent(b, "hosts", a.name())));
        assertEquals(f.ipv4(c, "red"), first(getent(b, "hosts", c.name())));
        assertEquals("", getent(a, "hosts", "nosuch"), "an unknown name does not resolve");
        String resolv = a.exec("cat", "/etc/resolv.conf");
        assertTrue(resolv.contains("nameserver " + f.gateway("red")), resolv);
    }

    @Test
    void roundRobinOfAnAliasSharedByTwoSandboxes() {
        f.network("red", "10.32.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox w1 = f.sandbox("w1", "red", "web");
        TestSandbox w2 = f.sandbox("w2", "red", "web");
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Message m = udp(a, f.gateway("red"), "web", Type.A);
            assertEquals(Set.of(f.ipv4(w1, "red"), f.ipv4(w2, "red")), new HashSet<>(data(m)));
            assertEquals(0, m.getSection(org.xbill.DNS.Section.ANSWER).get(0).getTTL());
            firsts.add(data(m).get(0));
        }
        assertEquals(2, firsts.size(), "each address comes first sometimes");
    }

    @Test
    void aaaaOnADualStackNetworkAndPtr() {
        f.network("dual", List.of("10.33.0.0/24", "fd00:33::/64"), true, false);
        TestSandbox a = f.sandbox("a", "dual");
        TestSandbox b = f.sandbox("b", "dual");
        String v6 = f.ipv6(b, "dual");
        assertEquals(v6, first(getent(a, "ahostsv6", b.name())));
        assertEquals(List.of(v6), data(udp(a, f.gateway("dual"), b.name(), Type.AAAA)));
        assertEquals(2, f.server.servers(f.controller().network("dual").orElseThrow().id()).size(), "both gateways served");
        assertEquals(List.of(v6), data(udp(a, "fd00:33::1", b.name(), Type.AAAA)), "the IPv6 gateway answers too");
        // PTR: NAME.NETWORK as Docker answers
        String ptr4 = getent(a, "hosts", f.ipv4(b, "dual"));
        assertTrue(ptr4.contains(b.name() + ".dual"), ptr4);
        String ptr6 = getent(a, "hosts", v6);
        assertTrue(ptr6.contains(b.name() + ".dual"), ptr6);
    }

    @Test
    void aSandboxOnTwoNetworksResolvesBothOneOnAnotherNetworkDoesNot() {
        f.network("red", "10.34.0.0/24");
        f.network("blue", "10.35.0.0/24");
        TestSandbox r = f.sandbox("r", "red");
        TestSandbox bl = f.sandbox("bl", "blue");
        TestSandbox both = f.sandbox("both", "red");
        f.controller().connect("blue", both.name(), new EndpointSpec(null, null, List.of("bothalias"), List.of()));
        assertEquals(f.ipv4(r, "red"), first(getent(both, "hosts", r.name())));
        assertEquals(f.ipv4(bl, "blue"), first(getent(both, "hosts", bl.name())));
        assertEquals(f.ipv4(both, "blue"), first(getent(bl, "hosts", "bothalias")));
        assertEquals("", getent(r, "hosts", bl.name()), "red's sandbox does not see blue's");
        assertEquals(Rcode.NXDOMAIN, udp(r, f.gateway("red"), bl.name(), Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, udp(r, f.gateway("red"), "bothalias", Type.A).getRcode(), "an alias on blue only");
        assertEquals(List.of(f.ipv4(both, "red")), data(udp(r, f.gateway("red"), both.name() + ".red", Type.A)));
        assertEquals(Rcode.NXDOMAIN, udp(r, f.gateway("red"), both.name() + ".blue.weft.internal", Type.A).getRcode());
        f.controller().disconnect("blue", both.name(), false);
        assertEquals(Rcode.NXDOMAIN, udp(both, f.gateway("red"), bl.name(), Type.A).getRcode(), "gone with disconnect");
    }

    @Test
    void aNameResolvesAsSoonAsCreateReturnsAndNotAfterRemoveReturns() {
        f.network("red", "10.36.0.0/24");
        TestSandbox a = f.sandbox("a", "red");
        String gw = f.gateway("red");
        for (int i = 0; i < 25; i++) {
            String name = f.host.namespaceName("n" + i);
            f.controller().createSandbox(f.spec("n" + i, "red"));
            Message m = udp(a, gw, name, Type.A);
            assertEquals(Rcode.NOERROR, m.getRcode(), "right after create #" + i);
            assertEquals(1, data(m).size());
            f.controller().removeSandbox(name);
            assertEquals(Rcode.NXDOMAIN, udp(a, gw, name, Type.A).getRcode(), "right after remove #" + i);
        }
    }

    private static String first(String getentOutput) {
        return getentOutput.isEmpty() ? "" : getentOutput.lines().findFirst().orElse("").split("\\s+")[0];
    }
}
