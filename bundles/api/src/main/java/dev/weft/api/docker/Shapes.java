package dev.weft.api.docker;

import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The conventions of Docker's JSON that the shapes share. */
final class Shapes {
    private Shapes() {}

    /** An ordered object. */
    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** A string map as an object with sorted keys (Go's encoder sorts map keys). */
    static Map<String, Object> sorted(Map<String, String> map) {
        return new LinkedHashMap<>(new TreeMap<>(map));
    }

    /** A string map as an object with sorted keys, or null when empty (Go's nil map). */
    static Map<String, Object> sortedOrNull(Map<String, String> map) {
        return map.isEmpty() ? null : sorted(map);
    }

    static List<Object> list(Collection<?> values) {
        return new ArrayList<>(values);
    }

    /** A list, or null when empty (Go's nil slice). */
    static List<Object> listOrNull(Collection<?> values) {
        return values.isEmpty() ? null : list(values);
    }

    /** RFC 3339 in UTC with the nanoseconds there are, "" for none. */
    static String time(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** An address as text, or "" for none (Docker's empty-string convention). */
    static String address(InetAddress a) {
        return a == null ? "" : IpAddresses.format(a);
    }

    /** toString(), or "" for null. */
    static String string(Object o) {
        return o == null ? "" : o.toString();
    }
}
