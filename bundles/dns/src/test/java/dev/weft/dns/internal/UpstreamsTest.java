package dev.weft.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamsTest {
    @Test
    void nameserversInOrderAtMostThreeScopedIpv6OwnAddressesDroppedAndChangesFollowed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, "# comment\nsearch example\nnameserver 127.0.0.53\nnameserver fe80::1%veth7\n"
                + "nameserver 10.1.0.1\nnameserver 192.0.2.9\nnameserver 192.0.2.10\n");
        Upstreams u = new Upstreams(f, name -> name.equals("veth7") ? 7 : -1);
        List<InetSocketAddress> s = u.current(Set.of(NameTable.Key.of(InetAddress.getByName("10.1.0.1"))));
        assertEquals(2, s.size(), s.toString());
        assertEquals(new InetSocketAddress("127.0.0.53", 53), s.get(0));
        assertEquals(7, ((Inet6Address) s.get(1).getAddress()).getScopeId());

        Files.writeString(f, "nameserver 192.0.2.77\n");
        Thread.sleep(250);
        assertEquals(List.of(new InetSocketAddress("192.0.2.77", 53)), u.current(Set.of()));
    }
}
