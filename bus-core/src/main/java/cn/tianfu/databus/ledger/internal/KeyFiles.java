package cn.tianfu.databus.ledger.internal;

import cn.tianfu.databus.ledger.LedgerException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Files under {@code <dataDir>/keys/}: the directory is owner-only, secrets are mode 600, public files 644. */
public final class KeyFiles {

    /** Sub-directory of the data directory that holds the ledger's keys. */
    public static final String KEYS_DIR = "keys";

    private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private KeyFiles() {
    }

    /** {@code <dataDir>/keys}, created owner-only if absent. */
    public static Path keysDir(Path dataDir) {
        Path dir = dataDir.resolve(KEYS_DIR);
        try {
            if (!Files.isDirectory(dir)) {
                if (posix(dataDir.toAbsolutePath().getRoot())) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new LedgerException("Cannot create the key directory " + dir + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
    }

    /** Reads a key file, warning when a secret is readable by others. */
    public static byte[] read(Path file, boolean secret) {
        try {
            if (secret && posix(file)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!SECRET.containsAll(perms)) {
                    LOG.warn("Key file {} has permissions {}; it should be readable by its owner only (chmod 600)",
                            file, PosixFilePermissions.toString(perms));
                }
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LedgerException("Cannot read the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a key file through a temporary file and a rename, mode 600 for a secret, 644 otherwise.
     *
     * @param replace whether to replace an existing file; when false and the file appeared meanwhile, the existing
     *                file is kept and false returned
     */
    public static boolean write(Path file, byte[] content, boolean secret, boolean replace) {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            boolean posix = posix(dir);
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(secret ? SECRET : PUBLIC)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp", attrs);
            if (!posix) {
                restrictWithoutPosix(tmp, secret);
            }
            Files.write(tmp, content);
            try {
                if (replace) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.move(tmp, file);
                }
            } catch (FileAlreadyExistsException e) {
                return false;
            }
            tmp = null;
            return true;
        } catch (IOException e) {
            throw new LedgerException("Cannot write the key file " + file + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static boolean posix(Path p) {
        return p != null && Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
    }

    private static void restrictWithoutPosix(Path file, boolean secret) {
        java.io.File f = file.toFile();
        if (secret) {
            f.setReadable(false, false);
            f.setWritable(false, false);
            f.setReadable(true, true);
            f.setWritable(true, true);
        }
    }
}
