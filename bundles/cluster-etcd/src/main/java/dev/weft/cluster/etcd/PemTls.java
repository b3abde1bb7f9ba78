package dev.weft.cluster.etcd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An {@link SSLContext} from PEM files with the JDK alone: X.509 certificates, a PKCS#8 key (RSA or EC). */
final class PemTls {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {
    }

    /**
     * The context for client certificate {@code cert} with key {@code key} (both null: no client
     * certificate), trusting the CA certificates in {@code ca} (null: the JDK's trusted CAs).
     */
    static SSLContext sslContext(Path cert, Path key, Path ca) {
        try {
            KeyManagerFactory kmf = null;
            if (cert != null && key != null) {
                List<Certificate> chain = certificates(cert);
                PrivateKey privateKey = privateKey(key);
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey, NO_PASSWORD, chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, NO_PASSWORD);
            }
            TrustManagerFactory tmf = null;
            if (ca != null) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca)) {
                    trusted.setCertificateEntry("ca" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS for etcd (cert " + cert + ", key " + key + ", ca " + ca + "): "
                    + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file. */
    static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(pem);
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(bytes));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(pem + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return new ArrayList<>(certs);
    }

    /** The PKCS#8 key ({@code -----BEGIN PRIVATE KEY-----}) in a PEM file, RSA or EC. */
    static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? " (it is in the traditional format: convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8`)"
                    : text.contains("ENCRYPTED PRIVATE KEY") ? " (it is encrypted: give an unencrypted PKCS#8 key)" : "";
            throw new GeneralSecurityException(pem + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(pem + ": a PKCS#8 key that is neither RSA nor EC", last);
    }
}
