package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbMessage;

import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.TestAdbKey;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What one host can make the emulator hold: streams, processes, unread bytes, and memory after it leaves. */
class AdbLimitsTest {
    private static final Path KEY = TestAdbKey.shared().privateKey();

    @Test
    void anOpenBeyondTheStreamLimitOfAConnectionIsRefused() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().maxStreamsPerConnection(4).build());
             RawAdbClient client = new RawAdbClient(device.port())) {
            client.authenticate(KEY);
            List<Integer> ids = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                ids.add(client.open(i, "sync:"));
            }
            assertThat(ids).allSatisfy(id -> assertThat(id).isPositive());
            assertThat(client.open(5, "sync:")).as("the fifth stream").isEqualTo(-1);
            client.send(AdbMessage.CLSE, 1, ids.get(0), new byte[0]);
            assertThat(client.open(6, "sync:")).as("a stream after one closed").isPositive();
        }
    }

    @Test
    void processServicesAreBoundedOverAllConnections() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().maxProcesses(3).build());
             RawAdbClient a = new RawAdbClient(device.port());
             RawAdbClient b = new RawAdbClient(device.port())) {
            a.authenticate(KEY);
            b.authenticate(KEY);
            int first = a.open(1, "shell:");
            assertThat(first).isPositive();
            assertThat(a.open(2, "shell:")).isPositive();
            assertThat(b.open(1, "shell:")).isPositive();
            assertThat(b.open(2, "shell:")).as("a fourth shell, on the other connection").isEqualTo(-1);
            assertThat(b.open(3, "exec:true")).as("exec: counts too").isEqualTo(-1);
            assertThat(b.open(4, "sync:")).as("sync runs no process").isPositive();

            a.send(AdbMessage.CLSE, 1, first, new byte[0]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int localId = 10;
            while (b.open(localId, "shell:") < 0) {
                assertThat(System.nanoTime()).as("a slot is freed once the closed shell ended").isLessThan(deadline);
                Thread.sleep(100);
                localId++;
            }
        }
    }

    @Test
    void aHostThatWritesWithoutWaitingForOkayGetsThatStreamClosedAndTheOthersServed() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             RawAdbClient client = new RawAdbClient(device.port())) {
            client.authenticate(KEY);
            int stuck = client.open(1, "shell:sleep 20");
            assertThat(stuck).isPositive();
            assertThat(client.readWithin(500)).as("the shell runs and says nothing").isNull();
            Messages messages = Messages.readBy(client);
            long sent = flood(client, 1, stuck, new byte[64 * 1024], 64L << 20, messages);
            assertThat(sent).as("bytes sent before the device closed the stream").isLessThan(64L << 20);

            client.send(AdbMessage.OPEN, 2, 0, "shell:echo served\0".getBytes(StandardCharsets.UTF_8));
            assertThat(messages.textOf(2)).isEqualTo("served\n");
        }
    }

    @Test
    void aFloodOfEmptyWritesIsCaughtToo() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             RawAdbClient client = new RawAdbClient(device.port())) {
            client.authenticate(KEY);
            int stuck = client.open(1, "shell:sleep 20");
            assertThat(stuck).isPositive();
            Messages messages = Messages.readBy(client);
            long sent = flood(client, 1, stuck, new byte[0], 100_000, messages);
            assertThat(sent).as("empty messages sent before the device closed the stream").isLessThan(100_000);
        }
    }

    @Test
    void okaysSentAheadOpenAWindowOfOneMessageOnly() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             RawAdbClient client = new RawAdbClient(device.port())) {
            Files.write(device.sandbox().resolve("data/local/tmp/big.bin"), new byte[1 << 20]);
            AdbMessage token = client.connect(4096);
            client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, RawAdbClient.sign(KEY, token.payload()));
            assertThat(client.read().command()).isEqualTo(AdbMessage.CNXN);
            int sync = client.open(1, "sync:");
            for (int i = 0; i < 100_000; i++) {
                client.queue(AdbMessage.OKAY, 1, sync, new byte[0]);
            }
            byte[] path = "/data/local/tmp/big.bin".getBytes(StandardCharsets.UTF_8);
            byte[] recv = ByteBuffer.allocate(8 + path.length).order(ByteOrder.LITTLE_ENDIAN)
                    .put("RECV".getBytes(StandardCharsets.US_ASCII)).putInt(path.length).put(path).array();
            client.send(AdbMessage.WRTE, 1, sync, recv);
            int writes = 0;
            AdbMessage m;
            while ((m = client.readWithin(1500)) != null) {
                if (m.command() == AdbMessage.WRTE) {
                    writes++;
                }
            }
            assertThat(writes).as("WRTEs sent without an OKAY after each").isEqualTo(1);
            client.send(AdbMessage.OKAY, 1, sync, new byte[0]);
            assertThat(client.readWithin(5000)).as("the next one after an OKAY").isNotNull()
                    .extracting(AdbMessage::command).isEqualTo(AdbMessage.WRTE);
        }
    }

    @Test
    void afterAHostileConnectionClosesTheHeapReturnsToItsBaseline() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build())) {
            try (RawAdbClient warmUp = new RawAdbClient(device.port())) {
                warmUp.authenticate(KEY);
            }
            long baseline = heapAfterGc();
            long peak;
            try (RawAdbClient client = new RawAdbClient(device.port())) {
                client.authenticate(KEY);
                List<Integer> streams = new ArrayList<>();
                for (int i = 1; i <= 24; i++) {
                    streams.add(client.open(i, "shell:sleep 20"));
                }
                assertThat(streams).allSatisfy(id -> assertThat(id).isPositive());
                byte[] payload = new byte[1 << 20];
                // each stream is sent 3 MiB without waiting: 72 MiB, of which the device may hold its limit per stream
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < streams.size(); i++) {
                        client.queue(AdbMessage.WRTE, i + 1, streams.get(i), payload);
                    }
                    client.flush();
                }
                Thread.sleep(500);
                peak = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            }
            long after = Long.MAX_VALUE;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && after > baseline + (16L << 20)) {
                Thread.sleep(200);
                after = heapAfterGc();
            }
            System.out.printf("heap: baseline %d MiB, during the flood %d MiB, after close %d MiB%n",
                    baseline >> 20, peak >> 20, after >> 20);
            assertThat(after).as("heap after the connection closed, baseline %d MiB", baseline >> 20)
                    .isLessThan(baseline + (16L << 20));
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Writes {@code payload} to the stream over and over without waiting for OKAYs until the device
     * closes it, or {@code limit} (bytes, or messages for empty payloads) is reached.
     *
     * @return what was sent (bytes, or messages for empty payloads)
     */
    private static long flood(RawAdbClient client, int localId, int remoteId, byte[] payload, long limit,
                              Messages messages) throws Exception {
        long sent = 0;
        while (sent < limit) {
            client.send(AdbMessage.WRTE, localId, remoteId, payload);
            sent += payload.length == 0 ? 1 : payload.length;
            if (messages.closed(localId)) {
                return sent;
            }
        }
        // a device that buffers everything has not closed the stream even now
        return messages.awaitClose(localId, 2000) ? sent : Long.MAX_VALUE;
    }

    /** The device's messages, read on a thread of their own while the test writes. */
    private static final class Messages {
        private final BlockingQueue<AdbMessage> queue = new LinkedBlockingQueue<>();
        private final java.util.Set<Integer> closed = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static Messages readBy(RawAdbClient client) {
            Messages m = new Messages();
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        AdbMessage message = client.read();
                        if (message.command() == AdbMessage.CLSE) {
                            m.closed.add(message.arg1());
                        }
                        m.queue.add(message);
                    }
                } catch (IOException end) {
                    // the test closed the connection
                }
            }, "raw-adb-reader");
            reader.setDaemon(true);
            reader.start();
            return m;
        }

        boolean closed(int localId) {
            return closed.contains(localId);
        }

        boolean awaitClose(int localId, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (!closed(localId) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            return closed(localId);
        }

        /** What the device wrote to the stream, acknowledging nothing (the text fits one WRTE). */
        String textOf(int localId) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                AdbMessage m = queue.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.command() == AdbMessage.WRTE && m.arg1() == localId) {
                    return new String(m.payload(), StandardCharsets.UTF_8);
                }
            }
            throw new AssertionError("no output on stream " + localId + " within 10 s");
        }
    }
}
