package dev.weft.core.internal.store;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.spi.PoolId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The controller's records as JSON files, one per object: networks in the state directory (they
 * survive a reboot), sandboxes and endpoints in the runtime directory (on tmpfs, gone with the
 * namespaces they describe). Every write is atomic (a temporary file, then rename), so a crash of
 * the process never leaves a torn record. Network records are also made durable (fsync of the file
 * and of the directory): they must survive a power loss. Sandbox and endpoint records are not
 * fsync'd: they describe namespaces that a power loss or reboot destroys anyway, the runtime
 * directory is tmpfs in production, and an fsync on the user's path costs milliseconds on a disk.
 * A file that cannot be read is reported and skipped, never fatal. Records are root's alone:
 * directories 0700, files 0600 ({@link PrivateFiles}).
 *
 * <p>Records hold typed values (prefixes, addresses, MACs, pool ids, paths); in the files each is
 * the text its type prints and parses ({@code "10.1.0.0/24"}, {@code "02:42:0a:01:00:02"}), as
 * records have been written from the start. The text is parsed here, once, when a record is read,
 * and printed here when it is written; a value that does not parse makes its file unreadable
 * (reported and skipped) rather than failing later in an operation.
 */
public final class Store {
    private static final String SUFFIX = ".json";

    private final Path networks;
    private final Path sandboxes;
    private final Path endpoints;
    private final Gson gson = GSON;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting()
            .registerTypeAdapter(Instant.class, text(Instant::toString, Instant::parse))
            .registerTypeAdapter(IpPrefix.class, text(IpPrefix::toString, IpPrefix::parse))
            .registerTypeAdapter(InterfaceAddress.class, text(InterfaceAddress::toString, InterfaceAddress::parse))
            .registerTypeAdapter(MacAddress.class, text(MacAddress::toString, MacAddress::parse))
            .registerTypeAdapter(PoolId.class, text(PoolId::value, PoolId::parse))
            // hierarchies: the values are Inet4Address/Inet6Address and the platform's Path
            .registerTypeHierarchyAdapter(InetAddress.class, text(Store::formatScoped, Store::parseScoped))
            .registerTypeHierarchyAdapter(Path.class, text(Path::toString, Path::of))
            .create();

    /** An address as text, a link-local IPv6 one with its numeric scope ({@code fe80::1%2}). */
    static String formatScoped(InetAddress a) {
        return a instanceof java.net.Inet6Address v6 && v6.getScopeId() != 0
                ? IpAddresses.format(a) + "%" + v6.getScopeId() : IpAddresses.format(a);
    }

    static InetAddress parseScoped(String text) {
        return IpAddresses.parseScoped(text, name -> {
            throw new IllegalArgumentException("\"" + text + "\": records keep numeric scopes");
        });
    }

    /** A value kept in the files as one JSON string: printed by {@code print}, parsed by {@code parse}. */
    private static <T> TypeAdapter<T> text(Function<T, String> print, Function<String, T> parse) {
        return new TypeAdapter<T>() {
            @Override
            public void write(JsonWriter out, T value) throws IOException {
                out.value(print.apply(value));
            }

            @Override
            public T read(JsonReader in) throws IOException {
                String s = in.nextString();
                try {
                    return parse.apply(s);
                } catch (RuntimeException e) { // IllegalArgumentException, DateTimeParseException, …
                    throw new JsonParseException(e.getMessage() + " at " + in.getPreviousPath(), e);
                }
            }
        }.nullSafe();
    }

    /**
     * Opens the records under {@code stateDir} and {@code runDir}. A missing state directory is
     * created 0700, a missing run directory 0711 (see {@link PrivateFiles}); existing ones are
     * left as they are. The records directories are created 0700, or narrowed to 0700 (their
     * files to 0600) when an earlier version made them readable by others.
     */
    public Store(Path stateDir, Path runDir) {
        this.networks = stateDir.resolve("networks");
        this.sandboxes = runDir.resolve("sandboxes");
        this.endpoints = runDir.resolve("endpoints");
        Path current = stateDir;
        try {
            PrivateFiles.createDirectory(stateDir, PrivateFiles.RECORDS_DIRECTORY);
            current = runDir;
            PrivateFiles.createDirectory(runDir, PrivateFiles.RUN_DIRECTORY);
            for (Path d : List.of(networks, sandboxes, endpoints)) {
                current = d;
                PrivateFiles.recordsDirectory(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + current + ": " + e.getMessage(), e);
        }
    }

    /** A network record as the text of its file (the shape global networks have in the cluster store). */
    public static String json(NetworkRecord r) {
        return GSON.toJson(r);
    }

    /** A network record from the text of a file. */
    public static NetworkRecord network(String json) {
        return GSON.fromJson(json, NetworkRecord.class);
    }

    public void put(NetworkRecord r) {
        write(networks, r.id(), r, true);
    }

    public void put(SandboxRecord r) {
        write(sandboxes, r.id(), r, false);
    }

    public void put(EndpointRecord r) {
        write(endpoints, r.id(), r, false);
    }

    public void deleteNetwork(String id) {
        delete(networks, id, true);
    }

    public void deleteSandbox(String id) {
        delete(sandboxes, id, false);
    }

    public void deleteEndpoint(String id) {
        delete(endpoints, id, false);
    }

    public List<NetworkRecord> networks(Consumer<String> problems) {
        return readAll(networks, NetworkRecord.class, problems);
    }

    public List<SandboxRecord> sandboxes(Consumer<String> problems) {
        return readAll(sandboxes, SandboxRecord.class, problems);
    }

    public List<EndpointRecord> endpoints(Consumer<String> problems) {
        return readAll(endpoints, EndpointRecord.class, problems);
    }

    private void write(Path dir, String id, Object record, boolean durable) {
        Path target = dir.resolve(id + SUFFIX);
        Path tmp = dir.resolve("." + id + SUFFIX + ".tmp");
        byte[] bytes = gson.toJson(record).getBytes(StandardCharsets.UTF_8);
        try {
            // Created with mode 0600 before a byte is written: a temporary file left by a crash
            // (or by an earlier version, with another mode) is replaced, not reused.
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PrivateFiles.recordFile())) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (durable) {
                syncDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    private static void delete(Path dir, String id, boolean durable) {
        try {
            Files.deleteIfExists(dir.resolve(id + SUFFIX));
            if (durable) {
                syncDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir.resolve(id + SUFFIX) + ": " + e.getMessage(), e);
        }
    }

    private <T> List<T> readAll(Path dir, Class<T> type, Consumer<String> problems) {
        List<T> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                try {
                    T r = gson.fromJson(Files.readString(p, StandardCharsets.UTF_8), type);
                    if (r == null) {
                        problems.accept("skipping empty record " + p);
                    } else {
                        out.add(r);
                    }
                } catch (IOException | JsonParseException e) {
                    problems.accept("skipping unreadable record " + p + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }
}
