package dev.fastvlm.genie.profile;

/**
 * A {@code GenieDialog_create} event: loading the model and building the dialog.
 *
 * @param initTimeMicros the {@code init-time} metric, in microseconds
 */
public record DialogCreate(long initTimeMicros) {
}
