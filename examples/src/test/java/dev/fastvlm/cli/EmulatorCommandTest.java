package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EmulatorCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cli = FastVlmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    @Test
    void bundleWritesTheSeedsFilesAtTheGivenWidth(@TempDir Path dir) throws Exception {
        assertThat(cli().execute("emulator", "bundle", "--out", dir.toString(), "--width", "8")).isZero();
        assertThat(dir.resolve("LUT.bin")).hasSize(151936L * 8 * 4);
        for (String f : new String[] {"fastvlm_vision_encoder_int8_htp.bin", "fastvlm_vision_encoder_int8_htp.json",
                "fastvlm_embed_tokens_fp16_htp.bin", "fastvlm_model_z8.bin", "tokenizer.json",
                "tokenizer_config.json", "config.json"}) {
            assertThat(dir.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"hidden_size\" : 8");
        assertThat(out.toString()).contains("emulated FastVLM bundle")
                .contains("pass it as --model-dir " + dir.toAbsolutePath());
    }

    @Test
    void sdkWritesTheRealLayout(@TempDir Path dir) {
        assertThat(cli().execute("emulator", "sdk", "--out", dir.toString())).isZero();
        assertThat(dir.resolve("bin/aarch64-android/genie-t2t-run")).isExecutable();
        assertThat(dir.resolve("bin/aarch64-android/qnn-net-run")).isExecutable();
        assertThat(dir.resolve("bin/x86_64-linux-clang/qnn-context-binary-utility")).isExecutable();
        assertThat(dir.resolve("lib/aarch64-android/libGenie.so")).content().contains("EMULATED PLACEHOLDER");
        assertThat(dir.resolve("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so")).isRegularFile();
        assertThat(out.toString()).contains("pass it as --sdk " + dir.toAbsolutePath());
    }

    @Test
    void unknownSocIsOneLineError() {
        assertThat(cli().execute("emulator", "--soc", "SM0000", "--port", "0")).isEqualTo(1);
        assertThat(err.toString()).startsWith("fastvlm emulator: unknown SoC SM0000").hasLineCount(1);
    }

    @Test
    void runsInTheForegroundAndPrintsItsSerial(@TempDir Path dir) throws Exception {
        AtomicInteger exit = new AtomicInteger(-1);
        Thread runner = new Thread(() -> exit.set(cli().execute("emulator", "--port", "0", "--soc", "sm8550",
                "--sandbox", dir.toString())));
        runner.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!out.toString().contains("\n") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        String serial = out.toString().lines().findFirst().orElseThrow();
        assertThat(serial).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(out.toString()).contains("\n  adb connect " + serial + "\n")
                .contains("its files are in " + dir.toAbsolutePath())
                .contains("fastvlm emulator bundle --out fastvlm-bundle --width 112")
                .contains("fastvlm emulator sdk --out fastvlm-sdk")
                .contains("fastvlm describe --device " + serial + " --model-dir fastvlm-bundle --sdk fastvlm-sdk");
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(serial.substring(serial.indexOf(':') + 1)))) {
            assertThat(s.isConnected()).isTrue();
        }
        assertThat(dir.resolve("system/build.prop")).content().contains("ro.soc.model=SM8550");
        runner.interrupt();
        runner.join(10_000);
        assertThat(exit.get()).isZero();
    }
}
