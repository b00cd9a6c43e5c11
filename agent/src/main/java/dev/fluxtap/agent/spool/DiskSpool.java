package dev.fluxtap.agent.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, append-only queue of records on disk that survives a restart of the process.
 *
 * <p>Layout of the directory: segment files {@code segment-<generation>.spool} of framed records (4-byte length,
 * 4-byte CRC-32C of the body, body), the file {@code ack} with the position up to which records were delivered
 * (written to a temporary file and renamed, with its own CRC), and {@code lock}, held with an OS file lock for as long as
 * the spool is open so that two agents never share a directory. Appends go to the newest segment and roll over to a new
 * generation at the segment size; a segment is deleted once everything in it is acknowledged.
 *
 * <p>The bound counts the segment files on disk, acknowledged parts included, so it is the disk the spool really uses.
 * When a record does not fit, {@link #append} refuses it: the newest record is the one lost. Dropping the oldest instead
 * would mean rewriting or punching the head of a segment that the replay may be reading; refusing keeps the spool a
 * contiguous, ordered stretch of what was captured, so the loss shows up as one gap per partition at the moment the
 * disk ran full, while the operator sees the spool full.
 *
 * <p>Appends are not fsynced one by one: a crashed process loses nothing (the data is in the page cache), a crashed
 * machine may lose or tear the tail; {@link #open} detects a torn tail by its length or CRC, cuts it off and counts it.
 * The ack file is not fsynced either: after a machine crash it may lag, and records are sent twice (the aggregator
 * drops repeated sequence numbers). Thread-safe: every method holds the spool's monitor.
 */
public final class DiskSpool implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(DiskSpool.class);

    static final String SEGMENT_PREFIX = "segment-";
    static final String SEGMENT_SUFFIX = ".spool";
    static final String ACK_FILE = "ack";
    static final String LOCK_FILE = "lock";
    /** Frame header: body length, CRC-32C of the body. */
    static final int HEADER_BYTES = 8;
    /** Largest body accepted; far above a batch (at most 8 MiB), small enough to reject a corrupt length. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    private static final long MAX_SEGMENT_BYTES = 16L * 1024 * 1024;
    private static final long MIN_SEGMENT_BYTES = 4096;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Generation → size in bytes, oldest first. */
    private final TreeMap<Long, Long> segments = new TreeMap<>();
    private final long truncatedRecords;

    private FileChannel writer;
    private long writeGeneration;
    private FileChannel readChannel;
    private long readChannelGeneration = -1;
    private SpoolPosition ack;
    private SpoolPosition read;
    private long readOrdinal;
    private long ackedOrdinal;
    private long nextOrdinal;
    private long totalBytes;
    private long appended;
    private long refused;
    private boolean closed;

    private DiskSpool(Path dir, long maxBytes, Clock clock, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.truncatedRecords = recover();
    }

    /**
     * Opens (creating it if needed) and locks the spool in {@code dir}, cuts off a torn tail and positions the reader on
     * the oldest record not acknowledged.
     *
     * @throws IOException when the directory cannot be used, or another process holds its lock
     */
    public static DiskSpool open(Path dir, long maxBytes, Clock clock) throws IOException {
        if (maxBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("spool bound must be at least " + MIN_SEGMENT_BYTES + " bytes, got " + maxBytes);
        }
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool directory " + dir + " is in use by another fluxtap-agent (its lock file is held)");
        }
        try {
            return new DiskSpool(dir, maxBytes, clock, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Scans every segment, cuts off what does not check out, and sets the positions; returns the records cut off. */
    private long recover() throws IOException {
        for (Path p : listSegments()) {
            segments.put(generationOf(p), Files.size(p));
        }
        Optional<SpoolPosition> savedAck = readAck();
        // Segments wholly before the ack were delivered; a crash between the ack and their deletion leaves them.
        long ackGeneration = savedAck.map(SpoolPosition::generation).orElse(Long.MIN_VALUE);
        for (Long g : List.copyOf(segments.headMap(ackGeneration).keySet())) {
            deleteSegment(g);
        }
        long cut = 0;
        long pending = 0;
        for (Map.Entry<Long, Long> e : List.copyOf(segments.entrySet())) {
            long generation = e.getKey();
            Scan scan = scan(generation, e.getValue());
            if (scan.validBytes < e.getValue()) {
                cut += scan.damaged;
                log.warn("spool segment {} is torn or corrupt after {} valid bytes: cut off {} bytes ({} batches counted as lost)",
                        segmentPath(generation), scan.validBytes, e.getValue() - scan.validBytes, scan.damaged);
                try (FileChannel ch = FileChannel.open(segmentPath(generation), StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validBytes);
                }
                segments.put(generation, scan.validBytes);
            }
            pending += savedAck.isPresent() && savedAck.get().generation() == generation
                    ? scan.recordsFrom(savedAck.get().offset()) : scan.records();
        }
        if (segments.isEmpty()) {
            writeGeneration = savedAck.map(a -> a.generation() + 1).orElse(0L);
            segments.put(writeGeneration, 0L);
        } else {
            writeGeneration = segments.lastKey();
        }
        writer = FileChannel.open(segmentPath(writeGeneration), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        totalBytes = segments.values().stream().mapToLong(Long::longValue).sum();
        if (savedAck.isPresent() && segments.containsKey(savedAck.get().generation())) {
            ack = new SpoolPosition(savedAck.get().generation(), Math.min(savedAck.get().offset(), segments.get(savedAck.get().generation())));
        } else {
            ack = new SpoolPosition(segments.firstKey(), 0);
        }
        read = ack;
        nextOrdinal = pending;
        if (pending > 0) {
            log.info("spool {} holds {} batches ({} bytes) from an earlier run: they are sent first", dir, pending, totalBytes);
        }
        return cut;
    }

    /** Valid records of a segment, found by walking its frames; stops at the first that does not check out. */
    private Scan scan(long generation, long size) throws IOException {
        List<Long> starts = new ArrayList<>();
        long offset = 0;
        try (FileChannel ch = FileChannel.open(segmentPath(generation), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (offset < size) {
                header.clear();
                if (size - offset < HEADER_BYTES || readFully(ch, header, offset) < HEADER_BYTES) {
                    break;
                }
                int length = header.getInt(0);
                int crc = header.getInt(4);
                if (length < 0 || length > MAX_BODY_BYTES || size - offset - HEADER_BYTES < length) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                if (readFully(ch, body, offset + HEADER_BYTES) < length || crc32c(body.array(), length) != crc) {
                    break;
                }
                starts.add(offset);
                offset += HEADER_BYTES + length;
            }
        }
        return new Scan(starts, offset, offset < size ? framesFrom(generation, offset, size) : 0);
    }

    /** Records cut off from {@code offset} on: frames whose length still fits, plus a torn remainder. */
    private long framesFrom(long generation, long offset, long size) throws IOException {
        long count = 0;
        try (FileChannel ch = FileChannel.open(segmentPath(generation), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (offset < size) {
                count++;
                header.clear();
                if (readFully(ch, header, offset) < HEADER_BYTES) {
                    break;
                }
                int length = header.getInt(0);
                if (length < 0 || length > MAX_BODY_BYTES) {
                    break;
                }
                offset += HEADER_BYTES + (long) length;
            }
        }
        return count;
    }

    private record Scan(List<Long> starts, long validBytes, long damaged) {
        long records() {
            return starts.size();
        }

        long recordsFrom(long offset) {
            return starts.stream().filter(s -> s >= offset).count();
        }
    }

    /**
     * Appends a record at the end.
     *
     * @return false when it does not fit under the bound (it is then refused and counted, nothing is written)
     * @throws IOException when the disk write fails (the spool stays usable; the record is not in it)
     */
    public synchronized boolean append(SpoolRecord record) throws IOException {
        ensureOpen();
        byte[] topic = record.topic().getBytes(StandardCharsets.UTF_8);
        byte[] boot = record.bootId().getBytes(StandardCharsets.UTF_8);
        int bodyLength = 8 + 2 + topic.length + 4 + 4 + record.key().length + 4 + record.value().length + 2 + boot.length + 8 + 4;
        long frame = HEADER_BYTES + (long) bodyLength;
        if (bodyLength > MAX_BODY_BYTES || topic.length > 0xFFFF || boot.length > 0xFFFF || totalBytes + frame > maxBytes) {
            refused++;
            return false;
        }
        long size = segments.get(writeGeneration);
        if (size > 0 && size + frame > segmentBytes) {
            roll();
            size = 0;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) frame);
        buf.position(HEADER_BYTES);
        buf.putLong(clock.millis());
        buf.putShort((short) topic.length).put(topic);
        buf.putInt(record.partition());
        buf.putInt(record.key().length).put(record.key());
        buf.putInt(record.value().length).put(record.value());
        buf.putShort((short) boot.length).put(boot);
        buf.putLong(record.sequence());
        buf.putInt(record.summaries());
        buf.putInt(0, bodyLength);
        buf.putInt(4, crc32c(buf.array(), HEADER_BYTES, bodyLength));
        buf.flip();
        long at = size;
        try {
            while (buf.hasRemaining()) {
                at += writer.write(buf, at);
            }
        } catch (IOException e) {
            // Leave no half frame behind: later appends would land after it and the scan at open would stop there.
            writer.truncate(size);
            throw e;
        }
        segments.put(writeGeneration, size + frame);
        totalBytes += frame;
        appended++;
        nextOrdinal++;
        return true;
    }

    private void roll() throws IOException {
        writer.close();
        writeGeneration++;
        writer = FileChannel.open(segmentPath(writeGeneration), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        segments.put(writeGeneration, 0L);
    }

    /**
     * Reads the records after the last one read, oldest first, up to the limits (at least one record when any is
     * there). The reading position moves on; {@link #rewind} moves it back to the oldest record not acknowledged.
     */
    public synchronized List<SpoolEntry> read(int maxRecords, long maxBytes) throws IOException {
        ensureOpen();
        List<SpoolEntry> out = new ArrayList<>();
        long bytes = 0;
        while (out.size() < maxRecords && (out.isEmpty() || bytes < maxBytes)) {
            long size = segments.getOrDefault(read.generation(), 0L);
            if (read.offset() >= size) {
                Long next = segments.higherKey(read.generation());
                if (next == null) {
                    break;
                }
                read = new SpoolPosition(next, 0);
                continue;
            }
            SpoolEntry e = readAt(read, readOrdinal);
            readOrdinal++;
            out.add(e);
            bytes += e.end().offset() - read.offset();
            read = e.end();
        }
        return out;
    }

    private SpoolEntry readAt(SpoolPosition at, long ordinal) throws IOException {
        if (readChannelGeneration != at.generation()) {
            if (readChannel != null) {
                readChannel.close();
            }
            readChannel = FileChannel.open(segmentPath(at.generation()), StandardOpenOption.READ);
            readChannelGeneration = at.generation();
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (readFully(readChannel, header, at.offset()) < HEADER_BYTES) {
            throw new IOException("spool segment " + segmentPath(at.generation()) + " is shorter than expected at " + at.offset());
        }
        int length = header.getInt(0);
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new IOException("spool segment " + segmentPath(at.generation()) + " has a bad frame length at " + at.offset());
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        if (readFully(readChannel, body, at.offset() + HEADER_BYTES) < length || crc32c(body.array(), length) != header.getInt(4)) {
            throw new IOException("spool segment " + segmentPath(at.generation()) + " changed under the agent at " + at.offset());
        }
        body.flip();
        long appendMillis = body.getLong();
        String topic = string(body, Short.toUnsignedInt(body.getShort()));
        int partition = body.getInt();
        byte[] key = new byte[body.getInt()];
        body.get(key);
        byte[] value = new byte[body.getInt()];
        body.get(value);
        String boot = string(body, Short.toUnsignedInt(body.getShort()));
        long sequence = body.getLong();
        int summaries = body.getInt();
        return new SpoolEntry(new SpoolRecord(topic, partition, key, value, boot, sequence, summaries), appendMillis,
                new SpoolPosition(at.generation(), at.offset() + HEADER_BYTES + length), ordinal);
    }

    /** Moves the reading position back to the oldest record not acknowledged (after a failed resend). */
    public synchronized void rewind() {
        read = ack;
        readOrdinal = ackedOrdinal;
    }

    /**
     * Acknowledges {@code entry} and every record before it: they were delivered. Segments wholly acknowledged are
     * deleted; when nothing is pending any more, the spool starts a fresh segment so the disk is given back.
     */
    public synchronized void ack(SpoolEntry entry) throws IOException {
        ensureOpen();
        if (entry.end().compareTo(ack) <= 0) {
            return;
        }
        ack = entry.end();
        ackedOrdinal = entry.ordinal() + 1;
        if (read.compareTo(ack) < 0) {
            read = ack;
            readOrdinal = ackedOrdinal;
        }
        for (Long g : List.copyOf(segments.headMap(ack.generation()).keySet())) {
            deleteSegment(g);
        }
        if (ack.generation() == writeGeneration && ack.offset() == segments.get(writeGeneration) && ack.offset() > 0) {
            roll();
            deleteSegment(writeGeneration - 1);
            ack = new SpoolPosition(writeGeneration, 0);
            read = ack;
        }
        writeAck();
    }

    private void deleteSegment(long generation) throws IOException {
        if (readChannelGeneration == generation) {
            readChannel.close();
            readChannel = null;
            readChannelGeneration = -1;
        }
        Files.deleteIfExists(segmentPath(generation));
        Long size = segments.remove(generation);
        totalBytes -= size == null ? 0 : size;
    }

    public synchronized boolean isEmpty() {
        return pending() == 0;
    }

    private long pending() {
        return nextOrdinal - ackedOrdinal;
    }

    public synchronized SpoolStats stats() {
        long oldest = -1;
        if (!closed && pending() > 0) {
            try {
                SpoolPosition head = ack.offset() < segments.getOrDefault(ack.generation(), 0L)
                        ? ack : new SpoolPosition(segments.higherKey(ack.generation()), 0);
                oldest = readAt(head, ackedOrdinal).appendMillis();
            } catch (IOException | RuntimeException e) {
                log.debug("cannot read the spool head for its age: {}", e.toString());
            }
        }
        return new SpoolStats(totalBytes, maxBytes, segments.size(), pending(), appended, refused, truncatedRecords, oldest);
    }

    public Path directory() {
        return dir;
    }

    /** Flushes the segment to disk and releases the lock. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.force(false);
            writer.close();
            if (readChannel != null) {
                readChannel.close();
            }
        } finally {
            lock.release();
            lockChannel.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("spool " + dir + " is closed");
        }
    }

    private void writeAck() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.putLong(ack.generation()).putLong(ack.offset());
        b.putInt(crc32c(b.array(), 16));
        Path tmp = dir.resolve(ACK_FILE + ".tmp");
        Files.write(tmp, b.array());
        try {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Optional<SpoolPosition> readAck() throws IOException {
        byte[] b;
        try {
            b = Files.readAllBytes(dir.resolve(ACK_FILE));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        if (b.length != 20 || buf.getInt(16) != crc32c(b, 16)) {
            // Without a trustworthy ack everything is sent again: duplicates, which the aggregator drops, but no loss.
            log.warn("spool ack file {} is damaged: every spooled batch will be sent again", dir.resolve(ACK_FILE));
            return Optional.empty();
        }
        return Optional.of(new SpoolPosition(buf.getLong(0), buf.getLong(8)));
    }

    private List<Path> listSegments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(SEGMENT_PREFIX) && n.endsWith(SEGMENT_SUFFIX);
            }).toList();
        }
    }

    private Path segmentPath(long generation) {
        return dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, generation, SEGMENT_SUFFIX));
    }

    private static long generationOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(SEGMENT_PREFIX.length(), n.length() - SEGMENT_SUFFIX.length()));
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static String string(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int crc32c(byte[] b, int length) {
        return crc32c(b, 0, length);
    }

    private static int crc32c(byte[] b, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b, offset, length);
        return (int) crc.getValue();
    }
}
