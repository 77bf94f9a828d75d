package dev.fastvlm.genie.profile;

/**
 * A {@code GenieDialog_query} event: one prompt processed and an answer generated.
 *
 * @param promptTokens             {@code num-prompt-tokens}
 * @param promptTokensPerSecond    {@code prompt-processing-rate}
 * @param timeToFirstTokenMicros   {@code time-to-first-token}, which is also the prompt processing time
 * @param generatedTokens          {@code num-generated-tokens}
 * @param tokensPerSecond          {@code token-generation-rate}
 * @param generationTimeMicros     {@code token-generation-time}
 */
public record DialogQuery(long promptTokens, double promptTokensPerSecond, long timeToFirstTokenMicros,
                          long generatedTokens, double tokensPerSecond, long generationTimeMicros) {
}
