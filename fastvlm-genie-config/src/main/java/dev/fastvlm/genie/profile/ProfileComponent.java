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
    /**
     * Copies the event list.
     *
     * @param name its name, e.g. the dialog's handle name
     * @param type {@code dialog}, {@code embedding}, {@code engine}, {@code pipeline} or {@code node}
     * @param events its events in file order
     * @throws NullPointerException when {@code events} is null or holds null
     */
    public ProfileComponent {
        events = List.copyOf(events);
    }
}
