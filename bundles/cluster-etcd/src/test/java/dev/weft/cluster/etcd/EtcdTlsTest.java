package dev.weft.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.spi.ClusterException;
import dev.weft.testkit.EtcdCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-member etcd that requires client certificates, with certificates made by openssl (needs root). */
class EtcdTlsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    /** A key (PKCS#8) and a certificate signed by the CA, with {@code sans} as subjectAltName. */
    private void signed(String name, String sans) throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        openssl("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + sans + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    @Test
    void clientCertificatesFromPemFiles() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=weft test CA");
        signed("server", "IP:10.214.0.11,IP:127.0.0.1");
        signed("client", "DNS:client");
        try (EtcdCluster cluster = new EtcdCluster("10.214.0.0/24", 1)
                .withTls(dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt"))) {
            cluster.start();
            assertTrue(cluster.endpoints().startsWith("etcds://"), cluster.endpoints());
            EtcdSettings settings = EtcdSettings.of(cluster.endpoints(), cluster.hostAddress(0))
                    .withTimeout(Duration.ofMillis(2000))
                    .withTls(dir.resolve("client.crt"), dir.resolve("client.key"), dir.resolve("ca.crt"));
            try (EtcdClusterStore store = new EtcdClusterStore(settings, cluster.threadsIn(0))) {
                store.put("tls", "over TLS".getBytes(StandardCharsets.UTF_8));
                assertEquals("over TLS", store.get("tls").orElseThrow().text());
            }
            EtcdSettings noClientCert = settings.withTls(null, null, dir.resolve("ca.crt"));
            try (EtcdClusterStore store = new EtcdClusterStore(noClientCert, cluster.threadsIn(0))) {
                ClusterException e = assertThrows(ClusterException.class, () -> store.get("tls"),
                        "etcd requires a client certificate");
                assertEquals(ClusterException.Reason.UNAVAILABLE, e.reason(), e.getMessage());
            }
        }
    }
}
