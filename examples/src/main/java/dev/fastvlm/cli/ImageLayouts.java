package dev.fastvlm.cli;

import dev.fastvlm.ImageLayout;

import java.util.Locale;

/** The {@code --layout prepend|placeholder} value of the subcommands that take one. */
final class ImageLayouts {
    private ImageLayouts() {
    }

    static ImageLayout parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "prepend" -> ImageLayout.PREPEND;
            case "placeholder" -> ImageLayout.PLACEHOLDER;
            default -> throw new IllegalArgumentException("--layout must be prepend or placeholder, was '" + value + "'");
        };
    }
}
