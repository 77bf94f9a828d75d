package dev.fastvlm;

/**
 * The model's answer to one request.
 *
 * @param text  exactly what the decoder generated (between Genie's {@code [BEGIN]:} and {@code [END]})
 * @param stats the request's figures
 */
public record Description(String text, Stats stats) {
    /**
     * Checks that both parts are present.
     *
     * @param text exactly what the decoder generated (between Genie's {@code [BEGIN]:} and {@code [END]})
     * @param stats the request's figures
     * @throws InvalidConfigurationException when {@code text} or {@code stats} is null
     */
    public Description {
        Checks.required(text, "text", "the generated text");
        Checks.required(stats, "stats", "the request's figures");
    }
}
