package dev.fluxtap.agent.capture;

import dev.fluxtap.agent.config.CaptureConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture on one or more interfaces with libpcap through pcap4j, one thread per interface running
 * {@link PcapNextExLoop} (pcap_next_ex through JNA direct mapping) where it is available, else pcap4j's
 * {@code handle.loop(-1, RawPacketListener)} (the callback path: 0.6-0.9 µs per packet, where polling
 * {@code getNextRawPacket()} loses packets above ~110k/s). Needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode
 * and buffer sizes) on Linux, Npcap on Windows.
 */
public final class Pcap4jPacketSource implements PacketSource {

    private static final Logger log = LoggerFactory.getLogger(Pcap4jPacketSource.class);
    /** Without immediate mode a partly filled buffer block is handed over after this long; breakLoop() stops an idle capture. */
    private static final int READ_TIMEOUT_MILLIS = 100;

    private final CaptureConfig config;
    private final List<Capture> captures = new ArrayList<>();
    private final AtomicReference<CaptureException> failure = new AtomicReference<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private CountDownLatch ended = new CountDownLatch(0);

    public Pcap4jPacketSource(CaptureConfig config) {
        if (config.interfaces().isEmpty()) {
            throw new IllegalArgumentException("a live capture needs at least one interface");
        }
        this.config = config;
    }

    @Override
    public List<String> names() {
        return config.interfaces();
    }

    @Override
    public synchronized void start(IntFunction<FrameHandler> handlerPerCapture) throws CaptureException {
        if (!captures.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        List<String> known = listDevices();
        List<Capture> opened = new ArrayList<>();
        try {
            for (String name : config.interfaces()) {
                if (!known.contains(name)) {
                    throw PcapErrors.unknownInterface(name, known, null);
                }
                opened.add(new Capture(name, open(name, known)));
            }
        } catch (CaptureException e) {
            opened.forEach(c -> c.handle.close());
            throw e;
        }
        captures.addAll(opened);
        ended = new CountDownLatch(captures.size());
        for (int i = 0; i < captures.size(); i++) {
            Capture c = captures.get(i);
            FrameHandler handler = handlerPerCapture.apply(i);
            Thread t = new Thread(() -> run(c, handler), "capture-" + c.name);
            t.setDaemon(true);
            c.thread = t;
            t.start();
        }
        log.info("capturing on {} (snaplen {}, filter '{}', buffer {} bytes, immediate {}, {})", config.interfaces(), config.snaplen(),
                config.filter(), config.bufferBytes(), config.immediateMode(),
                PcapNextExLoop.available() ? "pcap_next_ex loop" : "pcap4j loop");
    }

    private PcapHandle open(String name, List<String> known) throws CaptureException {
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(name)
                    .snaplen(config.snaplen())
                    .promiscuousMode(config.promiscuous() ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS)
                    .bufferSize(config.bufferBytes())
                    .immediateMode(config.immediateMode())
                    .build();
        } catch (PcapNativeException e) {
            throw PcapErrors.openFailed(name, e, known);
        } catch (LinkageError e) {
            throw PcapErrors.libpcapMissing(e);
        }
        if (!config.filter().isEmpty()) {
            try {
                handle.setFilter(config.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
            } catch (PcapNativeException | org.pcap4j.core.NotOpenException e) {
                handle.close();
                throw PcapErrors.badFilter(config.filter(), name, e);
            }
        }
        return handle;
    }

    /** Names of the capturable devices, for validation and the "unknown interface" message. */
    static List<String> listDevices() throws CaptureException {
        try {
            List<String> names = new ArrayList<>();
            for (PcapNetworkInterface dev : Pcaps.findAllDevs()) {
                names.add(dev.getName());
            }
            return names;
        } catch (PcapNativeException e) {
            throw PcapErrors.openFailed("the device list", e, List.of());
        } catch (LinkageError e) {
            throw PcapErrors.libpcapMissing(e);
        }
    }

    private void run(Capture c, FrameHandler handler) {
        try {
            int linkType = c.handle.getDlt().value();
            Pcap4jHandles.countLostFramesInto(c.lost);
            c.open = true;
            if (PcapNextExLoop.available()) {
                PcapNextExLoop.run(c.handle, linkType, handler, c.received);
            } else {
                c.handle.loop(-1, Pcap4jHandles.listener(c.handle, linkType, handler, c.received));
            }
        } catch (InterruptedException e) {
            // breakLoop(): a normal stop.
        } catch (Exception e) {
            if (!stopping.get()) {
                CaptureException failed = new CaptureException(CaptureException.Kind.CAPTURE_FAILED,
                        "capture on " + c.name + " failed: " + PcapErrors.oneLine(e), e);
                failure.compareAndSet(null, failed);
                log.error(failed.getMessage());
            }
        } finally {
            c.lastStats = readStats(c);
            c.open = false;
            c.handle.close();
            ended.countDown();
        }
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        List<Capture> all;
        synchronized (this) {
            all = List.copyOf(captures);
        }
        all.forEach(c -> Pcap4jHandles.breakLoop(c.handle));
        for (Capture c : all) {
            try {
                c.thread.join(TimeUnit.SECONDS.toMillis(5));
                if (c.thread.isAlive()) {
                    log.warn("capture thread on {} did not end within 5 s of breakLoop()", c.name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isOpen() {
        synchronized (this) {
            return !captures.isEmpty() && captures.stream().allMatch(c -> c.open);
        }
    }

    @Override
    public List<CaptureStats> stats() {
        List<Capture> all;
        synchronized (this) {
            all = List.copyOf(captures);
        }
        if (all.isEmpty()) {
            return config.interfaces().stream().map(n -> new CaptureStats(n, 0, 0, 0, 0, 0, false)).toList();
        }
        List<CaptureStats> out = new ArrayList<>();
        for (Capture c : all) {
            long[] k = c.open ? readStats(c) : c.lastStats;
            out.add(new CaptureStats(c.name, c.received.get(), k[0], k[1], k[2], c.lost.get(), c.open));
        }
        return out;
    }

    private static long[] readStats(Capture c) {
        try {
            PcapStat s = c.handle.getStats();
            c.lastStats = new long[] {s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf()};
        } catch (Exception e) {
            // Closed meanwhile: keep the last reading.
        }
        return c.lastStats;
    }

    @Override
    public Optional<CaptureException> failure() {
        return Optional.ofNullable(failure.get());
    }

    private static final class Capture {
        final String name;
        final PcapHandle handle;
        final AtomicLong received = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        volatile boolean open;
        volatile long[] lastStats = new long[3];
        Thread thread;

        Capture(String name, PcapHandle handle) {
            this.name = name;
            this.handle = handle;
        }
    }
}
