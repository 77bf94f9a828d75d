package dev.fastvlm.emulator.fs;

import dev.fastvlm.emulator.adb.AdbStream;
import dev.fastvlm.emulator.adb.StreamHandler;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code sync:} service of AOSP's {@code SYNC.TXT}: STAT, LIST, SEND, RECV, QUIT and the
 * {@code stat_v2}/{@code ls_v2} variants (STA2, LST2, LIS2), over the sandbox.
 */
public final class SyncService implements StreamHandler {
    private static final int MAX_PATH = 1024;
    private static final int MAX_DATA = 64 * 1024;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;

    private final DeviceFileSystem fs;
    private final AtomicLong diskBytesLeft;

    /**
     * @param diskBytesLeft bytes SEND may still write before the device reports a full disk
     *                      (shared by all sessions; {@code Long.MAX_VALUE} for no limit)
     * @param fs the device's storage
     */
    public SyncService(DeviceFileSystem fs, AtomicLong diskBytesLeft) {
        this.fs = fs;
        this.diskBytesLeft = diskBytesLeft;
    }

    @Override
    public void serve(AdbStream stream) throws IOException {
        InputStream in = stream.input();
        OutputStream out = stream.output();
        byte[] header = new byte[8];
        while (readFully(in, header, true)) {
            String id = new String(header, 0, 4, StandardCharsets.US_ASCII);
            int length = le(header, 4);
            if (id.equals("QUIT")) {
                return;
            }
            if (length < 0 || length > MAX_PATH) {
                fail(out, "path too long: " + Integer.toUnsignedString(length));
                return;
            }
            byte[] pathBytes = new byte[length];
            readFully(in, pathBytes, false);
            String path = new String(pathBytes, StandardCharsets.UTF_8);
            switch (id) {
                case "STAT" -> stat(out, path);
                case "STA2" -> stat2(out, "STA2", path, true);
                case "LST2" -> stat2(out, "LST2", path, false);
                case "LIST" -> list(out, path, false);
                case "LIS2" -> list(out, path, true);
                case "SEND" -> send(in, out, path);
                case "RECV" -> recv(out, path);
                default -> {
                    fail(out, "unknown sync request " + id);
                    return;
                }
            }
        }
    }

    private void stat(OutputStream out, String path) throws IOException {
        ByteBuffer b = buffer(16).put(ascii("STAT"));
        BasicFileAttributes a = attributes(path, true);
        if (a == null) {
            b.putInt(0).putInt(0).putInt(0);
        } else {
            b.putInt(mode(path, a)).putInt((int) a.size()).putInt(seconds(a.lastModifiedTime()));
        }
        out.write(b.array());
    }

    private void stat2(OutputStream out, String id, String path, boolean follow) throws IOException {
        ByteBuffer b = buffer(72).put(ascii(id));
        BasicFileAttributes a = attributes(path, follow);
        if (a == null) {
            b.putInt(ENOENT);
        } else {
            b.putInt(0);
            putStat2(b, path, a);
        }
        out.write(b.array());
    }

    private void putStat2(ByteBuffer b, String path, BasicFileAttributes a) {
        long ino = a.fileKey() == null ? 0 : a.fileKey().hashCode() & 0xffffffffL;
        b.putLong(0).putLong(ino).putInt(mode(path, a)).putInt(1).putInt(2000).putInt(2000).putLong(a.size())
                .putLong(seconds(a.lastAccessTime())).putLong(seconds(a.lastModifiedTime()))
                .putLong(seconds(a.lastModifiedTime()));
    }

