package dev.fastvlm.cli;

import dev.fastvlm.transport.TransferListener;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar for a terminal: redrawn in place, at most once per whole percent. */
final class ProgressBar implements TransferListener {

    private static final int WIDTH = 30;

    private final PrintWriter terminal;
    private final String label;
    private final String unit;
    private int shownPercent = -1;

    ProgressBar(PrintWriter terminal, String label) {
        this(terminal, label, "bytes");
    }

    /** A bar counting {@code unit}s (rows, images, steps) rather than bytes. */
    ProgressBar(PrintWriter terminal, String label, String unit) {
        this.terminal = terminal;
        this.label = label;
        this.unit = unit;
    }

    @Override
    public synchronized void onProgress(long done, long total) {
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        if (percent == shownPercent) {
            return;
        }
        shownPercent = percent;
        terminal.print(render(label, done, total, unit));
        if (done >= total) {
            terminal.println();
        }
        terminal.flush();
    }

    static String render(String label, long done, long total) {
        return render(label, done, total, "bytes");
    }

    static String render(String label, long done, long total, String unit) {
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        int filled = percent * WIDTH / 100;
        return String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %,d / %,d %s", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), percent, done, total, unit);
    }
}
