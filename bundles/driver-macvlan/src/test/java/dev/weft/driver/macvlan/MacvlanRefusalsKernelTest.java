package dev.weft.driver.macvlan;

import static dev.weft.driver.macvlan.MacvlanFixture.GW4;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.PortSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.KernelTest;
import java.math.BigInteger;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input is refused with a message that names the value and what would work, and leaves nothing
 * behind: no link in the host namespace, no network or sandbox record, no lease.
 */
@ExtendWith(KernelTest.class)
class MacvlanRefusalsKernelTest extends MacvlanFixture.PerTest {

    private void refusedLeavingNothing(Class<? extends WeftException> kind, Executable request, String... words)
            throws Exception {
        String links = f.hostLinks();
        long records = records();
        WeftException e = assertThrows(kind, request::run);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "\"" + w + "\" in: " + e.getMessage());
        }
        assertEquals(links, f.hostLinks(), "no link left");
        assertEquals(records, records(), "no record left");
    }

    interface Executable {
        void run() throws Exception;
    }

    private long records() throws java.io.IOException {
        try (var s = Files.walk(f.dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    private void create(Map<String, String> options) {
        f.controller().createNetwork(new NetworkSpec("bad", MacvlanDriver.NAME,
                List.of(SubnetSpec.of(IpPrefix.parse(SUBNET4))), false, false, options, Map.of()));
    }

    @Test
    void noParentIsRefusedSayingWhy() throws Exception {
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> create(Map.of()),
                "-o parent=IFACE", "dummy");
    }

    @Test
    void aMissingParentIsRefusedNamingItAndWhatExists() throws Exception {
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> create(Map.of("parent", "eth9")),
                "\"eth9\" does not exist", "p0");
    }

    @Test
    void aVlanParentIsRefusedOnThisKernelNaming8021q() throws Exception {
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> create(Map.of("parent", "p0.10")),
                "parent=p0.10", "802.1Q", "VLAN 10 on p0");
        assertTrue(f.controller().networks().isEmpty());
    }

    @Test
    void anMtuAboveTheParentsIsRefused() throws Exception {
        refusedLeavingNothing(WeftException.InvalidRequest.class,
                () -> create(Map.of("parent", "p0", MacvlanOptions.MTU, "9000")), "=9000", "\"p0\" (1500)",
                "at most 1500");
    }

    @Test
    void unknownOptionsAndModesAreRefused() throws Exception {
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> create(Map.of("parent", "p0", "mode", "x")),
                "unknown macvlan option mode", "macvlan_mode");
        refusedLeavingNothing(WeftException.InvalidRequest.class,
                () -> create(Map.of("parent", "p0", MacvlanOptions.MODE, "source")), "macvlan_mode=source",
                "bridge (the default), private, vepa or passthru");
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> create(Map.of("parent", "lo")),
                "parent=lo", "loopback");
    }

    @Test
    void publishedPortsAreRefusedSayingWhyAndLeaveNoSandboxOrLease() throws Exception {
        f.network("mv", SUBNET4, GW4, Map.of());
        BigInteger inUse = f.controller().network("mv").orElseThrow().ipamStatus().values().iterator().next().ipsInUse();
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> f.sandbox("web", "mv",
                        new EndpointSpec(null, null, List.of(), List.of(PortSpec.parse("8080:80")))),
                "network \"mv\" (driver \"macvlan\") cannot publish ports (-p 8080:80/tcp)", "own address on the LAN",
                "bridge");
        assertTrue(f.controller().sandbox(f.host.namespaceName("web")).isEmpty());
        assertEquals(inUse, f.controller().network("mv").orElseThrow().ipamStatus().values().iterator().next().ipsInUse());
    }

    @Test
    void aMacAddressOtherThanTheParentsIsRefusedInPassthruMode() throws Exception {
        f.network("pt", SUBNET4, GW4, Map.of(MacvlanOptions.MODE, "passthru"));
        String parentBefore = f.host.ip("-d", "link", "show", "p0");
        refusedLeavingNothing(WeftException.InvalidRequest.class, () -> f.sandbox("a", "pt", new EndpointSpec(null,
                        null, List.of(), List.of(), 0, dev.weft.net.MacAddress.parse("02:aa:bb:cc:dd:01"), Map.of())),
                "passthru", "--mac-address 02:aa:bb:cc:dd:01", "parent \"p0\"");
        assertEquals(parentBefore, f.host.ip("-d", "link", "show", "p0"), "the parent's MAC is untouched");
        var a = f.sandbox("a", "pt"); // without it, the one sandbox joins
        assertTrue(a.ip("link", "show", "eth0").contains("UP"));
    }

    @Test
    void anInterfaceNameTakenInTheSandboxIsRefusedAndTheLeaseReturned() throws Exception {
        f.network("mv", SUBNET4, GW4, Map.of());
        var a = f.sandbox("a", "mv");
        a.ip("link", "add", "eth1", "type", "bridge"); // someone else's eth1 in the namespace
        BigInteger inUse = f.controller().network("mv").orElseThrow().ipamStatus().values().iterator().next().ipsInUse();
        f.network("other", "10.71.0.0/24", null, Map.of());
        WeftException e = assertThrows(WeftException.Conflict.class,
                () -> f.controller().connect("other", a.name(), EndpointSpec.defaults()));
        assertTrue(e.getMessage().contains("already has an interface named \"eth1\""), e.getMessage());
        assertEquals(inUse, f.controller().network("mv").orElseThrow().ipamStatus().values().iterator().next().ipsInUse());
        assertTrue(f.controller().network("other").orElseThrow().endpoints().isEmpty());
        String eth1 = a.ip("-d", "link", "show", "eth1");
        assertTrue(eth1.contains("bridge") && !eth1.contains("macvlan"), "the other one's eth1 is untouched: " + eth1);
    }
}
