package dev.fastvlm.core.pipeline;

/**
 * Which dialog a prompt belongs to, for a decoder that can keep its context between prompts.
 *
 * @param owner        the conversation (or the single request) the prompt belongs to
 * @param turn         the prompt's position in the owner's sequence of prompts: 0, 1, 2, ...
 * @param dropped      how many of the owner's oldest exchanges the prompt leaves out; a prompt
 *                     continues the previous one only when this did not change
 * @param historyRows  the prompt's leading rows that the owner's previous prompt and answer
 *                     already put into the context: the image and the history up to the last
 *                     answer's end
 * @param keepsContext whether the decoder should keep the context after this prompt for the
 *                     owner's next one
 */
record DialogTurn(Object owner, int turn, int dropped, int historyRows, boolean keepsContext) {

    /** A request that stands alone: nothing before it, nothing after it. */
    static DialogTurn single() {
        return new DialogTurn(new Object(), 0, 0, 0, false);
    }

    /** Whether this prompt is the one that follows {@code previous}, with the same history kept. */
    boolean follows(DialogTurn previous) {
        return previous != null && previous.keepsContext && owner == previous.owner && turn == previous.turn + 1
                && dropped == previous.dropped;
    }
}
