package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.adb.AdbStream;
import dev.fastvlm.emulator.adb.StreamHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code shell:}, {@code exec:} and {@code shell,v2:} services. Without the shell protocol
 * the stream carries raw bytes (stdin in, stdout and stderr merged out); with it, packets of
 * {@code id, u32 length, data} as in adb's {@code shell_protocol.h}: stdin 0, stdout 1, stderr 2,
 * exit 3, close-stdin 4, window-size 5. Without a pty the window size is ignored.
 */
public final class ShellService implements StreamHandler {
    static final int ID_STDIN = 0;
    static final int ID_STDOUT = 1;
    static final int ID_STDERR = 2;
    static final int ID_EXIT = 3;
    static final int ID_CLOSE_STDIN = 4;
    private static final int MAX_PACKET_DATA = 64 * 1024;

    private final DeviceShell shell;
    private final String command;
    private final boolean shellProtocol;

    /**
     * A handler that runs one command.
     *
     * @param shell the device shell that starts the command
     * @param command the command line; empty for an interactive shell
     * @param shellProtocol {@code true} for {@code shell,v2} (stdout, stderr and exit code framed apart);
     *     {@code false} for raw output with stderr merged into stdout
     */
    public ShellService(DeviceShell shell, String command, boolean shellProtocol) {
        this.shell = shell;
        this.command = command;
        this.shellProtocol = shellProtocol;
    }

    @Override
    public void serve(AdbStream stream) throws Exception {
        Process process = shell.start(command, !shellProtocol);
        Thread stdin = daemon("stdin", () -> {
            try {
                if (shellProtocol) {
                    pumpStdinPackets(stream.input(), process);
                } else {
                    pumpRaw(stream.input(), process.getOutputStream());
                }
            } catch (IOException e) {
                // the process went away first; nothing left to feed
            }
            if (stream.isClosed() && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        });
        OutputStream out = stream.output();
        Thread stderr = null;
        if (shellProtocol) {
            stderr = daemon("stderr", () -> pumpPackets(process.getErrorStream(), out, ID_STDERR));
        }
        if (shellProtocol) {
            pumpPackets(process.getInputStream(), out, ID_STDOUT);
        } else {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[MAX_PACKET_DATA];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            }
        }
        int code = process.waitFor();
        if (stderr != null) {
            stderr.join();
        }
        if (shellProtocol) {
            synchronized (out) {
                out.write(packet(ID_EXIT, new byte[] {(byte) code}, 1));
            }
        }
        stdin.interrupt();
    }

    private static void pumpStdinPackets(InputStream in, Process process) throws IOException {
        OutputStream stdin = process.getOutputStream();
        byte[] header = new byte[5];
        while (in.readNBytes(header, 0, 5) == 5) {
            int length = ByteBuffer.wrap(header, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            byte[] data = in.readNBytes(length);
            switch (header[0]) {
                case ID_STDIN -> {
                    stdin.write(data);
                    stdin.flush();
                }
                case ID_CLOSE_STDIN -> stdin.close();
                default -> {
                    // window size changes and unknown ids do not apply without a pty
                }
            }
        }
        stdin.close();
    }

    private static void pumpRaw(InputStream in, OutputStream stdin) throws IOException {
        byte[] buffer = new byte[MAX_PACKET_DATA];
        int n;
        while ((n = in.read(buffer)) > 0) {
            stdin.write(buffer, 0, n);
            stdin.flush();
        }
        stdin.close();
    }

    private static void pumpPackets(InputStream from, OutputStream out, int id) {
        byte[] buffer = new byte[MAX_PACKET_DATA];
        try (from) {
            int n;
            while ((n = from.read(buffer)) > 0) {
                byte[] p = packet(id, buffer, n);
                synchronized (out) {
                    out.write(p);
                }
            }
        } catch (IOException e) {
            // the client went away; the process is stopped by the stdin pump
        }
    }

    private static byte[] packet(int id, byte[] data, int length) {
        return ByteBuffer.allocate(5 + length).order(ByteOrder.LITTLE_ENDIAN).put((byte) id).putInt(length)
                .put(data, 0, length).array();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "adbd-shell-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
