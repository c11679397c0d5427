package cn.tianfu.databus.security;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

import cn.tianfu.databus.DatabusException;

/**
 * Properties files holding secrets (client configs with passwords): written readable by their owner only (mode 600
 * where the file system has POSIX permissions), replaced atomically so a reader never sees half a file.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Makes {@code dir} a directory only its owner can read, write or enter (mode 700): creates it so when missing, and
     * takes every group and other permission away when it has any (the bus's data directories hold raw personal data and
     * credentials; files inside them are then out of other users' reach whatever their own modes). On a file system
     * without POSIX permissions it only creates the directory.
     *
     * @return true when an existing directory had to be tightened (the caller warns)
     * @throws DatabusException when the directory cannot be created or its permissions changed
     */
    public static boolean privateDirectory(Path dir) {
        try {
            if (!Files.exists(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(dir);
                    return false;
                }
                // createDirectories applies the umask: set the mode explicitly
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                return false;
            }
            java.util.Set<java.nio.file.attribute.PosixFilePermission> current;
            try {
                current = Files.getPosixFilePermissions(dir);
            } catch (UnsupportedOperationException notPosix) {
                return false;
            }
            if (current.equals(PosixFilePermissions.fromString("rwx------"))) {
                return false;
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return true;
        } catch (IOException e) {
            throw new DatabusException("cannot make " + dir + " private to its owner (mode 700): " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code properties} to {@code file} with mode 600, creating parent directories (mode 700 when new).
     *
     * @throws DatabusException when the file cannot be written
     */
    public static Path write(Path file, Properties properties, String comment) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.exists(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(dir);
                }
            }
            Path tmp;
            try {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                properties.store(w, comment);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new DatabusException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a properties file (UTF-8).
     *
     * @throws DatabusException when it cannot be read
     */
    public static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
