package dev.fastvlm.cli;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.ResizePolicy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.Map;

/**
 * The lower-case words the command line uses for the library's choices, as picocli converters: a
 * wrong word is a usage error that lists the right ones.
 */
final class OptionValues {
    private OptionValues() {
    }

    /** {@code stretch|pad|center-crop}: how a non-square image becomes square. */
    static final class Resize implements ITypeConverter<ResizePolicy> {
        static final Map<String, ResizePolicy> WORDS = Map.of("stretch", ResizePolicy.STRETCH,
                "pad", ResizePolicy.PAD_TO_SQUARE, "center-crop", ResizePolicy.CENTER_CROP);

        @Override
        public ResizePolicy convert(String value) {
            return word(WORDS, value, "stretch, pad or center-crop");
        }

        /** The command line's word for {@code policy}. */
        static String wordFor(ResizePolicy policy) {
            return WORDS.entrySet().stream().filter(e -> e.getValue() == policy).findFirst().orElseThrow().getKey();
        }
    }

    /** {@code cpu|htp}: the engine that runs the decoder. */
    static final class Backend implements ITypeConverter<DecoderBackend> {
        static final Map<String, DecoderBackend> WORDS = Map.of("cpu", DecoderBackend.CPU, "htp", DecoderBackend.HTP);

        @Override
        public DecoderBackend convert(String value) {
            return word(WORDS, value, "cpu or htp");
        }
    }

    private static <T> T word(Map<String, T> words, String value, String expected) {
        T choice = words.get(value.toLowerCase(Locale.ROOT));
        if (choice == null) {
            throw new TypeConversionException("expected " + expected + ", was '" + value + "'");
        }
        return choice;
    }
}
