package dev.fastvlm.bundle.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One safetensors file, its header read and checked as the format's reader does
 * ({@code huggingface/safetensors} {@code safetensors/src/tensor.rs}): the header length at most
 * {@value #MAX_HEADER_BYTES} bytes and inside the file, UTF-8 JSON starting with <code>{</code>, no
 * tensor named twice, known dtypes, non-negative shapes, {@code data_offsets} that hold exactly
 * dtype x shape bytes, tensors contiguous from the buffer's first byte to the file's last. Tensor
 * bytes are read through memory maps, never copied whole onto the heap. Every problem is a
 * {@link ModelArtifactException} naming the file, the tensor and the numbers.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The format's limit on the header's length, in bytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, TensorEntry> tensors,
                            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and checks a safetensors file.
     *
     * @param file the file
     * @return the open file; close it when done
     * @throws ModelArtifactException naming the file and the first check it fails, or why it cannot be read
     */
    public static SafetensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelArtifactException(file + ": cannot be read: " + e, e);
        }
        try {
            return read(file, channel);
        } catch (IOException e) {
            close(channel);
            throw new ModelArtifactException(file + ": cannot be read: " + e, e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static SafetensorsFile read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < Long.BYTES) {
            throw bad(file, "the file is " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lengthBytes = readFully(channel, 0, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw bad(file, "header length " + Long.toUnsignedString(headerLength) + " is above the format's limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (Long.BYTES + headerLength > size) {
            throw bad(file, "header length " + headerLength + " runs past the end of the file (" + size
                    + " bytes, so at most " + (size - Long.BYTES) + ")");
        }
        ByteBuffer headerBytes = readFully(channel, Long.BYTES, (int) headerLength);
        String header;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes);
            header = chars.toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "the header is not valid UTF-8 (" + e.getMessage() + ")");
        }
        if (!header.startsWith("{")) {
            throw bad(file, "the header does not start with '{' (it starts with "
                    + (header.isEmpty() ? "nothing" : "'" + header.charAt(0) + "'") + ")");
        }
        long dataStart = Long.BYTES + headerLength;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorEntry> entries = parseHeader(file, header, metadata);
        checkLayout(file, entries, size - dataStart);
        Map<String, TensorEntry> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        return new SafetensorsFile(file, channel, dataStart, byName, metadata);
    }

    private static List<TensorEntry> parseHeader(Path file, String header, Map<String, String> metadata) {
        List<TensorEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonParser parser = new JsonFactory().createParser(header)) {
            parser.setCodec(JSON);
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw bad(file, "the header is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                JsonNode value = parser.readValueAsTree();
                if (!names.add(name)) {
                    throw bad(file, "tensor \"" + name + "\" appears twice in the header");
                }
                if (name.equals(METADATA)) {
                    readMetadata(file, value, metadata);
                } else {
                    entries.add(entry(file, name, value));
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw bad(file, "the header has text after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, "the header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad(file, "the header cannot be parsed: " + e.getMessage());
        }
        return entries;
    }

    private static void readMetadata(Path file, JsonNode value, Map<String, String> metadata) {
        if (!value.isObject()) {
            throw bad(file, METADATA + " must be an object of strings, was " + value.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw bad(file, METADATA + "." + e.getKey() + " must be a string, was " + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().asText());
        }
    }

    private static TensorEntry entry(Path file, String name, JsonNode value) {
        String where = "tensor \"" + name + "\"";
        if (!value.isObject()) {
            throw bad(file, where + " must be an object with dtype, shape and data_offsets, was " + value);
        }
        JsonNode dtypeNode = value.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(file, where + " has no dtype string" + (dtypeNode == null ? "" : " (was " + dtypeNode + ")"));
        }
        Dtype dtype = Dtype.named(dtypeNode.asText()).orElseThrow(() -> bad(file, where + " has unknown dtype \""
                + dtypeNode.asText() + "\""));
        List<Long> shape = naturals(file, where, "shape", value.get("shape"));
        List<Long> offsets = naturals(file, where, "data_offsets", value.get("data_offsets"));
        if (offsets.size() != 2) {
            throw bad(file, where + ": data_offsets must be two numbers [begin, end), was " + value.get("data_offsets"));
        }
        return new TensorEntry(file, name, dtype, shape, offsets.get(0), offsets.get(1));
    }

    private static List<Long> naturals(Path file, String where, String field, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw bad(file, where + ": " + field + " must be an array of non-negative integers, was " + node);
        }
        List<Long> values = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
                throw bad(file, where + ": " + field + " must hold non-negative integers, was " + node);
            }
            values.add(n.asLong());
        }
        return values;
    }

    private static void checkLayout(Path file, List<TensorEntry> entries, long bufferBytes) {
        List<TensorEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long expected = 0;
        for (TensorEntry e : sorted) {
            String where = "tensor \"" + e.name() + "\"";
            if (e.end() < e.begin()) {
                throw bad(file, where + ": data_offsets [" + e.begin() + ", " + e.end() + ") begin after they end");
            }
            if (e.begin() != expected) {
                throw bad(file, where + " starts at byte " + e.begin() + " of the buffer, expected " + expected
                        + (e.begin() > expected ? " (a gap: tensors must be contiguous)" : " (it overlaps the tensor before)"));
            }
            long needed;
            try {
                long elements = 1;
                for (long d : e.shape()) {
                    elements = Math.multiplyExact(elements, d);
                }
                needed = Math.multiplyExact(elements, e.dtype().bits()) / 8;
            } catch (ArithmeticException overflow) {
                throw bad(file, where + ": shape " + e.shape() + " overflows a 64-bit size");
            }
            if (needed != e.byteSize()) {
                throw bad(file, where + ": data_offsets [" + e.begin() + ", " + e.end() + ") hold " + e.byteSize()
                        + " bytes, but " + e.dtype() + " " + e.shape() + " needs " + needed);
            }
            expected = e.end();
        }
        if (expected != bufferBytes) {
            throw bad(file, "the tensors end at byte " + expected + " of the buffer, but the file holds " + bufferBytes
                    + (expected < bufferBytes ? " (bytes after the last tensor)" : " (the data runs past the end of the file)"));
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static ModelArtifactException bad(Path file, String problem) {
        return new ModelArtifactException(file + ": not a valid safetensors file: " + problem);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written; a failed close of a read-only channel loses nothing
        }
    }

    /** {@return the file} */
    public Path file() {
        return file;
    }

    /** {@return the tensors, in header order} */
    public Map<String, TensorEntry> tensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    /**
     * The tensor named {@code name}.
     *
     * @param name the tensor's name
     * @return its entry, or empty when the file has none of that name
     */
    public Optional<TensorEntry> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** {@return the header's {@code __metadata__} strings (empty when it has none)} */
    public Map<String, String> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /**
     * Maps part of a tensor's bytes read-only, little-endian.
     *
     * @param tensor a tensor of this file
     * @param offset first byte, counted from the tensor's start
     * @param length bytes to map, at most {@link Integer#MAX_VALUE}
     * @return the mapped bytes
     * @throws IllegalArgumentException when the range is not inside the tensor or the tensor is not this file's
     * @throws ModelArtifactException when the file cannot be mapped
     */
    public ByteBuffer map(TensorEntry tensor, long offset, int length) {
        if (tensors.get(tensor.name()) != tensor) {
            throw new IllegalArgumentException(tensor.name() + " is not a tensor of " + file);
        }
        if (offset < 0 || length < 0 || offset + length > tensor.byteSize()) {
            throw new IllegalArgumentException("bytes [" + offset + ", " + (offset + length) + ") are not inside "
                    + tensor.name() + " (" + tensor.byteSize() + " bytes)");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + tensor.begin() + offset, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelArtifactException(file + ": cannot map " + tensor.name() + ": " + e, e);
        }
    }

    /**
     * Closes the file. Buffers mapped before stay readable.
     */
    @Override
    public void close() {
        close(channel);
    }
}
