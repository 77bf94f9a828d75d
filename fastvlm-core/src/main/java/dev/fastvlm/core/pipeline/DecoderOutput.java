package dev.fastvlm.core.pipeline;

import dev.fastvlm.genie.profile.DialogQuery;

import java.time.Duration;

/**
 * What the decoder stage gives the request, whichever engine ran it.
 *
 * @param text     the answer
 * @param query    Genie's figures for the query
 * @param initTime model load time spent for this request (zero when the model was already loaded)
 */
record DecoderOutput(String text, DialogQuery query, Duration initTime) {
}
