package dev.weft.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM loading with keys and certificates made by openssl. */
class PemTlsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
    }

    private void selfSigned(String name, String... keyArgs) throws Exception {
        List<String> gen = new ArrayList<>(List.of("genpkey"));
        gen.addAll(List.of(keyArgs));
        gen.addAll(List.of("-out", name + ".key"));
        openssl(gen.toArray(new String[0]));
        openssl("req", "-new", "-x509", "-key", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name);
    }

    @Test
    void rsaAndEcKeysWithTheirCertificates() throws Exception {
        selfSigned("rsa", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        selfSigned("ec", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
        assertEquals("RSA", PemTls.privateKey(dir.resolve("rsa.key")).getAlgorithm());
        assertEquals("EC", PemTls.privateKey(dir.resolve("ec.key")).getAlgorithm());
        X509Certificate cert = (X509Certificate) PemTls.certificates(dir.resolve("rsa.crt")).get(0);
        assertEquals("CN=rsa", cert.getSubjectX500Principal().getName());
        SSLContext rsa = PemTls.sslContext(dir.resolve("rsa.crt"), dir.resolve("rsa.key"), dir.resolve("ec.crt"));
        assertNotNull(rsa.getSocketFactory());
        SSLContext ec = PemTls.sslContext(dir.resolve("ec.crt"), dir.resolve("ec.key"), null);
        assertNotNull(ec.getSocketFactory());
        Files.writeString(dir.resolve("both.crt"), Files.readString(dir.resolve("rsa.crt")) + Files.readString(dir.resolve("ec.crt")));
        assertEquals(2, PemTls.certificates(dir.resolve("both.crt")).size(), "every certificate of a bundle");
    }

    @Test
    void traditionalKeyFormatIsRefusedWithAHint() throws Exception {
        openssl("genrsa", "-traditional", "-out", "old.key", "2048");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemTls.privateKey(dir.resolve("old.key")));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
        IllegalArgumentException wrapped = assertThrows(IllegalArgumentException.class,
                () -> PemTls.sslContext(dir.resolve("missing.crt"), dir.resolve("old.key"), null));
        assertTrue(wrapped.getMessage().contains("missing.crt"), wrapped.getMessage());
    }
}
