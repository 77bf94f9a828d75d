package dev.fastvlm.genie.profile;

import java.util.List;

/**
 * One profiled Genie object.
 *
 * @param name   its name, e.g. the dialog's handle name
 * @param type   {@code dialog}, {@code embedding}, {@code engine}, {@code pipeline} or {@code node}
 * @param events its events in file order
 */
public record ProfileComponent(String name, String type, List<ProfileEvent> events) {
    public ProfileComponent {
        events = List.copyOf(events);
    }
}
