package dev.fastvlm.genie.profile;

import dev.fastvlm.FastVlmException;

/** A Genie profile JSON is malformed; the message names the JSON path of each problem. */
public class GenieProfileException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /**
     * A malformed profile.
     *
     * @param message where the profile came from and each problem with its JSON path
     */
    public GenieProfileException(String message) {
        super(message);
    }
}
