package dev.weft.driver.cni;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.weft.api.PortBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the driver keeps on disk, libcni's result cache in Weft's shape, under the state directory
 * ({@code cni.stateDir}): per network {@code NETID/conflist.json} (the conflist as created, so a
 * restart does not depend on the file), {@code NETID/links} (host links that appeared during this
 * network's ADDs: what {@code network:remove} may delete) and {@code NETID/endpoints/EPID.json}, one
 * attachment: written before ADD runs (a crash mid-ADD leaves an entry for the DEL or GC at the next
 * start) and again with the final result; deleted after a DEL that succeeded.
 */
final class Attachments {
    private static final Gson GSON = new Gson();

    /** One attachment; {@code result} null until ADD completed. */
    record Attachment(String endpointId, String containerId, String netns, String ifname, JsonObject result,
                      List<PortBinding> ports) {
        Attachment withResult(JsonObject r) {
            return new Attachment(endpointId, containerId, netns, ifname, r, ports);
        }

        Attachment withPorts(List<PortBinding> p) {
            return new Attachment(endpointId, containerId, netns, ifname, result, p);
        }
    }

    private final Path root;

    Attachments(Path root) {
        this.root = root;
    }

    Path network(String networkId) {
        return root.resolve(networkId);
    }

    synchronized void saveConflist(String networkId, String json) {
        write(network(networkId).resolve("conflist.json"), json);
    }

    synchronized String conflist(String networkId) {
        Path p = network(networkId).resolve("conflist.json");
        try {
            return Files.exists(p) ? Files.readString(p) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void save(String networkId, Attachment a) {
        write(network(networkId).resolve("endpoints").resolve(a.endpointId() + ".json"), GSON.toJson(a));
    }

    synchronized Attachment load(String networkId, String endpointId) {
        Path p = network(networkId).resolve("endpoints").resolve(endpointId + ".json");
        try {
            return Files.exists(p) ? GSON.fromJson(Files.readString(p), Attachment.class) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized List<Attachment> all(String networkId) {
        Path dir = network(networkId).resolve("endpoints");
        List<Attachment> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                if (p.toString().endsWith(".json")) {
                    out.add(GSON.fromJson(Files.readString(p), Attachment.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    synchronized void remove(String networkId, String endpointId) {
        try {
            Files.deleteIfExists(network(networkId).resolve("endpoints").resolve(endpointId + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void addLinks(String networkId, Set<String> names) {
        if (names.isEmpty()) {
            return;
        }
        Set<String> all = new LinkedHashSet<>(links(networkId));
        if (all.addAll(names)) {
            write(network(networkId).resolve("links"), String.join("\n", all) + "\n");
        }
    }

    synchronized List<String> links(String networkId) {
        Path p = network(networkId).resolve("links");
        try {
            return Files.exists(p) ? Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids of the networks with state here. */
    synchronized List<String> networks() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void removeNetwork(String networkId) {
        Path dir = network(networkId);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
