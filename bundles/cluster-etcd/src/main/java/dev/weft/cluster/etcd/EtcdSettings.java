package dev.weft.cluster.etcd;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The store's settings, from the instance's configuration ({@code cluster.store}, {@code cluster.advertise}, …;
 * each also read as {@code weft.cluster.…}). Plain data so tests build a store without OSGi.
 *
 * @param endpoints the members' client URLs, {@code http://HOST:PORT} or {@code https://HOST:PORT}
 * @param tlsCert client certificate chain (PEM), or null
 * @param tlsKey client key (PKCS#8 PEM), or null
 * @param tlsCa CA certificates (PEM) the members' certificates are checked against, or null for the JDK's
 */
record EtcdSettings(List<URI> endpoints, InetAddress advertise, String prefix, String nodeId, Duration ttl,
                    Duration timeout, Path tlsCert, Path tlsKey, Path tlsCa) {
    static final String STORE = "cluster.store";
    static final String ADVERTISE = "cluster.advertise";
    static final String PREFIX = "cluster.prefix";
    static final String NODE = "cluster.node";
    static final String TTL = "cluster.ttl";
    static final String TIMEOUT = "cluster.timeout";
    static final String TLS_CERT = "cluster.tls.cert";
    static final String TLS_KEY = "cluster.tls.key";
    static final String TLS_CA = "cluster.tls.ca";
    static final String DEFAULT_PREFIX = "/weft/";
    static final int DEFAULT_PORT = 2379;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint");
        }
        prefix = normalisePrefix(prefix);
        if (ttl.toSeconds() < 1 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("ttl and timeout must be positive");
        }
    }

    /** Defaults for everything but the endpoints and the address (tests). */
    static EtcdSettings of(String store, String advertise) {
        return parse(key -> Optional.ofNullable(key.equals(STORE) ? store : key.equals(ADVERTISE) ? advertise : null))
                .orElseThrow(() -> new IllegalArgumentException("no store"));
    }

    EtcdSettings withPrefix(String newPrefix) {
        return new EtcdSettings(endpoints, advertise, newPrefix, nodeId, ttl, timeout, tlsCert, tlsKey, tlsCa);
    }

    EtcdSettings withNode(String node) {
        return new EtcdSettings(endpoints, advertise, prefix, node, ttl, timeout, tlsCert, tlsKey, tlsCa);
    }

    EtcdSettings withTtl(Duration newTtl) {
        return new EtcdSettings(endpoints, advertise, prefix, nodeId, newTtl, timeout, tlsCert, tlsKey, tlsCa);
    }

    EtcdSettings withTimeout(Duration newTimeout) {
        return new EtcdSettings(endpoints, advertise, prefix, nodeId, ttl, newTimeout, tlsCert, tlsKey, tlsCa);
    }

    EtcdSettings withEndpoints(List<URI> newEndpoints) {
        return new EtcdSettings(newEndpoints, advertise, prefix, nodeId, ttl, timeout, tlsCert, tlsKey, tlsCa);
    }

    EtcdSettings withTls(Path cert, Path key, Path ca) {
        return new EtcdSettings(endpoints, advertise, prefix, nodeId, ttl, timeout, cert, key, ca);
    }

    /**
     * The settings, or empty when no store is configured (no cluster).
     *
     * @throws IllegalArgumentException naming the setting, its value and what is accepted
     */
    static Optional<EtcdSettings> parse(Function<String, Optional<String>> settings) {
        Function<String, Optional<String>> get = key -> settings.apply(key)
                .or(() -> settings.apply("weft." + key))
                .map(String::trim)
                .filter(v -> !v.isEmpty());
        Optional<String> store = get.apply(STORE);
        if (store.isEmpty()) {
            return Optional.empty();
        }
        List<URI> endpoints = parseEndpoints(store.get());
        String advertiseText = get.apply(ADVERTISE).orElseThrow(() -> new IllegalArgumentException(
                ADVERTISE + " is not set: with " + STORE + " = " + store.get()
                        + " give this host's underlay IP address (IPv4 like 10.0.0.11 or IPv6 like fd00::11)"));
        InetAddress advertise = parseAddress(advertiseText);
        String prefix = get.apply(PREFIX).orElse(DEFAULT_PREFIX);
        String node = get.apply(NODE).orElse(advertise.getHostAddress());
        if (node.contains("/")) {
            throw new IllegalArgumentException(NODE + " = " + node + " must not contain '/'");
        }
        Duration ttl = Duration.ofSeconds(positive(get, TTL, 10, "seconds"));
        Duration timeout = Duration.ofMillis(positive(get, TIMEOUT, 3000, "milliseconds"));
        Path cert = get.apply(TLS_CERT).map(Path::of).orElse(null);
        Path key = get.apply(TLS_KEY).map(Path::of).orElse(null);
        Path ca = get.apply(TLS_CA).map(Path::of).orElse(null);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(TLS_CERT + " and " + TLS_KEY + " go together: "
                    + (cert == null ? TLS_KEY + " is set, " + TLS_CERT + " is not" : TLS_CERT + " is set, " + TLS_KEY + " is not"));
        }
        return Optional.of(new EtcdSettings(endpoints, advertise, prefix, node, ttl, timeout, cert, key, ca));
    }

    /** True when some endpoint is https. */
    boolean tls() {
        return endpoints.stream().anyMatch(u -> u.getScheme().equals("https"));
    }

    private static long positive(Function<String, Optional<String>> get, String key, long fallback, String unit) {
        Optional<String> text = get.apply(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.get());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(key + " = " + text.get() + " is not a positive whole number of " + unit);
    }

    /**
     * {@code etcd://HOST:PORT[,HOST:PORT…]}, {@code etcds://…} for TLS; items may carry their own scheme
     * ({@code etcd}, {@code etcds}, {@code http}, {@code https}); an item without one takes the previous item's.
     */
    static List<URI> parseEndpoints(String value) {
        String accepted = " (accepted: etcd://HOST:PORT[,HOST:PORT…], etcds://… for TLS, or http:// and https:// URLs;"
                + " IPv6 hosts in brackets)";
        List<URI> endpoints = new ArrayList<>();
        String scheme = null;
        for (String raw : value.split(",")) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException(STORE + " = " + value + " has an empty item" + accepted);
            }
            int sep = item.indexOf("://");
            if (sep >= 0) {
                String given = item.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
                scheme = switch (given) {
                    case "etcd", "http" -> "http";
                    case "etcds", "https" -> "https";
                    default -> throw new IllegalArgumentException(STORE + " = " + value + ": unknown scheme '" + given + "'" + accepted);
                };
                item = item.substring(sep + 3);
            } else if (scheme == null) {
                throw new IllegalArgumentException(STORE + " = " + value + ": '" + item + "' has no scheme" + accepted);
            }
            if (item.endsWith("/")) {
                item = item.substring(0, item.length() - 1);
            }
            URI uri;
            try {
                uri = new URI(scheme + "://" + item);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(STORE + " = " + value + ": '" + item + "' is not HOST:PORT" + accepted, e);
            }
            if (uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null
                    || uri.getUserInfo() != null) {
                throw new IllegalArgumentException(STORE + " = " + value + ": '" + item + "' is not HOST:PORT" + accepted);
            }
            int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
            endpoints.add(URI.create(scheme + "://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                    ? "[" + uri.getHost() + "]" : uri.getHost()) + ":" + port));
        }
        return endpoints;
    }

    /** An IP address literal (never a name: no DNS lookup at configuration time). */
    static InetAddress parseAddress(String text) {
        String accepted = ": give this host's underlay IP address, IPv4 like 10.0.0.11 or IPv6 like fd00::11 (not a host name,"
                + " not a wildcard or multicast address)";
        boolean literal;
        var v4 = IPV4.matcher(text);
        if (v4.matches()) {
            literal = true;
            for (int i = 1; i <= 4; i++) {
                literal &= Integer.parseInt(v4.group(i)) <= 255;
            }
        } else {
            literal = text.contains(":") && IPV6.matcher(text).matches();
        }
        if (!literal) {
            throw new IllegalArgumentException(ADVERTISE + " = " + text + " is not an IP address" + accepted);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ADVERTISE + " = " + text + " is not an IP address" + accepted, e);
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException(ADVERTISE + " = " + text + " cannot be reached by other hosts" + accepted);
        }
        return address;
    }

    static String normalisePrefix(String prefix) {
        String p = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : prefix.trim();
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        if (!p.endsWith("/")) {
            p = p + "/";
        }
        return p;
    }
}
