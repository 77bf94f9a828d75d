/** The profile JSON that {@code genie-t2t-run --profile} writes. */
package dev.fastvlm.genie.profile;
