package dev.weft.core.internal.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Modes of what Weft keeps on disk: records are root's alone (directories 0700, files 0600); the
 * run directory Weft creates is 0711, so other users may pass through it (to a socket of a group
 * of theirs, such as a future Docker API socket) but not list it. A mode is given when a file or
 * directory is created, never widened after it: there is no moment in which others may read.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> RECORDS_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> RECORD_FILE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> RUN_DIRECTORY = PosixFilePermissions.fromString("rwx--x--x");

    private PrivateFiles() {
    }

    /** The attribute that creates a file with mode 0600 (the umask can only narrow it). */
    static FileAttribute<Set<PosixFilePermission>> recordFile() {
        return PosixFilePermissions.asFileAttribute(RECORD_FILE);
    }

    /**
     * Creates {@code dir} with exactly {@code mode} when it is missing (its parents as usual) and
     * returns true; leaves an existing directory as it is and returns false. Safe against another
     * component creating it at the same time (the local CLI makes the run directory too).
     */
    public static boolean createDirectory(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return false;
            }
            throw e;
        }
        Files.setPosixFilePermissions(dir, mode);    // exactly the mode: the umask may have narrowed it
        return true;
    }

    /**
     * A directory of records: created 0700, or, when an earlier version made it with a wider
     * mode, narrowed to 0700 with its files narrowed to 0600.
     */
    static void recordsDirectory(Path dir) throws IOException {
        if (createDirectory(dir, RECORDS_DIRECTORY)) {
            return;
        }
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(RECORDS_DIRECTORY)) {
            Files.setPosixFilePermissions(dir, RECORDS_DIRECTORY);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                    if (!RECORD_FILE.containsAll(mode)) {
                        mode.retainAll(RECORD_FILE);
                        Files.setPosixFilePermissions(file, mode);
                    }
                }
            }
        }
    }
}
