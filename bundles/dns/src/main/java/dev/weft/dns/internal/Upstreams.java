package dev.weft.dns.internal;

import dev.weft.net.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host namespace's resolvers, as its resolv.conf lists them ({@code nameserver} lines, loopback
 * ones included: forwards leave from the host namespace). The file is looked at again (modification
 * time, size, file key) at most every 200 ms, on the query path, and re-read when it changed, so an
 * edit by NetworkManager or systemd-resolved is followed within that time without a watcher thread.
 */
public final class Upstreams {
    private static final Logger LOG = Logger.getLogger(Upstreams.class.getName());
    private static final long CHECK_NANOS = 200_000_000L;
    /** libc reads at most 3 nameserver lines (MAXNS). */
    public static final int MAX = 3;

    private final Path file;
    private final Function<String, Integer> interfaceIndex;
    private volatile Snapshot snapshot = new Snapshot(null, List.of(), Long.MIN_VALUE);

    private record Snapshot(Object stamp, List<InetSocketAddress> servers, long checkedAt) {}

    /**
     * @param file           the host namespace's resolv.conf
     * @param interfaceIndex the index of a host-namespace interface by name, for scoped IPv6
     *                       upstreams such as {@code fe80::1%eth0} (the JVM's own namespace may be
     *                       another); throws when there is none
     */
    public Upstreams(Path file, Function<String, Integer> interfaceIndex) {
        this.file = file;
        this.interfaceIndex = interfaceIndex;
    }

    /** The servers now, without any of {@code own} (the server's own listen addresses: no loops). */
    public List<InetSocketAddress> current(Set<NameTable.Key> own) {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (now - s.checkedAt() > CHECK_NANOS || s.checkedAt() == Long.MIN_VALUE) {
            s = refresh(s, now);
        }
        List<InetSocketAddress> out = new ArrayList<>(s.servers().size());
        for (InetSocketAddress a : s.servers()) {
            if (!own.contains(NameTable.Key.of(a.getAddress()))) {
                out.add(a);
            }
        }
        return out;
    }

    private synchronized Snapshot refresh(Snapshot seen, long now) {
        Snapshot s = snapshot;
        if (s != seen) {
            return s; // another thread refreshed meanwhile
        }
        Object stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            stamp = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            stamp = "absent";
        } catch (IOException e) {
            stamp = "unreadable";
        }
        List<InetSocketAddress> servers = stamp.equals(s.stamp()) ? s.servers() : read();
        snapshot = new Snapshot(stamp, servers, now);
        return snapshot;
    }

    private List<InetSocketAddress> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the host's resolvers from " + file + ": " + e.getMessage()
                    + "; names outside Weft's are not forwarded until it is readable");
            return List.of();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver") && out.size() < MAX) {
                InetAddress a = parse(f[1]);
                if (a != null) {
                    out.add(new InetSocketAddress(a, 53));
                }
            }
        }
        return List.copyOf(out);
    }

    /** An address literal, with its scope ({@code %eth0} or {@code %2}) resolved in the host namespace. */
    InetAddress parse(String text) {
        try {
            return IpAddresses.parseScoped(text, interfaceIndex::apply);
        } catch (RuntimeException e) {
            LOG.warning(file + ": nameserver " + text + " cannot be used (" + e.getMessage() + "); skipped");
            return null;
        }
    }
}
