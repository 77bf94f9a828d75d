package dev.fastvlm.emulator.fs;

import dev.fastvlm.emulator.adb.AdbStream;
import dev.fastvlm.emulator.adb.StreamHandler;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code sync:} service of AOSP's {@code SYNC.TXT}: STAT, LIST, SEND, RECV, QUIT and the
 * {@code stat_v2}/{@code ls_v2} variants (STA2, LST2, LIS2), over the sandbox.
 *
 * <p>Every path is walked from the device root without following symbolic links ({@link
 * DeviceFileSystem#openDirectory}): a link is listed and stat'ed as itself, never read, written or
 * entered, and a pull refuses regular files with more than one hard link. Only {@code /data}
 * (with the emulated storage) can be written, as on a phone.
 */
public final class SyncService implements StreamHandler {
    private static final int MAX_PATH = 1024;
    private static final int MAX_DATA = 64 * 1024;
    private static final int S_IFREG = 0100000;
    private static final int DATA = 0x41544144; // "DATA" little-endian
    private static final int SHELL_ID = 2000;
    /** The only top-level folder a push may write into (the rest of the device is read-only). */
    private static final String WRITABLE = "data";
    private static final String UNIX = "unix:*";
    private static final int S_IFLNK = 0120000;
    private static final int ENOENT = 2;

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
                case "STA2" -> stat2(out, "STA2", path);
                case "LST2" -> stat2(out, "LST2", path);
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
        Map<String, Object> a = attributes(path);
        if (a == null) {
            b.putInt(0).putInt(0).putInt(0);
        } else {
            b.putInt(mode(a)).putInt((int) size(a)).putInt(seconds(a, "lastModifiedTime"));
        }
        out.write(b.array());
    }

    /** STA2 and LST2 alike: links are never followed, so a link is reported as itself. */
    private void stat2(OutputStream out, String id, String path) throws IOException {
        ByteBuffer b = buffer(72).put(ascii(id));
        Map<String, Object> a = attributes(path);
        if (a == null) {
            b.putInt(ENOENT);
        } else {
            b.putInt(0);
            putStat2(b, a);
        }
        out.write(b.array());
    }

    private static void putStat2(ByteBuffer b, Map<String, Object> a) {
        b.putLong(0).putLong(((Number) a.get("ino")).longValue()).putInt(mode(a))
                .putInt(((Number) a.get("nlink")).intValue()).putInt(SHELL_ID).putInt(SHELL_ID).putLong(size(a))
                .putLong(seconds(a, "lastAccessTime")).putLong(seconds(a, "lastModifiedTime"))
                .putLong(seconds(a, "ctime"));
    }

    private void list(OutputStream out, String path, boolean v2) throws IOException {
        try (DeviceFileSystem.DeviceDirectory dir = fs.openDirectory(DeviceFileSystem.components(path), false);
             DirectoryStream<Path> entries = Files.newDirectoryStream(dir.path())) {
            for (Path entry : entries) {
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(entry, UNIX, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;
                }
                byte[] nameBytes = entry.getFileName().toString().getBytes(StandardCharsets.UTF_8);
                ByteBuffer b;
                if (v2) {
                    b = buffer(76 + nameBytes.length).put(ascii("DNT2")).putInt(0);
                    putStat2(b, a);
                } else {
                    b = buffer(20 + nameBytes.length).put(ascii("DENT")).putInt(mode(a)).putInt((int) size(a))
                            .putInt(seconds(a, "lastModifiedTime"));
                }
                b.putInt(nameBytes.length).put(nameBytes);
                out.write(b.array());
            }
        } catch (IOException e) {
            // a missing folder, or one reached through a link, lists as empty, as adbd lists what it cannot open
        }
        out.write(buffer(v2 ? 76 : 20).put(ascii("DONE")).array());
    }

    /**
     * Receives a file into a temporary file created (never opened through a link) in the target's
     * folder, opened by descriptor, then renamed over the name: a link at the name is replaced,
     * never written through.
     */
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
        DeviceFileSystem.DeviceDirectory dir = null;
        Path target = null;
        Path temp = null;
        FileChannel file = null;
        try {
            List<String> parts = DeviceFileSystem.components(path);
            if ((mode & 0170000) == S_IFLNK) {
                problem = "symbolic links cannot be pushed to the emulated device: " + path;
            } else if (parts.isEmpty() || !parts.get(0).equals(WRITABLE)) {
                problem = "couldn't create file: Read-only file system";
            } else {
                dir = fs.openDirectory(parts.subList(0, parts.size() - 1), true);
                target = dir.path().resolve(parts.get(parts.size() - 1));
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    problem = "couldn't create file: Is a directory";
                } else {
                    temp = dir.path().resolve(".sync-" + UUID.randomUUID() + ".tmp");
                    file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                }
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
                // through views that open the file with O_NOFOLLOW and change it by descriptor
                Files.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(permissions(mode));
                FileTime time = FileTime.fromMillis(mtime * 1000L);
                Files.getFileAttributeView(temp, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(time, null, null);
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
            if (dir != null) {
                dir.close();
            }
        }
    }

    /**
     * Sends a regular file opened without following links, refused when it has other hard links
     * (one made to a host file would otherwise carry it out) or changed while it was opened.
     */
    private void recv(OutputStream out, String path) throws IOException {
        List<String> parts;
        try {
            parts = DeviceFileSystem.components(path);
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            fail(out, e.getMessage());
            return;
        }
        if (parts.isEmpty()) {
            fail(out, "not a regular file: " + path);
            return;
        }
        DeviceFileSystem.DeviceDirectory dir;
        try {
            dir = fs.openDirectory(parts.subList(0, parts.size() - 1), false);
        } catch (NoSuchFileException e) {
            fail(out, "No such file or directory");
            return;
        } catch (IOException e) {
            fail(out, e.getMessage());
            return;
        }
        try (dir) {
            Path source = dir.path().resolve(parts.get(parts.size() - 1));
            Map<String, Object> before;
            try {
                before = Files.readAttributes(source, UNIX, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                fail(out, "No such file or directory");
                return;
            }
            String refused = refusal(path, before);
            if (refused != null) {
                fail(out, refused);
                return;
            }
            try (SeekableByteChannel file = Files.newByteChannel(source, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)) {
                Map<String, Object> after = Files.readAttributes(source, UNIX, LinkOption.NOFOLLOW_LINKS);
                if (!Objects.equals(before.get("fileKey"), after.get("fileKey")) || refusal(path, after) != null) {
                    fail(out, "file changed while it was opened: " + path);
                    return;
                }
                ByteBuffer message = ByteBuffer.allocate(8 + MAX_DATA).order(ByteOrder.LITTLE_ENDIAN);
                while (true) {
                    message.clear().position(8);
                    int n = 0;
                    while (message.hasRemaining()) {
                        int r = file.read(message);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    if (n == 0) {
                        break;
                    }
                    message.putInt(0, DATA).putInt(4, n);
                    out.write(message.array(), 0, 8 + n);
                    if (n < MAX_DATA) {
                        break;
                    }
                }
            }
        }
        out.write(buffer(8).put(ascii("DONE")).array());
    }

    /** Why a file with these attributes is not sent, or null. */
    private static String refusal(String path, Map<String, Object> a) {
        int type = mode(a) & 0170000;
        if (type == S_IFLNK) {
            return "refusing to follow a symbolic link: " + path;
        }
        if (type != S_IFREG) {
            return "not a regular file: " + path;
        }
        int links = ((Number) a.get("nlink")).intValue();
        if (links > 1) {
            return "refusing a file with " + links + " hard links: " + path;
        }
        return null;
    }

    /** The file's attributes, links not followed; null if it is missing or cannot be reached without a link. */
    private Map<String, Object> attributes(String path) {
        try {
            List<String> parts = DeviceFileSystem.components(path);
            if (parts.isEmpty()) {
                try (DeviceFileSystem.DeviceDirectory root = fs.openDirectory(parts, false)) {
                    return Files.readAttributes(root.path(), UNIX);
                }
            }
            try (DeviceFileSystem.DeviceDirectory dir = fs.openDirectory(parts.subList(0, parts.size() - 1), false)) {
                return Files.readAttributes(dir.path().resolve(parts.get(parts.size() - 1)), UNIX,
                        LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static int mode(Map<String, Object> a) {
        return ((Number) a.get("mode")).intValue();
    }

    private static long size(Map<String, Object> a) {
        return ((Number) a.get("size")).longValue();
    }

    private static int seconds(Map<String, Object> a, String name) {
        Object time = a.get(name);
        return time instanceof FileTime t ? (int) (t.toMillis() / 1000) : 0;
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
