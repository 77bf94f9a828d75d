package dev.fastvlm.it;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.EmulatedDevice;
import dev.fastvlm.transport.Transport;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a new user does first: an emulated phone, attached to the adb server with {@code adb connect},
 * then the README's phone path, {@code AdbTransport.connect(serial)}, to describe an image. The adb
 * server is the one {@code ANDROID_ADB_SERVER_PORT} names (the CI script starts a private one).
 */
public final class ConsumerCheck {
    private static final String EXPECTED = "the image is red on the left and blue on the right";

    private ConsumerCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Files.createTempFile("fastvlm-consumer-", ".png");
        try {
            writeRedBlue(image);
            String serial;
            try (EmulatedDevice device = EmulatedDevice.start(ConsumerCheck::throughAdbServer);
                 FastVlm vlm = FastVlm.builder()
                         .device(device.transport())
                         .models(device.bundleDir())
                         .runtime(QairtRuntime.of(device.sdkDir()))
                         .build()) {
                Description d = vlm.describe(image, "What is in the image?");
                System.out.println("described through the adb server: " + d.text());
                if (!d.text().contains(EXPECTED)) {
                    throw new IllegalStateException("expected \"" + EXPECTED + "\" in the answer: " + d.text());
                }
                serial = device.serial();
            }
            adb(30, "disconnect", serial);
        } finally {
            Files.deleteIfExists(image);
        }
    }

    /**
     * The adb server connects with its own key, the user's {@code ~/.android/adbkey} (the CI script
     * makes that a private one), which the emulator lets in by default; the device's own key is not needed.
     */
    private static Transport throughAdbServer(String host, int port, Path unusedDeviceKey) throws IOException {
        String serial = host + ":" + port;
        String connected = adb(30, "connect", serial);
        if (!connected.contains("connected to")) {
            throw new IOException("adb connect " + serial + " said: " + connected);
        }
        adb(30, "-s", serial, "wait-for-device");
        return AdbTransport.connect(serial);
    }

    private static String adb(long seconds, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("adb"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("fastvlm-consumer-adb-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running adb", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void writeRedBlue(Path file) throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 32, 64);
        g.setColor(Color.BLUE);
        g.fillRect(32, 0, 32, 64);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
