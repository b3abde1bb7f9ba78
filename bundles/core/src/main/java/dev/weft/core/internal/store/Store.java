package dev.weft.core.internal.store;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 */
public final class Store {
    private static final String SUFFIX = ".json";

    private final Path networks;
    private final Path sandboxes;
    private final Path endpoints;
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting()
            .registerTypeAdapter(Instant.class, (JsonSerializer<Instant>) (v, t, c) -> new JsonPrimitive(v.toString()))
            .registerTypeAdapter(Instant.class, (JsonDeserializer<Instant>) (j, t, c) -> Instant.parse(j.getAsString()))
            .create();

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
