package dev.fastvlm.core.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fastvlm.ModelArtifactException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Creates DJL HuggingFace tokenizers the way this SDK needs them: from local files only, with
 * DJL's defaults that would silently change a prompt turned off.
 */
final class DjlTokenizers {

    /**
     * DJL truncates to 512 tokens and pads to the longest input unless told otherwise, and adds
     * special tokens on {@code encode(text)}: every call here passes its own flag, and nothing
     * is ever cut or padded by the native tokenizer.
     */
    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "truncation", "false",
            "padding", "false",
            "withOverflowingTokens", "false");

    static {
        // DJL "calls home" on tokenizer creation (probing the cloud instance-metadata address);
        // an offline SDK must not touch the network. An explicit user setting still wins.
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private DjlTokenizers() {
    }

    static HuggingFaceTokenizer fromFile(Path tokenizerJson) {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new ModelArtifactException("tokenizer: cannot load " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    static HuggingFaceTokenizer fromJson(byte[] json, Path source) {
        try (InputStream in = new ByteArrayInputStream(json)) {
            return HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new ModelArtifactException("tokenizer: cannot load " + source + ": " + e.getMessage(), e);
        }
    }

    static int[] ids(Encoding encoding) {
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    static long[] longs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
