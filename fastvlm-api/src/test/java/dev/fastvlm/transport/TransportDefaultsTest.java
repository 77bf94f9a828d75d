package dev.fastvlm.transport;

import dev.fastvlm.FastVlmException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a transport gets for free: {@link Transport#read} through its own {@link Transport#pull}. */
class TransportDefaultsTest {

    /** Only pull is real: device files are a map. */
    private static final class PullOnly implements Transport {
        private final Map<String, byte[]> files;

        PullOnly(Map<String, byte[]> files) {
            this.files = files;
        }

        @Override
        public String target() {
            return "pull-only";
        }

        @Override
        public void writeAll(List<Upload> uploads, TransferListener progress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void pull(String devicePath, Path hostFile, TransferListener progress) {
            byte[] content = files.get(devicePath);
            if (content == null) {
                throw new FastVlmException("no file " + devicePath);
            }
            try {
                Files.write(hostFile, content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public CommandResult run(DeviceCommand command, OutputListener output) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private static long temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("fastvlm-read-")).count();
        }
    }

    @Test
    void readPullsThroughATemporaryFileThatIsRemovedAfterwards() throws IOException {
        long before = temporaryFiles();
        Transport device = new PullOnly(Map.of("/data/out.raw", new byte[] {4, 5, 6}));
        assertThat(device.read("/data/out.raw", 3)).containsExactly(4, 5, 6);
        assertThatThrownBy(() -> device.read("/data/out.raw", 2))
                .isInstanceOf(FastVlmException.class)
                .hasMessageContaining("/data/out.raw on pull-only holds 3 bytes, more than the 2 expected");
        assertThatThrownBy(() -> device.read("/data/none", 2)).hasMessageContaining("no file /data/none");
        assertThat(temporaryFiles()).isEqualTo(before);
    }
}