    private void list(OutputStream out, String path, boolean v2) throws IOException {
        Path dir = resolveOrNull(path);
        if (dir != null && Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    String childPath = path.endsWith("/") ? path + name : path + "/" + name;
                    BasicFileAttributes a = attributes(childPath, false);
                    if (a == null) {
                        continue;
                    }
                    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
                    ByteBuffer b;
                    if (v2) {
                        b = buffer(76 + nameBytes.length).put(ascii("DNT2")).putInt(0);
                        putStat2(b, childPath, a);
                    } else {
                        b = buffer(20 + nameBytes.length).put(ascii("DENT")).putInt(mode(childPath, a))
                                .putInt((int) a.size()).putInt(seconds(a.lastModifiedTime()));
                    }
                    b.putInt(nameBytes.length).put(nameBytes);
                    out.write(b.array());
                }
            }
        }
        out.write(buffer(v2 ? 76 : 20).put(ascii("DONE")).array());
    }

    private void send(InputStream in, OutputStream out, String spec) throws IOException {
        int comma = spec.lastIndexOf(',');
        String path = comma < 0 ? spec : spec.substring(0, comma);
        int mode;
        try {
            mode = comma < 0 ? 0644 : Integer.parseInt(spec.substring(comma + 1));
        } catch (NumberFormatException e) {
            mode = 0644;
        }
        String problem = null;
        Path target = null;
        Path temp = null;
        FileChannel file = null;
        try {
            target = fs.resolve(path);
            if ((mode & 0170000) == S_IFLNK) {
                problem = "symbolic links cannot be pushed to the emulated device: " + path;
            } else if (Files.isDirectory(target)) {
                problem = "couldn't create file: Is a directory";
            } else {
                Files.createDirectories(target.getParent());
                temp = Files.createTempFile(target.getParent(), ".sync-", ".tmp");
                file = FileChannel.open(temp, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            problem = "couldn't create file: " + e.getMessage();
        }
        byte[] header = new byte[8];
        byte[] data = new byte[MAX_DATA];
        int mtime = 0;
        try {
            while (true) {
                readFully(in, header, false);
                String id = new String(header, 0, 4, StandardCharsets.US_ASCII);
                int length = le(header, 4);
                if (id.equals("DONE")) {
                    mtime = length;
                    break;
                }
                if (!id.equals("DATA") || length < 0 || length > MAX_DATA) {
                    throw new IOException("bad sync data packet " + id + " of " + Integer.toUnsignedString(length)
                            + " bytes");
                }
                readFully(in, data, 0, length);
                if (file != null && problem == null) {
                    if (diskBytesLeft.addAndGet(-length) < 0) {
                        diskBytesLeft.addAndGet(length);
                        problem = "write failed: No space left on device";
                    } else {
                        ByteBuffer chunk = ByteBuffer.wrap(data, 0, length);
                        while (chunk.hasRemaining()) {
                            file.write(chunk);
                        }
                    }
                }
            }
            if (file != null) {
                file.close();
                file = null;
            }
            if (problem == null) {
                Files.setPosixFilePermissions(temp, permissions(mode));
                Files.setLastModifiedTime(temp, FileTime.fromMillis(mtime * 1000L));
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
                out.write(buffer(8).put(ascii("OKAY")).array());
            } else {
                fail(out, problem);
            }
        } finally {
            if (file != null) {
                file.close();
            }
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private void recv(OutputStream out, String path) throws IOException {
        Path source;
        try {
            source = fs.resolve(path);
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            fail(out, e.getMessage());
            return;
        }
        if (!Files.isRegularFile(source)) {
            fail(out, Files.exists(source) ? "not a regular file: " + path : "No such file or directory");
            return;
        }
        try (InputStream file = Files.newInputStream(source)) {
            byte[] message = new byte[8 + MAX_DATA];
            int n;
            while ((n = file.readNBytes(message, 8, MAX_DATA)) > 0) {
                ByteBuffer.wrap(message, 0, 8).order(ByteOrder.LITTLE_ENDIAN).put(ascii("DATA")).putInt(n);
                out.write(message, 0, 8 + n);
                if (n < MAX_DATA) {
                    break;
                }
            }
        }
        out.write(buffer(8).put(ascii("DONE")).array());
    }

    private BasicFileAttributes attributes(String path, boolean follow) {
        Path p = resolveOrNull(path);
        if (p == null) {
            return null;
        }
        try {
            return follow ? Files.readAttributes(p, BasicFileAttributes.class)
                    : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private Path resolveOrNull(String path) {
        try {
            return fs.resolve(path);
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            return null;
        }
    }

    private int mode(String path, BasicFileAttributes a) {
        int type = a.isDirectory() ? S_IFDIR : a.isSymbolicLink() ? S_IFLNK : S_IFREG;
        int perms = 0644;
        Path p = resolveOrNull(path);
        if (p != null) {
            try {
                perms = 0;
                for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
                    perms |= 1 << (8 - perm.ordinal());
                }
            } catch (IOException | UnsupportedOperationException e) {
                perms = a.isDirectory() ? 0755 : 0644;
            }
        }
        return type | perms;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        set.add(PosixFilePermission.OWNER_READ);
        set.add(PosixFilePermission.OWNER_WRITE);
        return set;
    }

    private static void fail(OutputStream out, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        out.write(buffer(8 + m.length).put(ascii("FAIL")).putInt(m.length).put(m).array());
    }

    private static int seconds(FileTime t) {
        return (int) (t.toMillis() / 1000);
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int le(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static boolean readFully(InputStream in, byte[] b, boolean eofAllowed) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        if (n == 0 && eofAllowed) {
            return false;
        }
        if (n < b.length) {
            throw new EOFException("sync stream ended early");
        }
        return true;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        if (in.readNBytes(b, off, len) < len) {
            throw new EOFException("sync stream ended early");
        }
    }

}
