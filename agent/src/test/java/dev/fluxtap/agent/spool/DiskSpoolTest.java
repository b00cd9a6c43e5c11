package dev.fluxtap.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static SpoolRecord record(int i, int valueBytes) {
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) i);
        return new SpoolRecord("fluxtap.packets.v1", i % 3, ByteBuffer.allocate(4).putInt(i % 3).array(), value, "boot-1", i, i + 1);
    }

    private static List<Long> sequences(List<SpoolEntry> entries) {
        return entries.stream().map(e -> e.record().sequence()).toList();
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(DiskSpool.SEGMENT_PREFIX)).sorted().toList();
        }
    }

    @Test
    void reads_in_append_order_and_deletes_acknowledged_segments() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            for (int i = 0; i < 40; i++) {
                assertThat(spool.append(record(i, 1000))).isTrue();
            }
            assertThat(spool.stats().segments()).as("8 KiB segments roll over").isGreaterThan(4);
            assertThat(segmentFiles()).hasSize(spool.stats().segments());
            assertThat(spool.stats().pendingRecords()).isEqualTo(40);

            List<SpoolEntry> first = spool.read(10, Long.MAX_VALUE);
            assertThat(sequences(first)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            SpoolEntry e = first.get(3);
            assertThat(e.record().partition()).isEqualTo(0);
            assertThat(e.record().key()).containsExactly(0, 0, 0, 0);
            assertThat(e.record().value()).hasSize(1000).containsOnly(3);
            assertThat(e.record().bootId()).isEqualTo("boot-1");
            assertThat(e.record().summaries()).isEqualTo(4);
            assertThat(e.appendMillis()).isEqualTo(CLOCK.millis());

            int before = spool.stats().segments();
            spool.ack(first.get(9));
            assertThat(spool.stats().segments()).as("segments wholly acknowledged are deleted").isLessThan(before);
            assertThat(segmentFiles()).hasSize(spool.stats().segments());
            assertThat(spool.stats().pendingRecords()).isEqualTo(30);

            List<SpoolEntry> rest = spool.read(1000, 5000);
            assertThat(sequences(rest)).as("the byte limit stops a read").hasSize(5).startsWith(10L);
            rest = new ArrayList<>(rest);
            rest.addAll(spool.read(1000, Long.MAX_VALUE));
            assertThat(sequences(rest)).hasSize(30).startsWith(10L).endsWith(39L).isSorted();
            assertThat(spool.read(10, Long.MAX_VALUE)).isEmpty();

            spool.ack(rest.get(29));
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.stats().bytes()).as("the disk is given back once everything is delivered").isZero();
            assertThat(segmentFiles()).hasSize(1);
            assertThat(spool.stats().oldestPendingMillis()).isEqualTo(-1);

            assertThat(spool.append(record(40, 10))).isTrue();
            assertThat(sequences(spool.read(10, Long.MAX_VALUE))).containsExactly(40L);
        }
    }

    @Test
    void rewind_reads_again_from_the_oldest_unacknowledged_record() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            for (int i = 0; i < 6; i++) {
                spool.append(record(i, 100));
            }
            List<SpoolEntry> read = spool.read(4, Long.MAX_VALUE);
            spool.ack(read.get(1));
            spool.rewind();
            assertThat(sequences(spool.read(10, Long.MAX_VALUE))).containsExactly(2L, 3L, 4L, 5L);
        }
    }

    @Test
    void a_full_spool_refuses_the_newest_record_and_counts_it() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 16 * 1024, CLOCK)) {
            int accepted = 0;
            while (spool.append(record(accepted, 1000))) {
                accepted++;
            }
            assertThat(accepted).isBetween(10, 16);
            assertThat(spool.append(record(99, 1000))).isFalse();
            SpoolStats stats = spool.stats();
            assertThat(stats.refused()).isEqualTo(2);
            assertThat(stats.bytes()).isLessThanOrEqualTo(16 * 1024);
            assertThat(stats.pendingRecords()).isEqualTo(accepted);
            assertThat(sequences(spool.read(1000, Long.MAX_VALUE))).as("what was kept is intact and in order").hasSize(accepted)
                    .startsWith(0L).endsWith((long) accepted - 1);

            List<SpoolEntry> all = new ArrayList<>();
            spool.rewind();
            all.addAll(spool.read(1000, Long.MAX_VALUE));
            spool.ack(all.get(all.size() - 1));
            assertThat(spool.append(record(100, 1000))).as("space comes back once delivered").isTrue();
        }
    }

    @Test
    void reopening_continues_after_the_acknowledged_records() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            for (int i = 0; i < 30; i++) {
                spool.append(record(i, 1000));
            }
            List<SpoolEntry> read = spool.read(20, Long.MAX_VALUE);
            spool.ack(read.get(11));
        }
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThat(spool.stats().pendingRecords()).isEqualTo(18);
            assertThat(spool.stats().truncatedRecords()).isZero();
            assertThat(spool.stats().oldestPendingMillis()).isEqualTo(CLOCK.millis());
            spool.append(record(30, 1000));
            List<SpoolEntry> read = spool.read(1000, Long.MAX_VALUE);
            assertThat(sequences(read)).hasSize(19).startsWith(12L).endsWith(30L).isSorted();
            spool.ack(read.get(read.size() - 1));
            assertThat(spool.isEmpty()).isTrue();
        }
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.read(10, Long.MAX_VALUE)).isEmpty();
        }
    }

    @Test
    void a_torn_tail_is_cut_off_and_counted() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            for (int i = 0; i < 3; i++) {
                spool.append(record(i, 500));
            }
        }
        Path segment = segmentFiles().get(0);
        long intact = Files.size(segment);
        // A crash in the middle of the fourth append: its header and half of its body reached the disk.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(DiskSpool.HEADER_BYTES + 100).putInt(0, 600).putInt(4, 12345));
        }
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThat(spool.stats().truncatedRecords()).isEqualTo(1);
            assertThat(Files.size(segment)).isEqualTo(intact);
            assertThat(spool.append(record(3, 500))).isTrue();
            assertThat(sequences(spool.read(10, Long.MAX_VALUE))).containsExactly(0L, 1L, 2L, 3L);
        }
    }

    @Test
    void a_record_with_a_bad_crc_and_what_follows_it_are_cut_off() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            for (int i = 0; i < 4; i++) {
                spool.append(record(i, 500));
            }
        }
        Path segment = segmentFiles().get(0);
        long frame = Files.size(segment) / 4;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF}), 2 * frame + DiskSpool.HEADER_BYTES + 40);
        }
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThat(spool.stats().truncatedRecords()).as("the damaged record and the one after it").isEqualTo(2);
            assertThat(spool.stats().pendingRecords()).isEqualTo(2);
            assertThat(sequences(spool.read(10, Long.MAX_VALUE))).containsExactly(0L, 1L);
        }
    }

    @Test
    void two_spools_cannot_share_a_directory() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThatThrownBy(() -> DiskSpool.open(dir, 64 * 1024, CLOCK)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use by another fluxtap-agent");
            assertThat(spool.append(record(0, 10))).isTrue();
        }
        try (DiskSpool again = DiskSpool.open(dir, 64 * 1024, CLOCK)) {
            assertThat(again.stats().pendingRecords()).as("the lock is released on close").isEqualTo(1);
        }
    }
}
