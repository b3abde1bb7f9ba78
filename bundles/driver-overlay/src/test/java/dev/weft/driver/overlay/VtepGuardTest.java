package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.net.IpAddresses;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The VXLAN guard's table as nft text: replaced whole, elements in the same transaction. */
class VtepGuardTest {

    @Test
    void theScriptReplacesTheTableAndCarriesTheVtepsOfBothFamilies() {
        Set<java.net.InetAddress> vteps = new LinkedHashSet<>();
        for (String a : List.of("10.214.0.13", "fd00::2", "10.214.0.12")) {
            vteps.add(IpAddresses.parse(a));
        }
        assertEquals("""
                table inet weft_overlay {}
                delete table inet weft_overlay
                table inet weft_overlay {
                \tset vteps { type ipv4_addr; elements = { 10.214.0.12, 10.214.0.13 }; }
                \tset vteps6 { type ipv6_addr; elements = { fd00::2 }; }
                \tchain input {
                \t\ttype filter hook input priority filter - 1; policy accept;
                \t\tudp dport 4789 ip saddr != @vteps counter drop
                \t\tudp dport 4789 ip6 saddr != @vteps6 counter drop
                \t}
                }
                """, VtepGuard.script(VtepGuard.tableName("weft"), 4789, vteps));
    }

    @Test
    void noVtepsNoElementsClause() {
        String s = VtepGuard.script("t", 4789, Set.of());
        assertEquals(true, s.contains("\tset vteps { type ipv4_addr; }\n"), s);
        assertEquals(true, s.contains("\tset vteps6 { type ipv6_addr; }\n"), s);
    }
}
