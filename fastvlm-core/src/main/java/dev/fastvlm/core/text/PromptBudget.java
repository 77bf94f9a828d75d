package dev.fastvlm.core.text;

import dev.fastvlm.GenerationOptions;
import dev.fastvlm.InvalidInputException;

/**
 * The decoder's context budget, checked on the host before any device work: the vision rows and
 * the prompt's text tokens share the context with the tokens still to be generated.
 */
public final class PromptBudget {
    private PromptBudget() {
    }

    /**
     * The largest number of new tokens that fits: {@code min(options.maxNewTokens(),
     * contextSize - visionTokens - textTokens)}, the value for Genie's {@code max-num-tokens}.
     *
     * @param visionTokens rows the image takes, &gt;= 0
     * @param textTokens tokens of the prompt's text, &gt;= 0
     * @param contextSize the decoder's context length, &gt; 0
     * @param options the request's generation options
     * @return the value for {@code max-num-tokens}, at least {@code options.minNewTokens()}
     * @throws InvalidInputException when fewer than {@code options.minNewTokens()} would fit; the
     *                               message gives every number
     * @throws IllegalArgumentException when a count is negative or the context size not positive
     */
    public static int maxNewTokens(int visionTokens, int textTokens, int contextSize, GenerationOptions options) {
        if (visionTokens < 0 || textTokens < 0 || contextSize <= 0) {
            throw new IllegalArgumentException("need visionTokens >= 0, textTokens >= 0, contextSize > 0; got "
                    + visionTokens + ", " + textTokens + ", " + contextSize);
        }
        long room = (long) contextSize - visionTokens - textTokens;
        if (room < options.minNewTokens()) {
            throw new InvalidInputException("prompt too long: " + visionTokens + " vision tokens + " + textTokens
                    + " text tokens = " + ((long) visionTokens + textTokens) + " of the decoder's "
                    + contextSize + "-token context leave room for " + Math.max(room, 0)
                    + " new tokens, but at least " + options.minNewTokens() + " are required (minNewTokens)");
        }
        return (int) Math.min(room, options.maxNewTokens());
    }
}
