package dev.fastvlm.adb;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Idle {@code sync:} sessions of the current link, kept between transfers as HTTP keeps
 * connections alive: adbd serves any number of requests in one session, so the next push or pull
 * skips the OPEN round trip. Only a session whose last transfer ended cleanly (every reply read)
 * comes back here; any other is closed.
 */
final class SyncSessions {

    private static final int MAX_IDLE = 2;

    private final Deque<SyncClient> idle = new ArrayDeque<>();
    private AdbLink owner;

    /** An idle session of {@code link}, or a new one. */
    SyncClient take(AdbLink link) throws IOException {
        synchronized (this) {
            if (owner != link) {
                closeIdle();
                owner = link;
            }
            SyncClient session = idle.pollFirst();
            if (session != null) {
                return session;
            }
        }
        return new SyncClient(link.open("sync:"));
    }

    /** Keeps a session that ended its transfer cleanly, unless its link has been replaced meanwhile. */
    synchronized void giveBack(AdbLink link, SyncClient session) {
        if (link == owner && idle.size() < MAX_IDLE) {
            idle.addFirst(session);
        } else {
            session.close();
        }
    }

    /** Closes every idle session (the link is going away, or being replaced). */
    synchronized void clear() {
        closeIdle();
        owner = null;
    }

    private void closeIdle() {
        SyncClient session;
        while ((session = idle.pollFirst()) != null) {
            session.close();
        }
    }
}
