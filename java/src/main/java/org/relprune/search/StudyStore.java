package org.relprune.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A study in one SQLite file (WAL mode, so several processes can work on it): the study's
 * configuration and every trial (parameters, objective, curve, timings, status). A trial is
 * claimed as RUNNING inside an immediate transaction and kept alive by heartbeats; one whose
 * heartbeat is older than the lease, or whose worker is a process of this host that no longer
 * runs, belongs to a process that died and is run again. A process that stops releases its
 * claim ({@link #release}). Finished trials are never touched again. Schema: docs/search.md.
 */
public final class StudyStore implements AutoCloseable {
    /** The value of study.format: what marks a file as a relprune study. */
    public static final String FORMAT = "relprune-study-1";
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Connection db;
    private final long leaseMillis;

    /** A trial row. */
    public record Trial(int number, String status, JsonObject params, Double objective, String curve, Double lrpSeconds, Double curveSeconds,
                        Claim claim) {
        public String worker() {
            return claim.worker();
        }

        public String token() {
            return claim.token();
        }
    }

    /**
     * Who holds (or held) a trial: the worker's name ({@code pid@host}), the claim's token, when
     * it was claimed (ISO-8601) and its last heartbeat (epoch milliseconds).
     */
    public record Claim(String worker, String token, String started, Long heartbeat) {
    }

    private StudyStore(Path file, Connection db, long leaseMillis) {
        this.file = file;
        this.db = db;
        this.leaseMillis = leaseMillis;
    }

    /**
     * Opens (creating if absent) the study file; a file that is not SQLite or not a relprune study
     * is refused. An existing empty file is taken as a new study.
     */
    public static StudyStore open(Path file, long leaseMillis) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": a folder, not a study file");
        }
        if (Files.exists(file)) {
            checkMagic(file, false);
        }
        try {
            org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
            // every transaction takes the write lock at its start: two processes claiming trials
            // queue (busy_timeout) instead of one failing on a stale snapshot
            cfg.setTransactionMode(org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
            cfg.setBusyTimeout(30000);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
                List<String> tables = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                    while (r.next()) {
                        tables.add(r.getString(1));
                    }
                }
                if (!tables.isEmpty() && !tables.contains("study")) {
                    c.close();
                    throw new IOException(file + ": a SQLite database of something else (tables " + tables + "), not a relprune study");
                }
                s.execute("CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS trials (number INTEGER PRIMARY KEY, status TEXT NOT NULL "
                        + "CHECK (status IN ('RUNNING', 'COMPLETE', 'FAILED')), params TEXT NOT NULL, objective REAL, curve TEXT, "
                        + "lrp_seconds REAL, curve_seconds REAL, worker TEXT, token TEXT, started TEXT, heartbeat INTEGER, finished TEXT, error TEXT)");
            }
            return new StudyStore(file, c, leaseMillis);
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing study without writing anything: no file is created or changed, no table
     * made, and a study in a read-only folder can be read. Refused, naming the file: a missing
     * file, a folder, an empty file, a file that is not SQLite, a SQLite file of something else.
     * A study whose write-ahead log exists (a search has it open, or was killed) is read through
     * it, as of now; without one, SQLite opens the file as immutable (it takes no lock and makes no
     * shared-memory file).
     */
    public static StudyStore openReadOnly(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such study");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a study file (a folder or a device)");
        }
        checkMagic(file, true);
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        Connection c = null;
        if (Files.exists(wal)) {
            try {
                c = connectReadOnly(file, false);
            } catch (SQLException e) {
                c = null; // the log's shared-memory file cannot be made here (a read-only folder): read the file as it is
            }
        }
        try {
            if (c == null) {
                c = connectReadOnly(file, true);
            }
            String format;
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'study'")) {
                if (!r.next()) {
                    c.close();
                    throw new IOException(file + ": a SQLite database of something else (no table 'study'), not a relprune study");
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT value FROM study WHERE key = 'format'"); ResultSet r = p.executeQuery()) {
                format = r.next() ? r.getString(1) : null;
            }
            if (format != null && !FORMAT.equals(format)) {
                c.close();
                throw new IOException(file + ": not a relprune study (format " + format + ")");
            }
            return new StudyStore(file, c, Long.MAX_VALUE);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IOException(file + ": cannot read the study: " + e.getMessage(), e);
        }
    }

    private static Connection connectReadOnly(Path file, boolean immutable) throws SQLException {
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(30000);
        String url = "jdbc:sqlite:file:" + file.toAbsolutePath().toUri().getRawPath() + (immutable ? "?immutable=1" : "?mode=ro");
        Connection c = DriverManager.getConnection(url, cfg.toProperties());
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
            r.next(); // the first read opens the file for real: a missing shared-memory file fails here
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
        }
    }

    /** Refuses a file whose head is not SQLite's; an empty file is refused too where {@code emptyRefused}. */
    private static void checkMagic(Path file, boolean emptyRefused) throws IOException {
        byte[] head = new byte[SQLITE_MAGIC.length];
        int n;
        try (var in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0 && emptyRefused) {
            throw new IOException(file + ": an empty file, not a relprune study");
        }
        if (n > 0 && (n < head.length || !java.util.Arrays.equals(head, SQLITE_MAGIC))) {
            throw new IOException(file + ": not a SQLite database (so not a relprune study)");
        }
    }

    /** The configuration key whose entries are recorded (where the inputs were) but not compared. */
    public static final String RECORDED_ONLY = "paths";

    /**
     * Records the study's configuration on first use; later, the stored one must match where it
     * decides the trials (the space, the model, the data, the strategy and its seed): every key
     * but {@link #RECORDED_ONLY} is compared as JSON values (so as content, not as text: key order
     * and number spelling do not matter), and a key present on one side only is a difference.
     */
    public void initialize(JsonObject config) throws IOException {
        try {
            db.setAutoCommit(false);
            String stored = get("config");
            if (stored == null) {
                put("format", FORMAT);
                put("config", config.toString());
                put("created", Instant.now().toString());
                put("id", java.util.UUID.randomUUID().toString());
            } else {
                if (!FORMAT.equals(get("format"))) {
                    throw new IOException(file + ": not a relprune study (format " + get("format") + ")");
                }
                JsonObject old = JsonParser.parseString(stored).getAsJsonObject();
                String difference = difference(old, config);
                if (difference != null) {
                    throw new IOException(file + ": this study was made with " + difference + ": use a new --study file or the same settings");
                }
                if (get("id") == null) {
                    put("id", java.util.UUID.randomUUID().toString()); // a study from before ids
                }
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IOException(file + ": " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** The first difference between a stored and a new configuration in words, or null when they match. */
    static String difference(JsonObject old, JsonObject now) {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(now.keySet());
        keys.addAll(old.keySet());
        keys.remove(RECORDED_ONLY);
        for (String k : now.keySet()) {
            if (k.endsWith("_sha256") && !old.has(k)) {
                String what = k.substring(0, k.length() - "_sha256".length());
                return "no hash of its " + what + " (an older relprune, which identified the " + what + " by path)";
            }
        }
        for (String k : keys) {
            if (!old.has(k)) {
                return "no " + k + " recorded (an older relprune or other settings; now " + shorten(now.get(k)) + ")";
            }
            if (!now.has(k)) {
                return "a " + k + " of " + shorten(old.get(k)) + " that these settings do not have";
            }
            if (!old.get(k).equals(now.get(k))) {
                String where = "";
                String what = k;
                if (k.endsWith("_sha256")) {
                    what = k.substring(0, k.length() - "_sha256".length());
                    where = pathOf(old, what) + "; now " + now.get(k).getAsString() + pathOf(now, what);
                    return "other " + what + " (sha256 " + old.get(k).getAsString() + where + ")";
                }
                return "another " + what + " (" + shorten(old.get(k)) + ", now " + shorten(now.get(k)) + ")";
            }
        }
        return null;
    }

    private static String pathOf(JsonObject config, String what) {
        JsonObject paths = config.has(RECORDED_ONLY) && config.get(RECORDED_ONLY).isJsonObject() ? config.getAsJsonObject(RECORDED_ONLY) : null;
        return paths != null && paths.has(what) ? " at " + paths.get(what).getAsString() : "";
    }

    private static String shorten(com.google.gson.JsonElement e) {
        String t = e.toString();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    /** The study's id (made when the study was first initialized; null before). */
    public String id() throws IOException {
        try {
            return get("id");
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The lease this store was opened with, in milliseconds. */
    public long leaseMillis() {
        return leaseMillis;
    }

    private String get(String key) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM study WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private void put(String key, String value) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO study (key, value) VALUES (?, ?)")) {
            p.setString(1, key);
            p.setString(2, value);
            p.executeUpdate();
        }
    }

    /** What decides a trial's parameters from its number (and the finished trials before it). */
    public interface Proposer {
        JsonObject propose(int number, List<Trial> finished);
    }

    /**
     * Claims the next trial: RUNNING trials whose heartbeat is older than the lease, or whose
     * worker is a process of this host that no longer runs ({@link Workers#deadHere}), are taken
     * back first; returns null once {@code total} trials are finished or running.
     */
    public Trial claim(int total, String worker, Proposer proposer) throws IOException {
        try {
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.executeUpdate("DELETE FROM trials WHERE status = 'RUNNING' AND heartbeat < " + (System.currentTimeMillis() - leaseMillis));
            }
            for (Trial t : trials()) {
                if (t.status().equals("RUNNING") && Workers.deadHere(t.worker(), t.claim().started())) {
                    try (PreparedStatement p = db.prepareStatement("DELETE FROM trials WHERE number = ? AND token = ? AND status = 'RUNNING'")) {
                        p.setInt(1, t.number());
                        p.setString(2, t.token());
                        p.executeUpdate();
                    }
                }
            }
            List<Trial> all = trials();
            long active = all.stream().filter(t -> !t.status().equals("FAILED")).count();
            if (active >= total) {
                db.commit();
                return null;
            }
            // the lowest free number: a trial lost to a dead process is rerun under its own number
            java.util.Set<Integer> taken = new java.util.HashSet<>();
            all.forEach(t -> taken.add(t.number()));
            int number = 0;
            while (taken.contains(number)) {
                number++;
            }
            List<Trial> finished = all.stream().filter(t -> t.status().equals("COMPLETE")).toList();
            JsonObject params = proposer.propose(number, finished);
            // the claim's own token: a process whose lease ran out cannot finish the rerun of its trial
            String token = java.util.UUID.randomUUID().toString();
            String started = Instant.now().toString();
            long beat = System.currentTimeMillis();
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO trials (number, status, params, worker, token, started, heartbeat) VALUES (?, 'RUNNING', ?, ?, ?, ?, ?)")) {
                p.setInt(1, number);
                p.setString(2, params.toString());
                p.setString(3, worker);
                p.setString(4, token);
                p.setString(5, started);
                p.setLong(6, beat);
                p.executeUpdate();
            }
            db.commit();
            return new Trial(number, "RUNNING", params, null, null, null, null, new Claim(worker, token, started, beat));
        } catch (SQLException e) {
            rollback();
            throw new IOException(file + ": " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    public void heartbeat(Trial t) throws IOException {
        update("UPDATE trials SET heartbeat = ? WHERE token = ? AND status = 'RUNNING'", System.currentTimeMillis(), t.token());
    }

    public void complete(Trial t, double objective, String curve, double lrpSeconds, double curveSeconds) throws IOException {
        try (PreparedStatement p = db.prepareStatement("UPDATE trials SET status = 'COMPLETE', objective = ?, curve = ?, lrp_seconds = ?, "
                + "curve_seconds = ?, finished = ? WHERE token = ? AND status = 'RUNNING'")) {
            p.setDouble(1, objective);
            p.setString(2, curve);
            p.setDouble(3, lrpSeconds);
            p.setDouble(4, curveSeconds);
            p.setString(5, Instant.now().toString());
            p.setString(6, t.token());
            if (p.executeUpdate() != 1) {
                throw new IOException(file + ": trial " + t.number() + " is no longer this process's (its lease ran out and it was taken back)");
            }
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gives a RUNNING trial back (its row deleted, so the next claim takes its number again and
     * its partial work is discarded); a trial no longer held by this claim is left alone.
     *
     * @return whether the trial was still this claim's
     */
    public boolean release(Trial t) throws IOException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM trials WHERE token = ? AND status = 'RUNNING'")) {
            p.setString(1, t.token());
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #release} on a connection of its own, for a shutdown hook: the store's connection
     * may be in the middle of a statement of the thread being stopped.
     */
    public static boolean release(Path file, Trial t, long busyMillis) throws IOException {
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyMillis));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties());
             PreparedStatement p = c.prepareStatement("DELETE FROM trials WHERE token = ? AND status = 'RUNNING'")) {
            p.setString(1, t.token());
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public void fail(Trial t, String error) throws IOException {
        update("UPDATE trials SET status = 'FAILED', error = ?, finished = ? WHERE token = ?", error, Instant.now().toString(), t.token());
    }

    private void update(String sql, Object... args) throws IOException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every trial, by number. */
    public List<Trial> trials() throws SQLException {
        List<Trial> t = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT number, status, params, objective, curve, lrp_seconds, curve_seconds, worker, token, started, heartbeat "
                     + "FROM trials ORDER BY number")) {
            while (r.next()) {
                long beat = r.getLong(11);
                Long heartbeat = r.wasNull() ? null : beat;
                t.add(new Trial(r.getInt(1), r.getString(2), JsonParser.parseString(r.getString(3)).getAsJsonObject(),
                        nullableDouble(r, 4), r.getString(5), nullableDouble(r, 6), nullableDouble(r, 7),
                        new Claim(r.getString(8), r.getString(9), r.getString(10), heartbeat)));
            }
        }
        return t;
    }

    private static Double nullableDouble(ResultSet r, int column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? null : v;
    }

    /** The stored configuration (null before {@link #initialize}). */
    public JsonObject config() throws IOException {
        try {
            String c = get("config");
            return c == null ? null : JsonParser.parseString(c).getAsJsonObject();
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original error is what the caller reports
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection shows on the next statement
        }
    }

    @Override
    public void close() throws IOException {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
